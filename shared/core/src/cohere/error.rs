//! Cohere error bodies (`{"message": ...}` with the HTTP status) to OpenAI error objects.
//! The HTTP status is kept by the caller.

use crate::openai::error::provider_error;
use serde_json::Value;

/// Translates an upstream error body of HTTP `status`: Cohere's `message` becomes the
/// OpenAI `message`; a body that is not a Cohere error is kept as the message text.
pub fn error_response(status: u16, body: &[u8]) -> Vec<u8> {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let message = match parsed
        .as_ref()
        .and_then(|v| v.get("message"))
        .and_then(Value::as_str)
    {
        Some(message) => message.to_string(),
        None => String::from_utf8_lossy(body).trim().to_string(),
    };
    provider_error(status, &message, None)
        .to_string()
        .into_bytes()
}
