//! The mcp-router filter's JSON config (written by the control plane, see
//! docs/internals.md) and its validated, compiled form. Errors name the field; secrets never
//! appear in errors or `Debug`.

use crate::jwks::JwksSource;
use aigw_core::auth::SecretString;
use aigw_core::mcp::authz::challenge::ProtectedResource;
use aigw_core::mcp::authz::rules::{AccessRules, RuleConfig};
use aigw_core::mcp::authz::token::{KeySet, TokenVerifier};
use aigw_core::mcp::forwarded_headers;
use aigw_core::mcp::session::SessionKey;
use aigw_core::mcp::tool_filter::{ToolFilter, ToolFilterConfig};
use serde::Deserialize;
use std::ffi::OsString;
use std::time::Duration;

/// The config as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouterConfig {
    /// The gateway's MCP endpoint path.
    #[serde(default = "default_path")]
    pub path: String,
    /// Separator between server and tool/prompt names.
    #[serde(default = "default_separator")]
    pub separator: String,
    /// Environment variable holding the base64 32-byte session key.
    pub session_key_env: String,
    /// Environment variable holding the previous session key, accepted during a rotation.
    #[serde(default)]
    pub session_fallback_key_env: Option<String>,
    /// Timeout of each callout to a backend, in milliseconds.
    #[serde(default = "default_timeout_ms")]
    pub callout_timeout_ms: u64,
    /// Largest request body accepted, in bytes.
    #[serde(default = "default_max_request_bytes")]
    pub max_request_bytes: usize,
    /// The MCP servers behind the endpoint.
    pub servers: Vec<ServerConfig>,
    /// Client authorization (absent: clients are not authenticated).
    #[serde(default)]
    pub authorization: Option<AuthorizationConfig>,
}

/// Client authorization: bearer JWTs and per-request CEL rules.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthorizationConfig {
    /// Public URL of the MCP endpoint (the protected resource).
    pub resource: String,
    /// Required `iss` of tokens.
    pub issuer: String,
    /// Accepted `aud` values (default: the resource URL).
    #[serde(default)]
    pub audiences: Vec<String>,
    /// The issuer's public keys (a JWKS object); or give `jwks_uri`.
    #[serde(default)]
    pub jwks: Option<serde_json::Value>,
    /// Where the issuer publishes its JWKS (`http(s)://`), fetched through `jwks_cluster`.
    #[serde(default)]
    pub jwks_uri: Option<String>,
    /// Envoy cluster reaching the `jwks_uri` host.
    #[serde(default)]
    pub jwks_cluster: Option<String>,
    /// How long fetched keys are used before they are fetched again, in seconds.
    #[serde(default = "default_jwks_cache_seconds")]
    pub jwks_cache_seconds: u64,
    /// Authorization servers announced in the resource metadata (default: the issuer).
    #[serde(default)]
    pub authorization_servers: Vec<String>,
    /// Scopes announced in the metadata and challenges.
    #[serde(default)]
    pub scopes_supported: Vec<String>,
    /// CEL rules; a request goes on when one allows it.
    pub rules: Vec<RuleConfig>,
}

/// One MCP server.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Unique name, the prefix of its tools.
    pub name: String,
    /// Envoy cluster reaching the server.
    pub cluster: String,
    /// `:authority` sent to the server.
    pub authority: String,
    /// The server's MCP endpoint path.
    pub path: String,
    /// Credential sent to the server.
    #[serde(default)]
    pub auth: Option<ServerAuthConfig>,
    /// Which of its tools are exposed.
    #[serde(default)]
    pub tools: ToolFilterConfig,
    /// Client request headers passed on to the server (lowercase names).
    #[serde(default)]
    pub forward_headers: Vec<String>,
}

/// A server's credential: `authorization: Bearer <key>` or `<header>: <key>`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerAuthConfig {
    /// `bearer` or `header`.
    pub kind: AuthKind,
    /// Header name for kind `header` (for example `x-api-key`).
    #[serde(default)]
    pub header: Option<String>,
    /// Environment variable holding the key.
    pub key_env: String,
}

/// How a server's key is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthKind {
    /// `authorization: Bearer <key>`.
    Bearer,
    /// The key as the value of a named header.
    Header,
}

