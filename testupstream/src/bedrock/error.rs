//! Errors in Bedrock's format: the status, `x-amzn-ErrorType: <Name>:<namespace>` and
//! `{"message": ...}`.

use bytes::Bytes;

use hyper::header::HeaderValue;
use hyper::{Response, StatusCode};
use serde_json::json;

use crate::server::{Body, response};

/// The namespace AWS appends to `x-amzn-ErrorType`.
const NAMESPACE: &str = "http://internal.amazon.com/coral/com.amazon.bedrock/";

/// A Bedrock error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    /// HTTP status.
    pub status: StatusCode,
    /// AWS error name (`ValidationException`, ...).
    pub name: &'static str,
    /// The `message`.
    pub message: String,
}

impl AwsError {
    /// An error with a status and name.
    pub fn new(status: u16, name: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            name,
            message: message.into(),
        }
    }

    /// 400 `ValidationException`: a value breaks a constraint.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(400, "ValidationException", message)
    }

    /// 400 `ValidationException` as InvokeModel words a body the model's schema refuses.
    pub fn malformed(detail: impl std::fmt::Display) -> Self {
        Self::validation(format!(
            "Malformed input request: {detail}, please reformat your input and try again."
        ))
    }

    /// 400 `SerializationException`: the body does not deserialize (JSON or member types).
    pub fn serialization(message: impl Into<String>) -> Self {
        Self::new(400, "SerializationException", message)
    }

    /// 403 with an authentication error name.
    pub fn forbidden(name: &'static str, message: impl Into<String>) -> Self {
        Self::new(403, name, message)
    }

    /// The error Bedrock gives for `status` (the `x-testupstream-status` knob).
    pub fn for_status(status: StatusCode) -> Self {
        let name = match status.as_u16() {
            400 => "ValidationException",
            403 => "AccessDeniedException",
            404 => "ResourceNotFoundException",
            408 => "ModelTimeoutException",
            424 => "ModelErrorException",
            429 => "ThrottlingException",
            503 => "ServiceUnavailableException",
            _ => "InternalServerException",
        };
        Self {
            status,
            name,
            message: format!("injected failure with status {}", status.as_u16()),
        }
    }

    /// The HTTP response.
    pub fn response(&self, backend: Option<&HeaderValue>) -> Response<Body> {
        let body = json!({ "message": self.message }).to_string();
        let body = crate::server::full(Bytes::from(body));
        let mut response = response(self.status, "application/json", body, backend.cloned());
        if let Ok(v) = HeaderValue::from_str(&format!("{}:{NAMESPACE}", self.name)) {
            response.headers_mut().insert("x-amzn-errortype", v);
        }
        response
    }
}
