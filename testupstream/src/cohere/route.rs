//! Cohere v2 paths and credentials.

use hyper::{HeaderMap, Method, StatusCode};

use super::error::CohereError;
use crate::config::{Backend, Config};

/// A Cohere v2 endpoint this fake serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `POST /v2/chat` (streamed when the body says `stream: true`).
    Chat,
    /// `POST /v2/embed`.
    Embed,
}

/// Classifies a `/v2/...` path: 404 for paths this fake does not serve, 405 for non-POST.
pub fn classify(method: &Method, path: &str) -> Result<Endpoint, CohereError> {
    let endpoint = match path {
        "/v2/chat" => Endpoint::Chat,
        "/v2/embed" => Endpoint::Embed,
        _ => {
            return Err(CohereError::new(
                StatusCode::NOT_FOUND,
                format!("404 page not found: {path}"),
            ));
        }
    };
    if method != Method::POST {
        return Err(CohereError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("method {method} not allowed for {path}"),
        ));
    }
    Ok(endpoint)
}

/// The backend selected by `authorization: Bearer <key>`; other credential headers are
/// refused (a gateway that forwards them leaks a client's credential).
pub fn authenticate<'c>(
    config: &'c Config,
    headers: &HeaderMap,
) -> Result<&'c Backend, CohereError> {
    for unwanted in ["api-key", "x-api-key", "x-goog-api-key"] {
        if headers.contains_key(unwanted) {
            return Err(CohereError::invalid(format!(
                "unexpected {unwanted} header: Cohere authenticates with authorization: Bearer"
            )));
        }
    }
    let unauthorized = |m: &str| CohereError::new(StatusCode::UNAUTHORIZED, m);
    let value = headers
        .get("authorization")
        .ok_or_else(|| unauthorized("no api key supplied"))?
        .to_str()
        .unwrap_or("");
    let key = value
        .strip_prefix("Bearer ")
        .ok_or_else(|| unauthorized("invalid api token"))?;
    config
        .backend_for_key(key)
        .ok_or_else(|| unauthorized("invalid api token"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    #[test]
    fn paths() {
        assert_eq!(classify(&Method::POST, "/v2/chat").unwrap(), Endpoint::Chat);
        assert_eq!(
            classify(&Method::POST, "/v2/embed").unwrap(),
            Endpoint::Embed
        );
        assert_eq!(classify(&Method::GET, "/v2/chat").unwrap_err().status, 405);
        for bad in ["/v2/chat/", "/v1/chat", "/v2/generate", "/v2/embeddings"] {
            assert_eq!(
                classify(&Method::POST, bad).unwrap_err().status,
                404,
                "{bad}"
            );
        }
    }

    #[test]
    fn credentials() {
        let config = Config {
            backends: vec!["co=fake-cohere-key".parse().unwrap()],
            verbose: false,
            tokens: None,
        };
        let mut h = HeaderMap::new();
        assert_eq!(authenticate(&config, &h).unwrap_err().status, 401);
        h.insert("authorization", HeaderValue::from_static("fake-cohere-key"));
        assert_eq!(authenticate(&config, &h).unwrap_err().status, 401);
        h.insert("authorization", HeaderValue::from_static("Bearer nope"));
        assert_eq!(authenticate(&config, &h).unwrap_err().status, 401);
        h.insert(
            "authorization",
            HeaderValue::from_static("Bearer fake-cohere-key"),
        );
        assert_eq!(authenticate(&config, &h).unwrap().id, "co");
        h.insert("x-api-key", HeaderValue::from_static("fake-cohere-key"));
        assert_eq!(authenticate(&config, &h).unwrap_err().status, 400);
    }
}