fn default_path() -> String {
    "/mcp".to_string()
}
fn default_separator() -> String {
    "__".to_string()
}
fn default_timeout_ms() -> u64 {
    30_000
}
fn default_jwks_cache_seconds() -> u64 {
    600
}
fn default_max_request_bytes() -> usize {
    1024 * 1024
}

/// The compiled config shared by all streams.
#[derive(Debug)]
pub struct Router {
    /// Endpoint path.
    pub path: String,
    /// Name separator.
    pub separator: String,
    /// Current session key, then the fallback key if any.
    pub keys: Vec<SessionKey>,
    /// Callout timeout.
    pub timeout: Duration,
    /// Request body limit.
    pub max_request_bytes: usize,
    /// Servers in config order.
    pub servers: Vec<Server>,
    /// Client authorization, when configured.
    pub authz: Option<Authorization>,
}

/// Compiled client authorization.
#[derive(Debug)]
pub struct Authorization {
    /// Checks bearer tokens.
    pub verifier: TokenVerifier,
    /// The keys tokens are checked against.
    pub keys: Keys,
    /// The endpoint as a protected resource (metadata, challenges).
    pub resource: ProtectedResource,
    /// Who may do what.
    pub rules: AccessRules,
}

/// Where the keys that sign tokens come from.
#[derive(Debug)]
pub enum Keys {
    /// Given in config.
    Inline(KeySet),
    /// Fetched from the issuer's `jwks_uri` and cached per worker.
    Fetched(JwksSource),
}

impl AuthorizationConfig {
    fn compile(self) -> Result<Authorization, String> {
        let field = |e: String| format!("authorization.{e}");
        let audiences = if self.audiences.is_empty() {
            vec![self.resource.clone()]
        } else {
            self.audiences
        };
        let servers = if self.authorization_servers.is_empty() {
            vec![self.issuer.clone()]
        } else {
            self.authorization_servers
        };
        let resource = ProtectedResource::new(&self.resource, &servers, &self.scopes_supported)
            .map_err(field)?;
        let keys = match (&self.jwks, &self.jwks_uri, &self.jwks_cluster) {
            (Some(jwks), None, None) => {
                Keys::Inline(KeySet::parse(&jwks.to_string()).map_err(field)?)
            }
            (None, Some(uri), Some(cluster)) => Keys::Fetched(
                JwksSource::new(uri, cluster, self.jwks_cache_seconds).map_err(field)?,
            ),
            (Some(_), Some(_), _) => {
                return Err(field("jwks_uri: give jwks or jwks_uri, not both".into()));
            }
            (None, Some(_), None) => {
                return Err(field("jwks_cluster: required with jwks_uri".into()));
            }
            (_, None, Some(_)) => return Err(field("jwks_cluster: only with jwks_uri".into())),
            (None, None, None) => {
                return Err(field(
                    "jwks: give the issuer's keys (jwks) or where to fetch them (jwks_uri)".into(),
                ));
            }
        };
        let verifier = TokenVerifier::new(&self.issuer, &audiences).map_err(field)?;
        let rules = AccessRules::compile(&self.rules).map_err(field)?;
        Ok(Authorization {
            verifier,
            keys,
            resource,
            rules,
        })
    }
}

/// A compiled server.
#[derive(Debug)]
pub struct Server {
    /// Unique name.
    pub name: String,
    /// Envoy cluster.
    pub cluster: String,
    /// `:authority`.
    pub authority: String,
    /// MCP endpoint path.
    pub path: String,
    /// Credential header name and value.
    pub credential: Option<(String, SecretString)>,
    /// Tool filter.
    pub tools: ToolFilter,
    /// Client request headers passed on to the server.
    pub forward_headers: Vec<String>,
}

impl Router {
    /// Parses and checks the config text, reading keys with `env`.
    pub fn from_json(text: &str, env: impl Fn(&str) -> Option<OsString>) -> Result<Self, String> {
        let config: RouterConfig =
            serde_json::from_str(text).map_err(|e| format!("mcp-router config: {e}"))?;
        config
            .compile(env)
            .map_err(|e| format!("mcp-router config: {e}"))
    }

    /// The server with `name`.
    pub fn server(&self, name: &str) -> Option<&Server> {
        self.servers.iter().find(|s| s.name == name)
    }
}

