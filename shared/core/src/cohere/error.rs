//! Cohere error bodies (`{"message": ...}` with the HTTP status) to OpenAI error objects.
//! The HTTP status is kept by the caller.

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
    json!({
        "error": { "message": message, "type": error_type(status), "param": null, "code": null }
    })
    .to_string()
    .into_bytes()
}
