//! Bedrock errors -> OpenAI error objects. A non-2xx answer carries `{"message": ...}` and
//! names the error in the `x-amzn-ErrorType` header (`ValidationException:<namespace>`);
//! inside a stream an exception frame names it in `:exception-type`. The AWS error name
//! becomes the OpenAI `code`; the HTTP status is kept by the caller.

use crate::openai::error::provider_error;
use serde_json::Value;

/// How much of a body that is not a Bedrock error is quoted in the message.
const MAX_QUOTED_BYTES: usize = 512;

/// The AWS error name of an `x-amzn-ErrorType` value (the part before `:`).
fn error_name(header: &str) -> &str {
    header.split(':').next().unwrap_or_default().trim()
}

/// The `message` of a Bedrock error body (`message` or `Message`).
fn message_of(body: &Value) -> Option<&str> {
    body.get("message")
        .or_else(|| body.get("Message"))
        .and_then(Value::as_str)
}

/// Translates a non-2xx Bedrock answer of HTTP `status`; `error_type` is the
/// `x-amzn-ErrorType` header (the body's `__type` is used when it is absent).
pub fn translate_error(status: u16, error_type_header: Option<&str>, body: &[u8]) -> Vec<u8> {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let message = match parsed.as_ref().and_then(message_of) {
        Some(message) => message.to_string(),
        None => {
            let quoted = String::from_utf8_lossy(&body[..body.len().min(MAX_QUOTED_BYTES)]);
            format!("The Bedrock backend answered with status {status}: {quoted}")
        }
    };
    let code = error_type_header
        .or_else(|| parsed.as_ref()?.get("__type")?.as_str())
        .map(error_name)
        .filter(|n| !n.is_empty());
    provider_error(status, &message, code)
        .to_string()
        .into_bytes()
}

/// The HTTP status Bedrock gives an exception of this name (`throttlingException` or
/// `ThrottlingException`), for the error type of an exception inside a stream.
pub(crate) fn exception_status(name: &str) -> u16 {
    match name.to_ascii_lowercase().as_str() {
        "validationexception" => 400,
        "accessdeniedexception" => 403,
        "resourcenotfoundexception" => 404,
        "modeltimeoutexception" => 408,
        "modelerrorexception" => 424,
        "throttlingexception" | "servicequotaexceededexception" => 429,
        "serviceunavailableexception" => 503,
        _ => 500,
    }
}

/// The OpenAI error event for an exception frame (`:exception-type` `name`, JSON payload).
pub fn stream_error(name: &str, payload: &[u8]) -> Value {
    let message = serde_json::from_slice::<Value>(payload)
        .ok()
        .as_ref()
        .and_then(message_of)
        .map(str::to_string)
        .unwrap_or_else(|| String::from_utf8_lossy(payload).into_owned());
    provider_error(exception_status(name), &message, Some(name))
}
