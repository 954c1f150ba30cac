//! AWS Bedrock as a backend for OpenAI clients: chat completions through the Converse API
//! (`POST /model/{modelId}/converse`, `/converse-stream`), translated both ways, with the
//! binary event-stream framing of streamed answers decoded by [`eventstream`]; embeddings
//! with Amazon Titan through InvokeModel (`POST /model/{modelId}/invoke`, [`embeddings`]).
//!
//! Claude models through InvokeModel (the Anthropic Messages body) are [`anthropic`].
//!
//! Mapping decisions (the full table is in control-plane/README.md, "Bedrock backends"):
//! - `system`/`developer` messages become `system`; `tool` messages become `toolResult`
//!   blocks of a `user` turn; consecutive turns of one role are merged (Converse requires
//!   alternating roles). A `cache_control` on a part or tool adds a `cachePoint` after it.
//! - Images must be base64 data URLs (Converse takes image bytes, not URLs).
//! - `reasoning_effort` becomes Claude extended thinking in `additionalModelRequestFields`.
//! - Converse answers carry no id and no model: the id comes from `x-amzn-RequestId`, the
//!   model is the one the request named (after any override).

pub mod anthropic;
mod content;
pub mod embeddings;
pub mod error;
pub mod eventstream;
pub mod request;
pub mod response;
pub mod stream;
mod usage;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but the unreserved characters: a model id or ARN becomes one path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The Converse path for `model` (`/model/{modelId}/converse` or `/converse-stream`).
pub fn converse_path(model: &str, stream: bool) -> String {
    let action = if stream {
        "converse-stream"
    } else {
        "converse"
    };
    format!("/model/{}/{action}", utf8_percent_encode(model, SEGMENT))
}

/// The InvokeModel path for `model` (`/model/{modelId}/invoke`).
pub fn invoke_path(model: &str) -> String {
    format!("/model/{}/invoke", utf8_percent_encode(model, SEGMENT))
}

/// The CountTokens path for `model` (`/model/{modelId}/count-tokens`).
pub fn count_tokens_path(model: &str) -> String {
    format!(
        "/model/{}/count-tokens",
        utf8_percent_encode(model, SEGMENT)
    )
}

/// The InvokeModelWithResponseStream path for `model`
/// (`/model/{modelId}/invoke-with-response-stream`).
pub fn invoke_stream_path(model: &str) -> String {
    format!(
        "/model/{}/invoke-with-response-stream",
        utf8_percent_encode(model, SEGMENT)
    )
}

/// Maps a Converse `stopReason` to an OpenAI `finish_reason`.
pub fn finish_reason(stop_reason: &str) -> &'static str {
    match stop_reason {
        "max_tokens" | "model_context_window_exceeded" => "length",
        "tool_use" => "tool_calls",
        "guardrail_intervened" | "content_filtered" => "content_filter",
        // end_turn, stop_sequence and any reason added later.
        _ => "stop",
    }
}

/// What the response translations need from the request and the response headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseContext {
    /// The OpenAI `id` (from `x-amzn-RequestId`).
    pub id: String,
    /// The model the request named, reported as the response `model`.
    pub model: String,
    /// Unix time reported as `created`.
    pub created: u64,
}

impl ResponseContext {
    /// A context; `request_id` is the `x-amzn-RequestId` response header when present.
    pub fn new(request_id: Option<&str>, model: &str, created: u64) -> Self {
        Self {
            id: format!("chatcmpl-{}", request_id.unwrap_or("bedrock")),
            model: model.to_string(),
            created,
        }
    }
}

#[cfg(test)]
mod golden_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_ids_and_arns_become_one_segment() {
        assert_eq!(
            converse_path("anthropic.claude-3-haiku-20240307-v1:0", false),
            "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"
        );
        assert_eq!(
            converse_path("arn:aws:bedrock:us-east-1:1:inference-profile/us.x", true),
            "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fus.x/converse-stream"
        );
    }
}
