//! Anthropic error bodies (`{"type":"error","error":{"type","message"}}`) -> OpenAI error
//! objects (`{"error":{"message","type","param","code"}}`). The Anthropic error type is kept
//! as the OpenAI `type` (`invalid_request_error`, `authentication_error`,
//! `rate_limit_error`, `overloaded_error`, ...); the HTTP status is kept by the caller.

use serde::Deserialize;
use serde_json::{Value, json};

/// How much of a body that is not an Anthropic error is quoted in the message.
const MAX_QUOTED_BYTES: usize = 512;

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    #[serde(rename = "type")]
    kind: String,
    message: String,
}

/// The OpenAI error object for an Anthropic error body (or event data) with `status`.
pub fn openai_error(status: u16, body: &[u8]) -> Value {
    let (kind, message) = match serde_json::from_slice::<ErrorBody>(body) {
        Ok(b) => (b.error.kind, b.error.message),
        Err(_) => {
            let kind = if status >= 500 {
                "server_error"
            } else {
                "invalid_request_error"
            };
            let quoted = String::from_utf8_lossy(&body[..body.len().min(MAX_QUOTED_BYTES)]);
            (
                kind.to_string(),
                format!("The Anthropic backend answered with status {status}: {quoted}"),
            )
        }
    };
    json!({ "error": { "message": message, "type": kind, "param": null, "code": null } })
}

/// [`openai_error`] as a reply body.
pub fn translate_error(status: u16, body: &[u8]) -> Vec<u8> {
    openai_error(status, body).to_string().into_bytes()
}
