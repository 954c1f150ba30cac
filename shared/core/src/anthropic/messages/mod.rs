//! The Anthropic Messages API as a client-facing API (`POST /anthropic/v1/messages`, what
//! Anthropic SDK clients send when their base URL is `<gateway>/anthropic`): request checks
//! for the router role, errors in Anthropic's schema, the translation to OpenAI chat
//! completions for OpenAI-schema backends and of their answers (buffered and streamed) back
//! to Anthropic messages, and the usage of Anthropic-schema responses for token-usage.

pub mod chain;
mod chunk_input;
pub mod client;
pub mod error;
pub mod members;
mod messages_in;
mod openai_out;
pub mod request;
pub mod response;
pub mod stream;
pub mod usage;

/// The client-facing Messages path.
pub const MESSAGES_CLIENT_PATH: &str = "/anthropic/v1/messages";
/// The client-facing token counting path.
pub const COUNT_TOKENS_CLIENT_PATH: &str = "/anthropic/v1/messages/count_tokens";
/// Token counting on an Anthropic backend, appended to its path prefix.
pub const COUNT_TOKENS_PATH: &str = "/v1/messages/count_tokens";

/// A client-facing Anthropic endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `POST /anthropic/v1/messages`.
    Messages,
    /// `POST /anthropic/v1/messages/count_tokens`.
    CountTokens,
}

impl Endpoint {
    /// Classifies a request path (query allowed: Anthropic SDKs may send `?beta=true`).
    pub fn from_path(path: &str) -> Option<Self> {
        match path.split_once('?').map_or(path, |(p, _)| p) {
            MESSAGES_CLIENT_PATH => Some(Self::Messages),
            COUNT_TOKENS_CLIENT_PATH => Some(Self::CountTokens),
            _ => None,
        }
    }

    /// The path on an Anthropic backend (without its prefix), the client's query kept.
    pub fn backend_path(self, client_path: &str) -> String {
        let base = match self {
            Self::Messages => super::MESSAGES_PATH,
            Self::CountTokens => COUNT_TOKENS_PATH,
        };
        match client_path.split_once('?') {
            Some((_, query)) => format!("{base}?{query}"),
            None => base.to_string(),
        }
    }
}

/// The Anthropic message id of an OpenAI completion id: `chatcmpl-<x>` becomes `msg_<x>`, an
/// id that already starts with `msg_` is kept, any other id gets the `msg_` prefix.
pub fn message_id(completion_id: &str) -> String {
    if completion_id.starts_with("msg_") {
        return completion_id.to_string();
    }
    let rest = completion_id
        .strip_prefix("chatcmpl-")
        .unwrap_or(completion_id);
    format!("msg_{rest}")
}

/// The Anthropic `stop_reason` and `stop_sequence` of an OpenAI choice. `matched` is the
/// choice's `stop_reason` member (vLLM and the gateway's own provider translations put the
/// stop string that ended the output there): with `finish_reason: stop` it makes
/// `stop_sequence`. Plain OpenAI does not say whether a stop sequence matched, so its
/// `stop` is `end_turn`.
pub fn stop_reason_and_sequence(
    finish_reason: &str,
    matched: Option<&serde_json::Value>,
) -> (&'static str, Option<String>) {
    match matched.and_then(serde_json::Value::as_str) {
        Some(sequence) if finish_reason == "stop" => ("stop_sequence", Some(sequence.to_string())),
        _ => (stop_reason(finish_reason), None),
    }
}

/// Maps an OpenAI `finish_reason` to an Anthropic `stop_reason`.
pub fn stop_reason(finish_reason: &str) -> &'static str {
    match finish_reason {
        "length" => "max_tokens",
        "tool_calls" | "function_call" => "tool_use",
        "content_filter" => "refusal",
        // "stop" and anything added later.
        _ => "end_turn",
    }
}

#[cfg(test)]
mod golden_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_paths_and_keeps_the_query() {
        assert_eq!(
            Endpoint::from_path("/anthropic/v1/messages?beta=true"),
            Some(Endpoint::Messages)
        );
        assert_eq!(
            Endpoint::from_path("/anthropic/v1/messages/count_tokens"),
            Some(Endpoint::CountTokens)
        );
        assert_eq!(Endpoint::from_path("/v1/messages"), None);
        assert_eq!(Endpoint::from_path("/anthropic/v1/messages/x"), None);
        assert_eq!(
            Endpoint::Messages.backend_path("/anthropic/v1/messages?beta=true"),
            "/v1/messages?beta=true"
        );
        assert_eq!(
            Endpoint::CountTokens.backend_path("/anthropic/v1/messages/count_tokens"),
            "/v1/messages/count_tokens"
        );
        assert_eq!(stop_reason("length"), "max_tokens");
        assert_eq!(stop_reason("tool_calls"), "tool_use");
        assert_eq!(stop_reason("content_filter"), "refusal");
        assert_eq!(stop_reason("stop"), "end_turn");
    }

    #[test]
    fn message_ids_are_anthropic_style() {
        assert_eq!(message_id("chatcmpl-abc123"), "msg_abc123");
        assert_eq!(message_id("msg_bdrk_01"), "msg_bdrk_01");
        assert_eq!(message_id("gen-42"), "msg_gen-42");
    }

    #[test]
    fn a_named_stop_string_is_a_stop_sequence() {
        let end = serde_json::json!("END");
        assert_eq!(
            stop_reason_and_sequence("stop", Some(&end)),
            ("stop_sequence", Some("END".to_string()))
        );
        // vLLM reports a stop token id as a number: not a stop sequence.
        let token = serde_json::json!(128009);
        assert_eq!(
            stop_reason_and_sequence("stop", Some(&token)),
            ("end_turn", None)
        );
        assert_eq!(
            stop_reason_and_sequence("length", Some(&end)),
            ("max_tokens", None)
        );
        assert_eq!(stop_reason_and_sequence("stop", None), ("end_turn", None));
    }
}
