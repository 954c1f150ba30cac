//! The `limits:` section: bounds on what clients may send, each with a safe default.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Default `max_request_bytes`: 4 MiB.
pub const DEFAULT_MAX_REQUEST_BYTES: u64 = 4 * 1024 * 1024;
/// Largest `max_request_bytes` accepted: 64 MiB (the listener buffers one body per stream).
pub const MAX_MAX_REQUEST_BYTES: u64 = 64 * 1024 * 1024;
/// Default `max_request_headers_kb` (Envoy's own default).
pub const DEFAULT_MAX_REQUEST_HEADERS_KB: u32 = 60;
/// Largest `max_request_headers_kb` Envoy accepts.
pub const MAX_MAX_REQUEST_HEADERS_KB: u32 = 8192;

/// Bounds on client requests. Too large a body gets an OpenAI-style 413, too many messages
/// or tools an OpenAI-style 400 naming the field, too large a header block Envoy's 431.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Largest request body on the API paths, in bytes (default 4 MiB, at most 64 MiB).
    #[serde(default = "default_max_request_bytes")]
    pub max_request_bytes: u64,
    /// Most `messages` in a chat completion request (default 4096).
    #[serde(default = "default_max_messages")]
    pub max_messages: u64,
    /// Most `tools` in a chat completion request (default 128, OpenAI's own limit).
    #[serde(default = "default_max_tools")]
    pub max_tools: u64,
    /// Largest request header block, in KiB (Envoy's `max_request_headers_kb`; default 60,
    /// at most 8192).
    #[serde(default = "default_max_request_headers_kb")]
    pub max_request_headers_kb: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_request_bytes: DEFAULT_MAX_REQUEST_BYTES,
            max_messages: default_max_messages(),
            max_tools: default_max_tools(),
            max_request_headers_kb: DEFAULT_MAX_REQUEST_HEADERS_KB,
        }
    }
}

fn default_max_request_bytes() -> u64 {
    DEFAULT_MAX_REQUEST_BYTES
}

fn default_max_messages() -> u64 {
    aigw_core::openai::limits::DEFAULT_MAX_MESSAGES as u64
}

fn default_max_tools() -> u64 {
    aigw_core::openai::limits::DEFAULT_MAX_TOOLS as u64
}

fn default_max_request_headers_kb() -> u32 {
    DEFAULT_MAX_REQUEST_HEADERS_KB
}

/// Checks the ranges; errors name the field.
pub fn validate(limits: &Limits, errors: &mut Vec<String>) {
    if limits.max_request_bytes == 0 || limits.max_request_bytes > MAX_MAX_REQUEST_BYTES {
        errors.push(format!(
            "limits.max_request_bytes: must be between 1 and {MAX_MAX_REQUEST_BYTES}, got {}",
            limits.max_request_bytes
        ));
    }
    if limits.max_messages == 0 {
        errors.push("limits.max_messages: must be at least 1".to_string());
    }
    if limits.max_request_headers_kb == 0
        || limits.max_request_headers_kb > MAX_MAX_REQUEST_HEADERS_KB
    {
        errors.push(format!(
            "limits.max_request_headers_kb: must be between 1 and {MAX_MAX_REQUEST_HEADERS_KB}, got {}",
            limits.max_request_headers_kb
        ));
    }
}
