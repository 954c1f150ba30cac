//! The upstream-auth filter: replaces any client credential with the backend's key.

use crate::config::{AuthConfig, KEY_FILE_SUPPORTED};
use crate::signing::Signer;
use crate::sigv4_config::SigV4Config;
use crate::token::{TokenSource, TokenStream};
use crate::token_config::TokenKind;
use aigw_core::auth::{CLIENT_CREDENTIAL_HEADERS, Credential, ExposeSecret};
use aigw_host::{
    BodyStatus, CalloutResult, Filter, FilterFactory, HeadersStatus, Host, LogLevel,
    MetricsRegistry,
};
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
    method: Method,
}

/// How requests are authenticated.
#[derive(Debug)]
enum Method {
    /// An API key in a header.
    Key(Credential),
    /// An AWS SigV4 signature over the final request.
    SigV4(Signer),
    /// A bearer token from a token endpoint, cached per worker.
    Token(TokenSource),
}

/// The upstream-auth filter of one stream.
#[derive(Debug)]
pub struct UpstreamAuthFilter {
    shared: Arc<Shared>,
    token: TokenStream,
}

impl UpstreamAuthFactory {
    /// Builds the factory from config text, looking environment variables up with `env`.
    pub fn with_env(
        config: &str,
        env: impl Fn(&str) -> Option<OsString>,
        key_file_supported: bool,
    ) -> Result<Self, String> {
        let kind = kind_of(config).unwrap_or_default();
        let shared = if TokenKind::is_token_kind(&kind) {
            let (backend, source) = TokenSource::from_config(config, env, key_file_supported)?;
            Shared {
                backend,
                method: Method::Token(source),
            }
        } else if kind == "aws_sigv4" {
            let config = SigV4Config::parse(config)?;
            let signer = Signer {
                backend: config.backend.clone(),
                scope: config.scope(),
                keys: config.keys(env, key_file_supported)?,
            };
            Shared {
                backend: config.backend,
                method: Method::SigV4(signer),
            }
        } else {
            let config = AuthConfig::parse(config)?;
            let credential = config.credential(env, key_file_supported)?;
            Shared {
                backend: config.backend,
                method: Method::Key(credential),
            }
        };
        Ok(Self {
            shared: Arc::new(shared),
        })
    }
}

/// The `kind` field of a config, when the text is a JSON object that has one.
fn kind_of(config: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Kind {
        kind: String,
    }
    serde_json::from_str::<Kind>(config).ok().map(|k| k.kind)
}

impl FilterFactory for UpstreamAuthFactory {
    type Filter = UpstreamAuthFilter;

    fn from_config(config: &str, _metrics: &mut dyn MetricsRegistry) -> Result<Self, String> {
        Self::with_env(config, |var| std::env::var_os(var), KEY_FILE_SUPPORTED)
    }

    fn create_filter(&self) -> UpstreamAuthFilter {
        UpstreamAuthFilter {
            shared: self.shared.clone(),
            token: TokenStream::default(),
        }
    }
}

impl Filter for UpstreamAuthFilter {
    fn on_request_headers(&mut self, host: &mut dyn Host, end_of_stream: bool) -> HeadersStatus {
        for name in CLIENT_CREDENTIAL_HEADERS {
            host.remove_request_header(name);
        }
        let credential = match &self.shared.method {
            Method::Key(credential) => credential,
            Method::SigV4(signer) => return signer.on_headers(host, end_of_stream),
            Method::Token(source) => return source.on_headers(&mut self.token, host),
        };
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

    fn on_request_body(&mut self, host: &mut dyn Host, end_of_stream: bool) -> BodyStatus {
        match &self.shared.method {
            Method::Key(_) => BodyStatus::Continue,
            Method::SigV4(signer) => signer.on_body(host, end_of_stream),
            Method::Token(source) => source.on_body(&self.token),
        }
    }

    fn on_callout_done(&mut self, host: &mut dyn Host, token: u32, result: CalloutResult) {
        if let Method::Token(source) = &self.shared.method {
            source.on_callout_done(&mut self.token, host, token, result);
        }
    }

    fn on_wake(&mut self, host: &mut dyn Host) {
        if let Method::Token(source) = &self.shared.method {
            source.on_wake(&mut self.token, host);
        }
    }

    fn on_stream_complete(&mut self, _host: &mut dyn Host) {
        if let Method::Token(source) = &self.shared.method {
            source.on_complete(&mut self.token);
        }
    }
}

/// A filter can be destroyed without `on_stream_complete` (an upstream attempt that ends
/// early), and its pending callout is then cancelled: a token fetch this stream still owns
/// is handed over here too, so waiting streams never wait for a cancelled callout.
impl Drop for UpstreamAuthFilter {
    fn drop(&mut self) {
        if let Method::Token(source) = &self.shared.method {
            source.on_complete(&mut self.token);
        }
    }
}

#[cfg(test)]
#[path = "filter_tests.rs"]
mod tests;
