//! Mapping the client's `/v1/...` paths onto an OpenAI-schema backend's path prefix.

/// The client's API version prefix.
pub const CLIENT_PREFIX: &str = "/v1";

/// Rewrites `/v1/<rest>` (query kept) to `<prefix>/<rest>`. `None` when the path does not
/// start with `/v1` or the prefix is `/v1` (nothing to change).
pub fn with_prefix(path: &str, prefix: &str) -> Option<String> {
    let rest = path.strip_prefix(CLIENT_PREFIX)?;
    if !(rest.is_empty() || rest.starts_with(['/', '?'])) || prefix == CLIENT_PREFIX {
        return None;
    }
    let mut out = String::with_capacity(prefix.len() + rest.len());
    out.push_str(prefix);
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_prefix_and_keeps_query() {
        assert_eq!(
            with_prefix("/v1/chat/completions?a=b", "/openai/v1").as_deref(),
            Some("/openai/v1/chat/completions?a=b")
        );
        assert_eq!(with_prefix("/v1/models", "").as_deref(), Some("/models"));
        assert_eq!(with_prefix("/v1?x", "/api").as_deref(), Some("/api?x"));
    }

    #[test]
    fn leaves_other_paths() {
        assert_eq!(with_prefix("/v1/chat/completions", "/v1"), None);
        assert_eq!(with_prefix("/v10/x", "/api"), None);
        assert_eq!(with_prefix("/healthz", "/api"), None);
    }
}
