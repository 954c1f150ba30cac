//! Google API error bodies (`{"error":{"code","message","status"}}`, also wrapped in a
//! one-element array) to OpenAI error objects. The HTTP status is kept by the caller.

use serde_json::{Value, json};

/// The OpenAI error `type` for an HTTP status.
fn error_type(status: u16) -> &'static str {
    match status {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        500..=599 => "server_error",
        _ => "invalid_request_error",
    }
}

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
    json!({
        "error": { "message": message, "type": error_type(status), "param": null, "code": code }
    })
    .to_string()
    .into_bytes()
}
