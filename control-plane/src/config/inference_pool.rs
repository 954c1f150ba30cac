//! Inference pools: a backend of self-hosted model servers whose endpoint is chosen per
//! request by a Gateway API Inference Extension endpoint picker (EPP), called over Envoy's
//! `ext_proc` protocol (see bootstrap/inference_pool.rs for what is generated).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::endpoint;
use super::model::{Backend, Schema};

/// Path prefix of the model servers' OpenAI API when `path_prefix` is not given.
pub const DEFAULT_PATH_PREFIX: &str = "/v1";

/// The `inference_pool` block of a backend.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InferencePool {
    /// gRPC address of the endpoint picker: `http://host:port` (plaintext HTTP/2) or
    /// `https://host:port` (TLS, certificate checked against the host name).
    pub endpoint_picker: String,
    /// Port the pool's model servers listen on: Envoy connects to the picked address on this
    /// port (the pool's `targetPort`).
    pub target_port: u16,
    /// Path prefix of the model servers' OpenAI-compatible API (default `/v1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_prefix: Option<String>,
}

impl InferencePool {
    /// The configured path prefix, else `/v1`.
    pub fn path_prefix(&self) -> &str {
        self.path_prefix.as_deref().unwrap_or(DEFAULT_PATH_PREFIX)
    }
}

/// Checks the inference pool of backend `b` (at field path `at`), which must have one.
pub(super) fn validate(at: &str, b: &Backend, pool: &InferencePool, errors: &mut Vec<String>) {
    let pat = format!("{at}.inference_pool");
    if b.schema != Schema::OpenAI {
        errors.push(format!(
            "{at}.schema: an inference pool serves the OpenAI API; schema must be OpenAI, got {}",
            b.schema.as_str()
        ));
    }
    if !b.endpoint.is_empty() {
        errors.push(format!(
            "{at}.endpoint: not used with inference_pool (the endpoint picker chooses the model server); remove it"
        ));
    }
    if b.preset.is_some() {
        errors.push(format!("{at}.preset: not valid with inference_pool"));
    }
    match endpoint::parse(&pool.endpoint_picker) {
        Ok(e) if !e.path_prefix.is_empty() => errors.push(format!(
            "{pat}.endpoint_picker: a gRPC address has no path (got {:?})",
            e.path_prefix
        )),
        Ok(_) => {}
        Err(e) => errors.push(format!("{pat}.endpoint_picker: {e}")),
    }
    if pool.target_port == 0 {
        errors.push(format!("{pat}.target_port: must be between 1 and 65535"));
    }
    if let Some(p) = &pool.path_prefix
        && (!(p.is_empty() || p.starts_with('/'))
            || p.ends_with('/')
            || p.contains(['?', '#'])
            || p.chars().any(|c| !c.is_ascii_graphic()))
    {
        errors.push(format!(
            "{pat}.path_prefix: must be empty or start with '/', not end with '/', and hold no query or spaces, got {p:?}"
        ));
    }
}

#[cfg(test)]
#[path = "inference_pool_tests.rs"]
mod tests;
