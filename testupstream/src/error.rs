//! OpenAI-style error objects: `{"error":{"message","type","param","code"}}`.

use bytes::Bytes;
use hyper::StatusCode;
use serde_json::json;

/// An error answered to the client in the OpenAI error format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status of the response.
    pub status: StatusCode,
    /// Human-readable message.
    pub message: String,
    /// OpenAI error `type`.
    pub kind: &'static str,
    /// Request parameter at fault, if any.
    pub param: Option<String>,
    /// Machine-readable `code`, if any.
    pub code: Option<&'static str>,
}

impl ApiError {
    /// A 400 `invalid_request_error` about `param`.
    pub fn invalid(param: &str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
            kind: "invalid_request_error",
            param: Some(param.to_string()),
            code: None,
        }
    }

    /// A 400 for a body that is not a JSON object.
    pub fn bad_json(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
            kind: "invalid_request_error",
            param: None,
            code: None,
        }
    }

    /// A 401 `invalid_api_key`.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            message: message.into(),
            kind: "invalid_request_error",
            param: None,
            code: Some("invalid_api_key"),
        }
    }

    /// A 404 for an unknown URL.
    pub fn not_found(method: &str, path: &str) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            message: format!("Invalid URL ({method} {path})"),
            kind: "invalid_request_error",
            param: None,
            code: Some("unknown_url"),
        }
    }

    /// A 405 for a known URL with the wrong method.
    pub fn method_not_allowed(method: &str, path: &str) -> Self {
        Self {
            status: StatusCode::METHOD_NOT_ALLOWED,
            message: format!("Method {method} is not allowed for {path}; use POST"),
            kind: "invalid_request_error",
            param: None,
            code: Some("method_not_allowed"),
        }
    }

    /// The error asked for by the `x-testupstream-status` knob.
    pub fn injected(status: StatusCode) -> Self {
        let kind = match status.as_u16() {
            429 => "requests",
            400..=499 => "invalid_request_error",
            _ => "server_error",
        };
        Self {
            status,
            message: format!("injected failure with status {}", status.as_u16()),
            kind,
            param: None,
            code: Some("injected_failure"),
        }
    }

    /// The JSON body.
    pub fn body(&self) -> Bytes {
        let value = json!({
            "error": {
                "message": self.message,
                "type": self.kind,
                "param": self.param,
                "code": self.code,
            }
        });
        Bytes::from(value.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_all_four_fields() {
        let body = ApiError::invalid("model", "you must provide a model parameter").body();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["error"]["param"], "model");
        assert_eq!(v["error"]["type"], "invalid_request_error");
        assert!(v["error"]["code"].is_null());
        assert_eq!(v["error"]["message"], "you must provide a model parameter");
    }

    #[test]
    fn injected_status_types() {
        assert_eq!(
            ApiError::injected(StatusCode::TOO_MANY_REQUESTS).kind,
            "requests"
        );
        assert_eq!(
            ApiError::injected(StatusCode::BAD_GATEWAY).kind,
            "server_error"
        );
    }
}
