//! The upstream-auth filter: replaces any client credential with the backend's key.

use crate::config::{AuthConfig, KEY_FILE_SUPPORTED};
use aigw_core::auth::{CLIENT_CREDENTIAL_HEADERS, Credential, ExposeSecret};
use aigw_host::{Filter, FilterFactory, HeadersStatus, Host, LogLevel, MetricsRegistry};
use std::ffi::OsString;
use std::sync::Arc;

/// Builds upstream-auth filters from the JSON config (see docs/internals.md).
#[derive(Debug)]
pub struct UpstreamAuthFactory {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    backend: String,
    credential: Credential,
}

/// The upstream-auth filter of one stream.
#[derive(Debug)]
pub struct UpstreamAuthFilter {
    shared: Arc<Shared>,
}

impl UpstreamAuthFactory {
    /// Builds the factory from config text, looking environment variables up with `env`.
    pub fn with_env(
        config: &str,
        env: impl Fn(&str) -> Option<OsString>,
        key_file_supported: bool,
    ) -> Result<Self, String> {
        let config = AuthConfig::parse(config)?;
        let credential = config.credential(env, key_file_supported)?;
        Ok(Self {
            shared: Arc::new(Shared {
                backend: config.backend,
                credential,
            }),
        })
    }
}

impl FilterFactory for UpstreamAuthFactory {
    type Filter = UpstreamAuthFilter;

    fn from_config(config: &str, _metrics: &mut dyn MetricsRegistry) -> Result<Self, String> {
        Self::with_env(config, |var| std::env::var_os(var), KEY_FILE_SUPPORTED)
    }

    fn create_filter(&self) -> UpstreamAuthFilter {
        UpstreamAuthFilter {
            shared: self.shared.clone(),
        }
    }
}

impl Filter for UpstreamAuthFilter {
    fn on_request_headers(&mut self, host: &mut dyn Host, _end_of_stream: bool) -> HeadersStatus {
        for name in CLIENT_CREDENTIAL_HEADERS {
            host.remove_request_header(name);
        }
        let credential = &self.shared.credential;
        let (value, warning) = credential.header_value(host.now());
        if let Some(warning) = warning {
            host.log(
                LogLevel::Warn,
                &format!("upstream-auth backend {}: {warning}", self.shared.backend),
            );
        }
        host.set_request_header(credential.header_name(), value.expose_secret());
        HeadersStatus::Continue
    }
}

#[cfg(test)]
#[path = "filter_tests.rs"]
mod tests;
