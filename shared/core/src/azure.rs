//! Azure OpenAI request paths: `/openai/deployments/<model>/<rest>?api-version=<v>`.

use crate::api_kind::ApiKind;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Characters escaped in the deployment path segment: all but RFC 3986 unreserved ones.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The Azure OpenAI path for `kind`, deployment `model` and `api_version`. The client's
/// query parameters are kept, except a client `api-version`, which the gateway's replaces.
pub fn deployment_path(
    kind: ApiKind,
    model: &str,
    query: Option<&str>,
    api_version: &str,
) -> String {
    deployment_path_for(kind.suffix(), model, query, api_version)
}

/// As [`deployment_path`], for the path `suffix` after the deployment (`/images/generations`).
pub fn deployment_path_for(
    suffix: &str,
    model: &str,
    query: Option<&str>,
    api_version: &str,
) -> String {
    let mut path = String::with_capacity(64 + model.len() + query.map_or(0, str::len));
    path.push_str("/openai/deployments/");
    path.extend(utf8_percent_encode(model, SEGMENT));
    path.push_str(suffix);
    path.push('?');
    for param in query.into_iter().flat_map(|q| q.split('&')) {
        let name = param.split_once('=').map_or(param, |(n, _)| n);
        if !param.is_empty() && name != "api-version" {
            path.push_str(param);
            path.push('&');
        }
    }
    path.push_str("api-version=");
    path.push_str(api_version);
    path
}

/// True when `version` is a non-empty run of URL-safe characters (it is put in the query
/// string verbatim).
pub fn is_valid_api_version(version: &str) -> bool {
    !version.is_empty()
        && version
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_path_without_query() {
        assert_eq!(
            deployment_path(ApiKind::ChatCompletions, "gpt-4o", None, "2024-10-21"),
            "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"
        );
    }

    #[test]
    fn merges_existing_query() {
        assert_eq!(
            deployment_path(
                ApiKind::Embeddings,
                "text embedding/3",
                Some("a=1&api-version=old&&b"),
                "2024-10-21"
            ),
            "/openai/deployments/text%20embedding%2F3/embeddings?a=1&b&api-version=2024-10-21"
        );
    }

    #[test]
    fn validates_api_version() {
        assert!(is_valid_api_version("2024-10-21"));
        assert!(is_valid_api_version("2025-01-01-preview"));
        assert!(!is_valid_api_version(""));
        assert!(!is_valid_api_version("2024&x=1"));
    }
}
