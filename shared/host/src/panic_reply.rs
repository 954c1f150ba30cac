//! The reply a host sends when a filter panics, in the schema of the client's API.

/// OpenAI-style body of the 500 sent when a filter panics on an OpenAI path.
pub const INTERNAL_ERROR_BODY: &str = r#"{"error":{"message":"internal error in gateway filter","type":"server_error","code":"internal_error"}}"#;

/// Anthropic-style body of the same 500, for clients of `/anthropic/...` paths.
pub const ANTHROPIC_INTERNAL_ERROR_BODY: &str =
    r#"{"type":"error","error":{"type":"api_error","message":"internal error in gateway filter"}}"#;

/// The body of the internal-error reply to a request for `path` (`None` when the request
/// headers are gone): Anthropic's error object for the Anthropic Messages API, OpenAI's
/// for everything else.
pub fn internal_error_body(path: Option<&str>) -> &'static str {
    match path {
        Some(p) if p.starts_with("/anthropic/") => ANTHROPIC_INTERNAL_ERROR_BODY,
        _ => INTERNAL_ERROR_BODY,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_follow_the_client_schema() {
        let openai: serde_json::Value =
            serde_json::from_str(internal_error_body(Some("/v1/chat/completions"))).unwrap();
        assert_eq!(openai["error"]["type"], "server_error");
        assert_eq!(internal_error_body(None), INTERNAL_ERROR_BODY);
        let anthropic: serde_json::Value =
            serde_json::from_str(internal_error_body(Some("/anthropic/v1/messages"))).unwrap();
        assert_eq!(anthropic["type"], "error");
        assert_eq!(anthropic["error"]["type"], "api_error");
    }
}
