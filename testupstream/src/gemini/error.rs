//! Google API error bodies: `{"error":{"code","message","status"}}`.

use bytes::Bytes;
use hyper::StatusCode;
use serde_json::json;

/// An error answered in Google's format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoogleError {
    /// HTTP status.
    pub status: StatusCode,
    /// Human-readable message.
    pub message: String,
}

impl GoogleError {
    /// A 400 `INVALID_ARGUMENT`.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// An error of any status.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    /// The canonical Google status name of the HTTP status.
    pub fn status_name(&self) -> &'static str {
        match self.status.as_u16() {
            400 => "INVALID_ARGUMENT",
            401 => "UNAUTHENTICATED",
            403 => "PERMISSION_DENIED",
            404 => "NOT_FOUND",
            409 => "ABORTED",
            429 => "RESOURCE_EXHAUSTED",
            499 => "CANCELLED",
            501 => "UNIMPLEMENTED",
            503 => "UNAVAILABLE",
            504 => "DEADLINE_EXCEEDED",
            500..=599 => "INTERNAL",
            _ => "FAILED_PRECONDITION",
        }
    }

    /// The JSON body.
    pub fn body(&self) -> Bytes {
        let value = json!({
            "error": {
                "code": self.status.as_u16(),
                "message": self.message,
                "status": self.status_name(),
            }
        });
        Bytes::from(value.to_string())
    }
}
