//! A stable, non-secret name for a client's API key, so rate limits can count per key without
//! the key itself leaving the gateway's first filter.

use sha2::{Digest, Sha256};

/// The client's credential from its request headers (`authorization: Bearer <k>`, else
/// `api-key`, else `x-api-key`), looked up with `header`.
pub fn client_credential(header: impl Fn(&str) -> Option<String>) -> Option<String> {
    if let Some(auth) = header("authorization") {
        let token = auth
            .strip_prefix("Bearer ")
            .or_else(|| auth.strip_prefix("bearer "))
            .unwrap_or(&auth)
            .trim();
        if !token.is_empty() {
            return Some(token.to_string());
        }
    }
    ["api-key", "x-api-key"]
        .into_iter()
        .filter_map(&header)
        .map(|v| v.trim().to_string())
        .find(|v| !v.is_empty())
}

/// The first 128 bits of the key's SHA-256, in hex: the same key always gives the same id,
/// and the id does not reveal the key.
pub fn api_key_id(key: &str) -> String {
    Sha256::digest(key.as_bytes())[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers<'a>(list: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            list.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn bearer_first_then_api_key_headers() {
        let c = client_credential(headers(&[
            ("authorization", "Bearer sk-a"),
            ("api-key", "b"),
        ]));
        assert_eq!(c.as_deref(), Some("sk-a"));
        let c = client_credential(headers(&[("x-api-key", " sk-x ")]));
        assert_eq!(c.as_deref(), Some("sk-x"));
        assert_eq!(
            client_credential(headers(&[("authorization", "Bearer ")])),
            None
        );
        assert_eq!(client_credential(headers(&[])), None);
    }

    #[test]
    fn id_is_stable_short_and_differs_per_key() {
        let a = api_key_id("sk-test-a");
        assert_eq!(a.len(), 32);
        assert_eq!(a, api_key_id("sk-test-a"));
        assert_ne!(a, api_key_id("sk-test-b"));
        assert!(!a.contains("sk-test"));
    }
}
