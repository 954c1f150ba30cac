//! The Anthropic Messages API as a backend schema for OpenAI chat completions: the request
//! translation (`POST /v1/messages`), the buffered and streamed response translations back to
//! `chat.completion` / `chat.completion.chunk`, and provider errors as OpenAI error objects.

pub(crate) mod assistant_message;
pub(crate) mod chunk;
pub mod error;
pub mod messages;
pub(crate) mod openai_in;
pub mod request;
pub mod response;
pub mod stream;
pub(crate) mod turns;
mod usage;

/// The `anthropic-version` header value sent with every translated request.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";
/// The Messages API path, appended to the backend's path prefix.
pub const MESSAGES_PATH: &str = "/v1/messages";
/// `max_tokens` sent when the client gave neither `max_completion_tokens` nor `max_tokens`
/// (Anthropic requires it; OpenAI has no limit by default).
pub const DEFAULT_MAX_TOKENS: u64 = 4096;

/// Maps an Anthropic `stop_reason` to an OpenAI `finish_reason`.
pub fn finish_reason(stop_reason: &str) -> &'static str {
    match stop_reason {
        "max_tokens" | "model_context_window_exceeded" => "length",
        "tool_use" => "tool_calls",
        "refusal" => "content_filter",
        // end_turn, stop_sequence, pause_turn and any reason added later.
        _ => "stop",
    }
}

#[cfg(test)]
mod golden_tests;
