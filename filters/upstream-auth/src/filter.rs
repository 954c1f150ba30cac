//! The upstream-auth filter: replaces any client credential with the backend's key.

use crate::config::{AuthConfig, KEY_FILE_SUPPORTED};
use crate::override_config::{self, CredentialOverride};
use crate::signing::Signer;
use crate::sigv4_config::SigV4Config;
use crate::token::{TokenSource, TokenStream};
use crate::token_config::TokenKind;
use crate::web_identity::{WebIdentitySource, WebIdentityStream};
use aigw_core::auth::{CLIENT_CREDENTIAL_HEADERS, Credential, ExposeSecret, SecretString};
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
    credential_override: Option<CredentialOverride>,
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
    /// An AWS SigV4 signature with temporary credentials from STS, cached per worker.
    WebIdentity(WebIdentitySource),
}

/// The upstream-auth filter of one stream.
#[derive(Debug)]
pub struct UpstreamAuthFilter {
    shared: Arc<Shared>,
    token: TokenStream,
    web_identity: WebIdentityStream,
    /// The request carries the client's own credential (override header).
    overridden: bool,
}

impl UpstreamAuthFactory {
    /// Builds the factory from config text, looking environment variables up with `env`.
    pub fn with_env(
        config: &str,
        env: impl Fn(&str) -> Option<OsString>,
        key_file_supported: bool,
    ) -> Result<Self, String> {
        let (config, credential_override) = override_config::split(config)?;
        if let Some(kind @ ("aws_sigv4" | "aws_web_identity")) = kind_of(&config).as_deref()
            && credential_override.is_some()
        {
            return Err(format!(
                "upstream-auth config: override_header is not available for kind {kind}"
            ));
        }
        let config = config.as_str();
        let kind = kind_of(config).unwrap_or_default();
        let shared = if TokenKind::is_token_kind(&kind) {
            let (backend, source) = TokenSource::from_config(config, env, key_file_supported)?;
            Shared {
                backend,
                method: Method::Token(source),
                credential_override,
            }
        } else if kind == "aws_web_identity" {
            let (backend, source) =
                WebIdentitySource::from_config(config, env, key_file_supported)?;
            Shared {
                backend,
                method: Method::WebIdentity(source),
                credential_override,
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
                credential_override,
            }
        } else {
            let config = AuthConfig::parse(config)?;
            let credential = config.credential(env, key_file_supported)?;
            Shared {
                backend: config.backend,
                method: Method::Key(credential),
                credential_override,
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
            web_identity: WebIdentityStream::default(),
            overridden: false,
        }
    }
}

impl Filter for UpstreamAuthFilter {
    fn on_request_headers(&mut self, host: &mut dyn Host, end_of_stream: bool) -> HeadersStatus {
        for name in CLIENT_CREDENTIAL_HEADERS {
            host.remove_request_header(name);
        }
        let shared = self.shared.clone();
        if let Some(o) = &shared.credential_override {
            let value = host.request_header(&o.header);
            host.remove_request_header(&o.header);
            match value {
                Some(value) => return self.send_override(host, &o.header, &value),
                None if o.reject_when_missing => {
                    reply_401(
                        host,
                        &format!(
                            "This route needs the upstream credential in the {} header.",
                            o.header
                        ),
                    );
                    return HeadersStatus::StopIteration;
                }
                None => {}
            }
        }
        let credential = match &self.shared.method {
            Method::Key(credential) => credential,
            Method::SigV4(signer) => return signer.on_headers(host, end_of_stream),
            Method::Token(source) => return source.on_headers(&mut self.token, host),
            Method::WebIdentity(source) => {
                return source.on_headers(&mut self.web_identity, host, end_of_stream);
            }
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
        if self.overridden {
            return BodyStatus::Continue;
        }
        match &self.shared.method {
            Method::Key(_) => BodyStatus::Continue,
            Method::SigV4(signer) => signer.on_body(host, end_of_stream),
            Method::Token(source) => source.on_body(&self.token),
            Method::WebIdentity(source) => {
                source.on_body(&mut self.web_identity, host, end_of_stream)
            }
        }
    }

    fn on_callout_done(&mut self, host: &mut dyn Host, token: u32, result: CalloutResult) {
        match &self.shared.method {
            Method::Token(source) => source.on_callout_done(&mut self.token, host, token, result),
            Method::WebIdentity(source) => {
                source.on_callout_done(&mut self.web_identity, host, token, result);
            }
            _ => {}
        }
    }

    fn on_wake(&mut self, host: &mut dyn Host) {
        match &self.shared.method {
            Method::Token(source) => source.on_wake(&mut self.token, host),
            Method::WebIdentity(source) => source.on_wake(&mut self.web_identity, host),
            _ => {}
        }
    }

    fn on_stream_complete(&mut self, _host: &mut dyn Host) {
        self.release_fetch();
    }
}

impl UpstreamAuthFilter {
    /// Hands a credential fetch this stream still owns over to the waiting streams.
    fn release_fetch(&mut self) {
        match &self.shared.method {
            Method::Token(source) => source.on_complete(&mut self.token),
            Method::WebIdentity(source) => source.on_complete(&mut self.web_identity),
            _ => {}
        }
    }

    /// Sends the client's own credential from the override header, in the backend's header.
    fn send_override(&mut self, host: &mut dyn Host, header: &str, value: &str) -> HeadersStatus {
        let value = value.trim();
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_graphic()) {
            reply_401(
                host,
                &format!("The {header} header must hold one credential without spaces."),
            );
            return HeadersStatus::StopIteration;
        }
        let key = SecretString::from(value.to_string());
        let (name, value) = match &self.shared.method {
            Method::Key(credential) => (credential.header_name(), credential.format(&key)),
            _ => (
                "authorization",
                SecretString::from(format!("Bearer {value}")),
            ),
        };
        host.set_request_header(name, value.expose_secret());
        self.overridden = true;
        HeadersStatus::Continue
    }
}

/// Answers 401 with an OpenAI error object.
fn reply_401(host: &mut dyn Host, message: &str) {
    let body = serde_json::json!({"error": {"message": message, "type": "invalid_request_error",
        "param": null, "code": "missing_upstream_credential"}});
    host.send_local_reply(
        401,
        &[("content-type", "application/json")],
        body.to_string().as_bytes(),
    );
}

/// A filter can be destroyed without `on_stream_complete` (an upstream attempt that ends
/// early), and its pending callout is then cancelled: a token fetch this stream still owns
/// is handed over here too, so waiting streams never wait for a cancelled callout.
impl Drop for UpstreamAuthFilter {
    fn drop(&mut self) {
        self.release_fetch();
    }
}

#[cfg(test)]
#[path = "filter_tests.rs"]
mod tests;
