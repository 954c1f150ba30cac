//! Cohere error bodies: the HTTP status with `{"id": ..., "message": ...}`.

use bytes::Bytes;
use hyper::StatusCode;
use serde_json::json;

/// An error answered in Cohere's format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CohereError {
    /// HTTP status.
    pub status: StatusCode,
    /// Human-readable message.
    pub message: String,
}

impl CohereError {
    /// A 400 `invalid request: ...`.
    pub fn invalid(message: impl AsRef<str>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            format!("invalid request: {}", message.as_ref()),
        )
    }

    /// An error of any status.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    /// The JSON body.
    pub fn body(&self) -> Bytes {
        let id = format!(
            "{:016x}",
            xxhash_rust::xxh3::xxh3_64(self.message.as_bytes())
        );
        Bytes::from(json!({ "id": id, "message": self.message }).to_string())
    }
}
