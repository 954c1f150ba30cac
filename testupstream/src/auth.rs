//! Credential checks per provider flavour.

use hyper::HeaderMap;

use crate::config::{Backend, Config};
use crate::error::ApiError;
use crate::route::Flavor;

/// Finds the backend a request's credentials select. OpenAI paths need
/// `authorization: Bearer <key>` and no `api-key`; Azure paths need `api-key: <key>` and no
/// `authorization`.
pub fn authenticate<'c>(
    config: &'c Config,
    headers: &HeaderMap,
    flavor: &Flavor,
) -> Result<&'c Backend, ApiError> {
    let (wanted, unwanted) = match flavor {
        Flavor::OpenAi => ("authorization", "api-key"),
        // Azure also takes an Entra ID token instead of a key, as the real service does.
        Flavor::Azure { .. } if !headers.contains_key("api-key") => {
            return entra_bearer(config, headers);
        }
        Flavor::Azure { .. } => ("api-key", "authorization"),
    };
    if headers.contains_key(unwanted) {
        return Err(ApiError::unauthorized(format!(
            "Unexpected {unwanted} header: this API authenticates with {wanted} only"
        )));
    }
    let value = headers
        .get(wanted)
        .ok_or_else(|| ApiError::unauthorized(format!("Missing {wanted} header")))?
        .to_str()
        .map_err(|_| ApiError::unauthorized(format!("Malformed {wanted} header")))?;
    let key = match flavor {
        Flavor::OpenAi => value.strip_prefix("Bearer ").ok_or_else(|| {
            ApiError::unauthorized("authorization header must be \"Bearer <key>\"")
        })?,
        Flavor::Azure { .. } => value,
    };
    config
        .backend_for_key(key)
        .ok_or_else(|| ApiError::unauthorized("Incorrect API key provided"))
}

/// Azure with `authorization: Bearer <token>`: only a valid token the fake Entra ID issued.
fn entra_bearer<'c>(config: &'c Config, headers: &HeaderMap) -> Result<&'c Backend, ApiError> {
    let token = headers
        .get("authorization")
        .ok_or_else(|| ApiError::unauthorized("Missing api-key header"))?
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| ApiError::unauthorized("authorization header must be \"Bearer <token>\""))?;
    let id = config
        .tokens
        .as_ref()
        .and_then(|t| t.backend_of(token))
        .ok_or_else(|| ApiError::unauthorized("Access token is missing, invalid or expired"))?;
    config
        .backends
        .iter()
        .find(|b| b.id == id)
        .ok_or_else(|| ApiError::unauthorized("Access token is for an unknown backend"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    fn config() -> Config {
        Config {
            backends: vec![
                "a=fake-key-a".parse().unwrap(),
                "b=fake-key-b".parse().unwrap(),
            ],
            verbose: false,
            tokens: None,
        }
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn bearer_selects_backend() {
        let c = config();
        let h = headers(&[("authorization", "Bearer fake-key-b")]);
        assert_eq!(authenticate(&c, &h, &Flavor::OpenAi).unwrap().id, "b");
    }

    #[test]
    fn azure_key_selects_backend() {
        let c = config();
        let h = headers(&[("api-key", "fake-key-a")]);
        let f = Flavor::Azure {
            deployment: "d".into(),
        };
        assert_eq!(authenticate(&c, &h, &f).unwrap().id, "a");
    }

    #[test]
    fn rejects_wrong_or_mixed_credentials() {
        let c = config();
        let azure = Flavor::Azure {
            deployment: "d".into(),
        };
        let cases = [
            (headers(&[]), Flavor::OpenAi),
            (headers(&[("authorization", "Bearer nope")]), Flavor::OpenAi),
            (headers(&[("authorization", "fake-key-a")]), Flavor::OpenAi),
            (
                headers(&[
                    ("authorization", "Bearer fake-key-a"),
                    ("api-key", "fake-key-a"),
                ]),
                Flavor::OpenAi,
            ),
            (
                headers(&[
                    ("api-key", "fake-key-a"),
                    ("authorization", "Bearer fake-key-a"),
                ]),
                azure.clone(),
            ),
            (headers(&[("authorization", "Bearer fake-key-a")]), azure),
        ];
        for (h, f) in cases {
            let e = authenticate(&c, &h, &f).unwrap_err();
            assert_eq!(e.status, 401, "{h:?}");
        }
    }
}
