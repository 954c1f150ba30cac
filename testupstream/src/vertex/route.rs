//! Vertex AI paths (`/v1/projects/{project}/locations/{location}/publishers/{publisher}/models/{model}:{method}`)
//! and credentials (`authorization: Bearer` with an OAuth access token).

use hyper::{HeaderMap, Method, StatusCode};

use crate::config::{Backend, Config};
use crate::gemini::error::GoogleError;

/// A method of a publisher model this fake serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// Google: `generateContent`.
    Generate,
    /// Google: `streamGenerateContent?alt=sse`.
    StreamGenerate,
    /// Google text-embedding models: `predict`.
    Predict,
    /// Anthropic: `rawPredict`.
    RawPredict,
    /// Anthropic: `streamRawPredict`.
    StreamRawPredict,
    /// Anthropic: `count-tokens:rawPredict` (the model is named in the body).
    CountTokens,
}

/// A classified Vertex AI request target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The model id of the path.
    pub model: String,
    /// The method.
    pub verb: Verb,
}

/// The path prefix of every Vertex AI model path.
pub const PREFIX: &str = "/v1/projects/";

fn is_segment(s: &str, extra: &[u8]) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || extra.contains(&b))
}

/// Classifies a Vertex AI path: 404 for other paths, unknown publishers or methods (and a
/// Google method on an Anthropic model or the reverse), 405 for non-POST, 400 for a stream
/// without `alt=sse`.
pub fn classify(method: &Method, path: &str, query: Option<&str>) -> Result<Target, GoogleError> {
    let not_found = || {
        GoogleError::new(
            StatusCode::NOT_FOUND,
            format!("The requested URL {path} was not found on this server."),
        )
    };
    let rest = path.strip_prefix(PREFIX).ok_or_else(not_found)?;
    let segments: Vec<&str> = rest.splitn(7, '/').collect();
    let [
        project,
        "locations",
        location,
        "publishers",
        publisher,
        "models",
        model_verb,
    ] = segments[..]
    else {
        return Err(not_found());
    };
    let (model, verb) = model_verb.split_once(':').ok_or_else(not_found)?;
    if !is_segment(project, b".:") || !is_segment(location, b"") || !is_segment(model, b"._@") {
        return Err(not_found());
    }
    let verb = match (publisher, verb) {
        ("google", "generateContent") => Verb::Generate,
        ("google", "streamGenerateContent") => Verb::StreamGenerate,
        ("google", "predict") => Verb::Predict,
        ("anthropic", "rawPredict") if model == "count-tokens" => Verb::CountTokens,
        ("anthropic", "rawPredict") => Verb::RawPredict,
        ("anthropic", "streamRawPredict") => Verb::StreamRawPredict,
        _ => {
            return Err(GoogleError::new(
                StatusCode::NOT_FOUND,
                format!(
                    "Publisher Model `projects/{project}/locations/{location}/publishers/{publisher}/models/{model}` was not found or does not serve {verb}."
                ),
            ));
        }
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
    Ok(Target {
        model: model.to_string(),
        verb,
    })
}

/// The backend an `authorization: Bearer` access token selects: a `--backend` key or a
/// valid token issued by the fake Google token endpoint. API-key headers are refused.
pub fn authenticate<'c>(
    config: &'c Config,
    headers: &HeaderMap,
) -> Result<&'c Backend, GoogleError> {
    for unwanted in ["x-goog-api-key", "api-key", "x-api-key"] {
        if headers.contains_key(unwanted) {
            return Err(GoogleError::new(
                StatusCode::UNAUTHORIZED,
                format!(
                    "API keys are not supported by this API ({unwanted} header). Expected OAuth2 access token or other authentication credentials that assert a principal."
                ),
            ));
        }
    }
    let unauthenticated = |what: &str| {
        GoogleError::new(
            StatusCode::UNAUTHORIZED,
            format!(
                "Request {what}. Expected OAuth 2 access token, login cookie or other valid authentication credential."
            ),
        )
    };
    let token = headers
        .get("authorization")
        .ok_or_else(|| unauthenticated("is missing required authentication credential"))?
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| unauthenticated("had invalid authentication credentials"))?;
    if let Some(backend) = config.backend_for_key(token) {
        return Ok(backend);
    }
    let id = config
        .tokens
        .as_ref()
        .and_then(|t| t.backend_of(token))
        .ok_or_else(|| unauthenticated("had invalid authentication credentials"))?;
    config
        .backends
        .iter()
        .find(|b| b.id == id)
        .ok_or_else(|| unauthenticated("had invalid authentication credentials"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    const BASE: &str = "/v1/projects/my-proj/locations/us-east5/publishers";

    #[test]
    fn paths() {
        let t = classify(
            &Method::POST,
            &format!("{BASE}/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict"),
            None,
        )
        .unwrap();
        assert_eq!(t.model, "claude-sonnet-4-5@20250929");
        assert_eq!(t.verb, Verb::StreamRawPredict);
        let stream = format!("{BASE}/google/models/gemini-2.5-flash:streamGenerateContent");
        assert_eq!(
            classify(&Method::POST, &stream, Some("alt=sse"))
                .unwrap()
                .verb,
            Verb::StreamGenerate
        );
        assert_eq!(
            classify(&Method::POST, &stream, None).unwrap_err().status,
            400
        );
        assert_eq!(
            classify(&Method::GET, &stream, Some("alt=sse"))
                .unwrap_err()
                .status,
            405
        );
        for bad in [
            format!("{BASE}/google/models/gemini:rawPredict"),
            format!("{BASE}/anthropic/models/claude:generateContent"),
            format!("{BASE}/meta/models/llama:predict"),
            format!("{BASE}/google/models/gemini"),
            "/v1/projects/p/locations/l/models/m:predict".to_string(),
            "/v1/projects/p/publishers/google/models/m:predict".to_string(),
            "/v1beta/models/m:generateContent".to_string(),
        ] {
            assert_eq!(
                classify(&Method::POST, &bad, None).unwrap_err().status,
                404,
                "{bad}"
            );
        }
    }

    #[test]
    fn credentials() {
        let config = Config {
            backends: vec!["v=fake-vertex-token".parse().unwrap()],
            verbose: false,
            tokens: None,
        };
        let mut h = HeaderMap::new();
        assert_eq!(authenticate(&config, &h).unwrap_err().status, 401);
        h.insert(
            "authorization",
            HeaderValue::from_static("fake-vertex-token"),
        );
        assert_eq!(authenticate(&config, &h).unwrap_err().status, 401);
        h.insert(
            "authorization",
            HeaderValue::from_static("Bearer fake-vertex-token"),
        );
        assert_eq!(authenticate(&config, &h).unwrap().id, "v");
        h.insert("x-goog-api-key", HeaderValue::from_static("k"));
        assert_eq!(authenticate(&config, &h).unwrap_err().status, 401);
    }
}
