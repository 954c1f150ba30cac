//! Gemini API paths and credentials.

use hyper::{HeaderMap, Method, StatusCode};

use super::error::GoogleError;
use crate::config::{Backend, Config};

/// A Gemini method this fake serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// `generateContent`.
    Generate,
    /// `streamGenerateContent?alt=sse`.
    StreamGenerate,
    /// `batchEmbedContents`.
    BatchEmbed,
}

/// The path prefix of every Gemini API path.
pub const PREFIX: &str = "/v1beta/models/";

/// Classifies `/v1beta/models/{model}:{method}`: 404 for other paths or methods, 405 for
/// non-POST, 400 for a stream without `alt=sse`. Returns the model and the method.
pub fn classify(
    method: &Method,
    path: &str,
    query: Option<&str>,
) -> Result<(String, Verb), GoogleError> {
    let not_found = || {
        GoogleError::new(
            StatusCode::NOT_FOUND,
            format!("Requested entity was not found: {path}"),
        )
    };
    let rest = path.strip_prefix(PREFIX).ok_or_else(not_found)?;
    let (model, verb) = rest.split_once(':').ok_or_else(not_found)?;
    let valid_model = !model.is_empty()
        && model
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    if !valid_model {
        return Err(not_found());
    }
    let verb = match verb {
        "generateContent" => Verb::Generate,
        "streamGenerateContent" => Verb::StreamGenerate,
        "batchEmbedContents" => Verb::BatchEmbed,
        _ => return Err(not_found()),
    };
    if method != Method::POST {
        return Err(GoogleError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("Method {method} is not allowed for {path}; use POST"),
        ));
    }
    let sse = query.is_some_and(|q| q.split('&').any(|p| p == "alt=sse"));
    if verb == Verb::StreamGenerate && !sse {
        return Err(GoogleError::invalid(
            "streamGenerateContent: this server streams only with alt=sse",
        ));
    }
    Ok((model.to_string(), verb))
}

/// The backend selected by `x-goog-api-key`; no other credential may be present.
pub fn authenticate<'c>(
    config: &'c Config,
    headers: &HeaderMap,
) -> Result<&'c Backend, GoogleError> {
    for unwanted in ["authorization", "api-key", "x-api-key"] {
        if headers.contains_key(unwanted) {
            return Err(GoogleError::invalid(format!(
                "Unexpected {unwanted} header: the Gemini API authenticates with x-goog-api-key"
            )));
        }
    }
    let key = headers
        .get("x-goog-api-key")
        .ok_or_else(|| {
            GoogleError::new(
                StatusCode::FORBIDDEN,
                "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
            )
        })?
        .to_str()
        .unwrap_or("");
    config
        .backend_for_key(key)
        .ok_or_else(|| GoogleError::invalid("API key not valid. Please pass a valid API key."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    #[test]
    fn paths() {
        let p = "/v1beta/models/gemini-2.0-flash:streamGenerateContent";
        assert_eq!(
            classify(&Method::POST, p, Some("alt=sse")).unwrap(),
            ("gemini-2.0-flash".into(), Verb::StreamGenerate)
        );
        assert_eq!(classify(&Method::POST, p, None).unwrap_err().status, 400);
        assert_eq!(
            classify(&Method::GET, p, Some("alt=sse"))
                .unwrap_err()
                .status,
            405
        );
        for bad in [
            "/v1beta/models/gemini",
            "/v1beta/models/:generateContent",
            "/v1beta/models/a/b:generateContent",
            "/v1beta/models/m:embedContent",
            "/v1/models/m:generateContent",
        ] {
            assert_eq!(
                classify(&Method::POST, bad, None).unwrap_err().status,
                404,
                "{bad}"
            );
        }
    }

    #[test]
    fn credentials() {
        let config = Config {
            backends: vec!["g=fake-gemini-key".parse().unwrap()],
            verbose: false,
            tokens: None,
        };
        let mut h = HeaderMap::new();
        assert_eq!(authenticate(&config, &h).unwrap_err().status, 403);
        h.insert("x-goog-api-key", HeaderValue::from_static("nope"));
        assert_eq!(authenticate(&config, &h).unwrap_err().status, 400);
        h.insert(
            "x-goog-api-key",
            HeaderValue::from_static("fake-gemini-key"),
        );
        assert_eq!(authenticate(&config, &h).unwrap().id, "g");
        h.insert(
            "authorization",
            HeaderValue::from_static("Bearer fake-gemini-key"),
        );
        assert_eq!(authenticate(&config, &h).unwrap_err().status, 400);
    }
}
