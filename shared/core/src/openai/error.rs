//! The OpenAI error object returned to clients for requests the gateway refuses, and for
//! providers' error answers.

use serde_json::{Value, json};

/// An OpenAI-style API error: the HTTP status and the `error` object of the reply body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenAiError {
    /// HTTP status of the reply.
    pub status: u16,
    /// Human-readable, precise message.
    pub message: String,
    /// The request field the error is about (`null` in the body when `None`).
    pub param: Option<&'static str>,
}

impl OpenAiError {
    /// A `400 invalid_request_error` about `param`.
    pub fn bad_request(message: impl Into<String>, param: Option<&'static str>) -> Self {
        Self {
            status: 400,
            message: message.into(),
            param,
        }
    }

    /// A `413` for a request body larger than `limit` bytes.
    pub fn too_large(size: u64, limit: usize) -> Self {
        Self {
            status: 413,
            message: format!(
                "Request body too large: {size} bytes exceeds the gateway limit of {limit} bytes."
            ),
            param: None,
        }
    }

    /// The JSON reply body:
    /// `{"error":{"message":..,"type":"invalid_request_error","param":..,"code":null}}`, with
    /// type `server_error` for a 5xx status (a provider's unusable answer is no client error).
    pub fn body(&self) -> Vec<u8> {
        let kind = if self.status >= 500 {
            "server_error"
        } else {
            "invalid_request_error"
        };
        serde_json::json!({
            "error": {
                "message": self.message,
                "type": kind,
                "param": self.param,
                "code": null,
            }
        })
        .to_string()
        .into_bytes()
    }
}

/// The OpenAI error `type` for a provider's error answer of HTTP `status`.
fn error_type_of_status(status: u16) -> &'static str {
    match status {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        500..=599 => "server_error",
        _ => "invalid_request_error",
    }
}

/// The OpenAI error object for a provider's error answer of HTTP `status` (the Gemini,
/// Cohere and Bedrock APIs): its `message`, the `type` for the status and the provider's
/// error name as `code` when it gives one.
pub fn provider_error(status: u16, message: &str, code: Option<&str>) -> Value {
    json!({
        "error": {
            "message": message,
            "type": error_type_of_status(status),
            "param": null,
            "code": code,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_openai_shape() {
        let e = OpenAiError::bad_request("bad \"model\"", Some("model"));
        let v: serde_json::Value = serde_json::from_slice(&e.body()).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"error":{"message":"bad \"model\"","type":"invalid_request_error","param":"model","code":null}})
        );
        let big = OpenAiError::too_large(10, 5);
        assert_eq!(big.status, 413);
        let v: serde_json::Value = serde_json::from_slice(&big.body()).unwrap();
        assert_eq!(v["error"]["param"], serde_json::Value::Null);
    }
}
