//! Google API error bodies (`{"error":{"code","message","status"}}`, also wrapped in a
//! one-element array) to OpenAI error objects. The HTTP status is kept by the caller.

use crate::openai::error::provider_error;
use serde_json::Value;

/// Translates an upstream error body of HTTP `status`: Google's `message` and `status`
/// become the OpenAI `message` and `code`; a body that is not a Google error is kept as
/// the message text.
pub fn error_response(status: u16, body: &[u8]) -> Vec<u8> {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let error = parsed.as_ref().and_then(|v| match v {
        Value::Array(items) => items.first().and_then(|i| i.get("error")),
        other => other.get("error"),
    });
    let (message, code) = match error {
        Some(error) => (
            error
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            error
                .get("status")
                .and_then(Value::as_str)
                .map(str::to_string),
        ),
        None => (String::from_utf8_lossy(body).trim().to_string(), None),
    };
    provider_error(status, &message, code.as_deref())
        .to_string()
        .into_bytes()
}
