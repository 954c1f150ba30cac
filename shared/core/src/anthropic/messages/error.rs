//! Errors in Anthropic's schema, `{"type":"error","error":{"type","message"}}`, for clients
//! of the Messages API: the gateway's own refusals and OpenAI-schema provider errors.

use crate::openai::error::OpenAiError;
use serde::Deserialize;
use serde_json::json;

/// How much of a provider body that is not an error object is quoted in the message.
const MAX_QUOTED_BYTES: usize = 512;

/// An Anthropic-schema error: the HTTP status and the message; the error type follows the
/// status as Anthropic documents it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnthropicError {
    /// HTTP status of the reply.
    pub status: u16,
    /// Human-readable message.
    pub message: String,
}

/// Anthropic's error `type` for an HTTP status.
pub fn error_type(status: u16) -> &'static str {
    match status {
        401 => "authentication_error",
        402 => "billing_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        504 => "timeout_error",
        529 | 503 => "overloaded_error",
        400..=499 => "invalid_request_error",
        _ => "api_error",
    }
}

/// The HTTP status an OpenAI error `type` stands for (an error event inside a stream has
/// no status of its own); unknown types are 500.
pub fn status_of_openai_type(kind: &str) -> u16 {
    match kind {
        "invalid_request_error" => 400,
        "authentication_error" => 401,
        "permission_error" => 403,
        "not_found_error" => 404,
        "rate_limit_error" => 429,
        _ => 500,
    }
}

impl AnthropicError {
    /// A 400 `invalid_request_error`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: 400,
            message: message.into(),
        }
    }

    /// A 404 `not_found_error`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: 404,
            message: message.into(),
        }
    }

    /// The error object (`{"type":"error","error":{...}}`).
    pub fn value(&self) -> serde_json::Value {
        json!({
            "type": "error",
            "error": { "type": error_type(self.status), "message": self.message },
        })
    }

    /// The JSON reply body.
    pub fn body(&self) -> Vec<u8> {
        self.value().to_string().into_bytes()
    }
}

impl From<OpenAiError> for AnthropicError {
    fn from(e: OpenAiError) -> Self {
        Self {
            status: e.status,
            message: e.message,
        }
    }
}

#[derive(Deserialize)]
struct OpenAiErrorBody {
    error: OpenAiErrorDetail,
}

#[derive(Deserialize)]
struct OpenAiErrorDetail {
    #[serde(default)]
    message: Option<String>,
}

/// The Anthropic error for an OpenAI-schema provider error body with `status` (the status
/// is kept by the caller). A body that is not an OpenAI error is quoted.
pub fn from_openai_error(status: u16, body: &[u8]) -> AnthropicError {
    let message = match serde_json::from_slice::<OpenAiErrorBody>(body) {
        Ok(b) => b.error.message.unwrap_or_default(),
        Err(_) => {
            let quoted = String::from_utf8_lossy(&body[..body.len().min(MAX_QUOTED_BYTES)]);
            format!("The backend answered with status {status}: {quoted}")
        }
    };
    AnthropicError { status, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_follow_the_status() {
        let v = AnthropicError::bad_request("no").value();
        assert_eq!(
            v,
            json!({"type":"error","error":{"type":"invalid_request_error","message":"no"}})
        );
        assert_eq!(error_type(413), "request_too_large");
        assert_eq!(error_type(429), "rate_limit_error");
        assert_eq!(error_type(529), "overloaded_error");
        assert_eq!(error_type(500), "api_error");
        assert_eq!(error_type(422), "invalid_request_error");
        assert_eq!(status_of_openai_type("rate_limit_error"), 429);
        assert_eq!(status_of_openai_type("server_error"), 500);
    }

    #[test]
    fn provider_errors_keep_the_message() {
        let e = from_openai_error(429, br#"{"error":{"message":"slow down","type":"x"}}"#);
        assert_eq!((e.status, e.message.as_str()), (429, "slow down"));
        let e = from_openai_error(502, b"<html>bad gateway</html>");
        assert_eq!(
            e.message,
            "The backend answered with status 502: <html>bad gateway</html>"
        );
    }
}