impl RouterConfig {
    fn compile(self, env: impl Fn(&str) -> Option<OsString>) -> Result<Router, String> {
        if !self.path.starts_with('/') || self.path.contains(['?', '#']) {
            return Err(format!(
                "path: {:?} must be an absolute path without query",
                self.path
            ));
        }
        if self.separator.is_empty() {
            return Err("separator: must not be empty".to_string());
        }
        if self.callout_timeout_ms == 0 {
            return Err("callout_timeout_ms: must be positive".to_string());
        }
        if self.servers.is_empty() {
            return Err("servers: at least one MCP server is required".to_string());
        }
        let mut keys = vec![session_key(&env, "session_key_env", &self.session_key_env)?];
        if let Some(var) = &self.session_fallback_key_env {
            keys.push(session_key(&env, "session_fallback_key_env", var)?);
        }
        let mut servers: Vec<Server> = Vec::with_capacity(self.servers.len());
        for (index, server) in self.servers.into_iter().enumerate() {
            let field = format!("servers[{index}]");
            if server.name.is_empty() || servers.iter().any(|s| s.name == server.name) {
                return Err(format!(
                    "{field}.name: {:?} must be non-empty and unique",
                    server.name
                ));
            }
            if server.cluster.is_empty() || server.authority.is_empty() {
                return Err(format!("{field}: cluster and authority must be non-empty"));
            }
            if !server.path.starts_with('/') {
                return Err(format!("{field}.path: {:?} must start with /", server.path));
            }
            let credential = match &server.auth {
                None => None,
                Some(auth) => Some(credential(&env, &format!("{field}.auth"), auth)?),
            };
            let own = credential.as_ref().map(|(name, _)| name.as_str());
            for (i, name) in server.forward_headers.iter().enumerate() {
                forwarded_headers::check(name, self.authorization.is_some(), own)
                    .map_err(|e| format!("{field}.forward_headers[{i}]: {e}"))?;
            }
            servers.push(Server {
                tools: ToolFilter::compile(&server.tools, &format!("{field}.tools"))?,
                name: server.name,
                cluster: server.cluster,
                authority: server.authority,
                path: server.path,
                credential,
                forward_headers: server.forward_headers,
            });
        }
        let authz = self
            .authorization
            .map(AuthorizationConfig::compile)
            .transpose()?;
        Ok(Router {
            authz,
            path: self.path,
            separator: self.separator,
            keys,
            timeout: Duration::from_millis(self.callout_timeout_ms),
            max_request_bytes: self.max_request_bytes,
            servers,
        })
    }
}

fn env_value(
    env: &impl Fn(&str) -> Option<OsString>,
    field: &str,
    var: &str,
) -> Result<String, String> {
    let value = env(var)
        .ok_or_else(|| format!("{field}: environment variable {var} is not set"))?
        .into_string()
        .map_err(|_| format!("{field}: environment variable {var} is not valid UTF-8"))?;
    if value.trim().is_empty() {
        return Err(format!("{field}: environment variable {var} is empty"));
    }
    Ok(value)
}

fn session_key(
    env: &impl Fn(&str) -> Option<OsString>,
    field: &str,
    var: &str,
) -> Result<SessionKey, String> {
    let text = env_value(env, field, var)?;
    SessionKey::from_base64(&text).map_err(|e| {
        format!("{field}: environment variable {var} {e} (expected base64 of 32 bytes)")
    })
}

fn credential(
    env: &impl Fn(&str) -> Option<OsString>,
    field: &str,
    auth: &ServerAuthConfig,
) -> Result<(String, SecretString), String> {
    let key = env_value(env, &format!("{field}.key_env"), &auth.key_env)?;
    let key = key.trim();
    match (auth.kind, &auth.header) {
        (AuthKind::Bearer, None) => Ok((
            "authorization".to_string(),
            SecretString::from(format!("Bearer {key}")),
        )),
        (AuthKind::Header, Some(header)) if valid_header_name(header) => {
            Ok((header.to_ascii_lowercase(), SecretString::from(key)))
        }
        (AuthKind::Bearer, Some(_)) => Err(format!("{field}.header: only for kind header")),
        (AuthKind::Header, _) => Err(format!(
            "{field}.header: kind header needs a header name (letters, digits, -)"
        )),
    }
}

fn valid_header_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
