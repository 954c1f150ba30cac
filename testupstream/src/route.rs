//! Which fake API a request addresses, from its method and path.

use hyper::Method;

use crate::error::ApiError;

/// The API operation requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// Chat completions.
    Chat,
    /// Legacy text completions.
    Completions,
    /// Embeddings.
    Embeddings,
}

impl Api {
    fn from_suffix(suffix: &str) -> Option<Self> {
        match suffix {
            "chat/completions" => Some(Self::Chat),
            "completions" => Some(Self::Completions),
            "embeddings" => Some(Self::Embeddings),
            _ => None,
        }
    }
}

/// Which provider flavour the path belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flavor {
    /// OpenAI: `/v1/...`, `authorization: Bearer`.
    OpenAi,
    /// Azure OpenAI: `/openai/deployments/{deployment}/...?api-version=`, `api-key`.
    Azure {
        /// Deployment name from the path; it is the model reported back.
        deployment: String,
    },
}

/// A classified request target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Operation.
    pub api: Api,
    /// Provider flavour.
    pub flavor: Flavor,
}

/// Classifies `method` + `path_and_query`: 404 for unknown paths, 405 for non-POST, 400 for
/// a missing or malformed Azure `api-version`.
pub fn classify(method: &Method, path: &str, query: Option<&str>) -> Result<Target, ApiError> {
    let not_found = || ApiError::not_found(method.as_str(), path);
    let target = if let Some(rest) = path.strip_prefix("/v1/") {
        let api = Api::from_suffix(rest).ok_or_else(not_found)?;
        Target {
            api,
            flavor: Flavor::OpenAi,
        }
    } else if let Some(rest) = path.strip_prefix("/openai/deployments/") {
        let (deployment, suffix) = rest.split_once('/').ok_or_else(not_found)?;
        let api = Api::from_suffix(suffix).ok_or_else(not_found)?;
        if deployment.is_empty() {
            return Err(not_found());
        }
        Target {
            api,
            flavor: Flavor::Azure {
                deployment: deployment.to_string(),
            },
        }
    } else {
        return Err(not_found());
    };
    if method != Method::POST {
        return Err(ApiError::method_not_allowed(method.as_str(), path));
    }
    if matches!(target.flavor, Flavor::Azure { .. }) {
        check_api_version(query)?;
    }
    Ok(target)
}

/// Checks the Azure `api-version` query parameter.
pub(crate) fn check_api_version(query: Option<&str>) -> Result<(), ApiError> {
    let version = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|pair| pair.strip_prefix("api-version="))
        .ok_or_else(|| {
            ApiError::invalid(
                "api-version",
                "Missing required query parameter: api-version",
            )
        })?;
    if is_api_version(version) {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "api-version",
            format!(
                "Unsupported api-version {version:?}: expected YYYY-MM-DD or YYYY-MM-DD-preview"
            ),
        ))
    }
}

/// `YYYY-MM-DD` optionally followed by `-preview`.
fn is_api_version(v: &str) -> bool {
    let date = v.strip_suffix("-preview").unwrap_or(v);
    let b = date.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openai_paths() {
        let t = classify(&Method::POST, "/v1/chat/completions", None).unwrap();
        assert_eq!(t.api, Api::Chat);
        assert_eq!(t.flavor, Flavor::OpenAi);
        assert_eq!(
            classify(&Method::POST, "/v1/embeddings", None).unwrap().api,
            Api::Embeddings
        );
    }

    #[test]
    fn azure_paths() {
        let t = classify(
            &Method::POST,
            "/openai/deployments/gpt4/completions",
            Some("api-version=2024-10-21"),
        )
        .unwrap();
        assert_eq!(t.api, Api::Completions);
        assert_eq!(
            t.flavor,
            Flavor::Azure {
                deployment: "gpt4".into()
            }
        );
        assert!(
            classify(
                &Method::POST,
                "/openai/deployments/d/chat/completions",
                Some("x=1&api-version=2025-01-01-preview"),
            )
            .is_ok()
        );
    }

    #[test]
    fn azure_needs_valid_api_version() {
        let p = "/openai/deployments/d/chat/completions";
        let e = classify(&Method::POST, p, None).unwrap_err();
        assert_eq!(e.status, 400);
        assert_eq!(e.param.as_deref(), Some("api-version"));
        let e = classify(&Method::POST, p, Some("api-version=2024-1-21")).unwrap_err();
        assert!(e.message.contains("2024-1-21"));
    }

    #[test]
    fn unknown_paths_and_methods() {
        assert_eq!(
            classify(&Method::POST, "/v1/models", None)
                .unwrap_err()
                .status,
            404
        );
        assert_eq!(
            classify(
                &Method::POST,
                "/openai/deployments//embeddings",
                Some("api-version=2024-10-21")
            )
            .unwrap_err()
            .status,
            404
        );
        assert_eq!(
            classify(&Method::GET, "/v1/chat/completions", None)
                .unwrap_err()
                .status,
            405
        );
    }
}
