//! The upstream-auth filter's JSON config: which header a backend's key goes in and where
//! the key comes from. Errors name the field; key values never appear in errors or `Debug`.

use aigw_core::auth::{AuthKind, Credential};
use serde::Deserialize;
use std::ffi::OsString;
use std::path::PathBuf;

/// Whether this build can read key files (Envoy's V8 gives wasm no filesystem).
pub const KEY_FILE_SUPPORTED: bool = !cfg!(target_arch = "wasm32");

/// The config as written: `{"backend":..,"kind":..,"key_env":..}` or `..,"key_file":..}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// Backend name, used in log lines.
    pub backend: String,
    /// The header the key is sent in.
    pub kind: AuthKind,
    /// Environment variable holding the key (read once, at config load).
    #[serde(default)]
    pub key_env: Option<String>,
    /// File holding the key (re-read when it changes).
    #[serde(default)]
    pub key_file: Option<PathBuf>,
}

impl AuthConfig {
    /// Parses the JSON config text and checks its fields.
    pub fn parse(text: &str) -> Result<Self, String> {
        let config: Self =
            serde_json::from_str(text).map_err(|e| format!("upstream-auth config: {e}"))?;
        if config.backend.is_empty() {
            return Err("upstream-auth config: backend must be a non-empty name".to_string());
        }
        Ok(config)
    }

    /// Loads the credential. `env` looks up an environment variable; `key_file_supported`
    /// is [`KEY_FILE_SUPPORTED`] outside tests.
    pub fn credential(
        &self,
        env: impl Fn(&str) -> Option<OsString>,
        key_file_supported: bool,
    ) -> Result<Credential, String> {
        let load = match (&self.key_env, &self.key_file) {
            (Some(_), Some(_)) => {
                Err("set only one of key_env and key_file, not both".to_string())
            }
            (None, None) => Err("one of key_env or key_file is required".to_string()),
            (Some(var), None) if var.is_empty() => {
                Err("key_env must name an environment variable".to_string())
            }
            (Some(var), None) => Credential::from_env(self.kind, var, env(var)),
            (None, Some(_)) if !key_file_supported => Err(
                "key_file is not available in the wasm build of upstream-auth; use key_env or the native module"
                    .to_string(),
            ),
            (None, Some(path)) => Credential::from_file(self.kind, path.clone()),
        };
        load.map_err(|e| format!("upstream-auth config (backend {}): {e}", self.backend))
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
