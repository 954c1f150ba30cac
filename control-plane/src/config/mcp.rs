//! The `mcp:` section of the gateway config: MCP servers behind one gateway endpoint.

use aigw_core::mcp::authz::challenge::ProtectedResource;
use aigw_core::mcp::authz::rules::{AccessRules, RuleConfig};
use aigw_core::mcp::forwarded_headers;
use aigw_core::mcp::tool_filter::{ToolFilter, ToolFilterConfig};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::endpoint;

/// The MCP gateway: one Streamable HTTP endpoint in front of several MCP servers.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct McpConfig {
    /// Path of the gateway's MCP endpoint (default `/mcp`).
    #[serde(default = "default_path")]
    pub path: String,
    /// Separator between server and tool/prompt names (default `__`).
    #[serde(default = "default_separator")]
    pub separator: String,
    /// Environment variable holding the session key: base64 of 32 random bytes
    /// (`openssl rand -base64 32`).
    pub session_key_env: String,
    /// Environment variable holding the previous session key, still accepted during a
    /// key rotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_fallback_key_env: Option<String>,
    /// Timeout of each call to an MCP server, in milliseconds (default 30000).
    #[serde(default = "default_timeout_ms")]
    pub callout_timeout_ms: u64,
    /// The MCP servers.
    pub servers: Vec<McpServer>,
    /// Client authorization: bearer JWTs and per-request rules (absent: clients are not
    /// authenticated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization: Option<McpAuthorization>,
}

/// Client authorization per the MCP authorization spec: every request to the endpoint needs a
/// bearer JWT from `issuer` for one of `audiences`, signed by a key of `jwks` (or of the JWKS
/// fetched from `jwks_uri`), and at least one rule must allow it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct McpAuthorization {
    /// Public URL of the gateway's MCP endpoint (the OAuth protected resource), e.g.
    /// `https://gw.example.com/mcp`.
    pub resource: String,
    /// Required `iss` of tokens.
    pub issuer: String,
    /// Accepted `aud` values (default: `resource`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audiences: Vec<String>,
    /// The issuer's public signing keys, as a JWKS (`{"keys": [...]}`); give this or
    /// `jwks_uri`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks: Option<serde_json::Value>,
    /// Where the gateway fetches the issuer's JWKS (`https://...`, e.g. the `jwks_uri` of
    /// the issuer's OpenID configuration); give this or `jwks`. Fetched by the first request
    /// that needs it (requests wait for it), again after `jwks_cache_seconds`, and when a
    /// token names a key the set lacks (at most every 30 s). While no keys can be had,
    /// requests with a token get a 503.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// How long a fetched JWKS is used before it is fetched again (default 600).
    #[serde(
        default = "default_jwks_cache_seconds",
        skip_serializing_if = "is_default_jwks_cache_seconds"
    )]
    pub jwks_cache_seconds: u64,
    /// Authorization servers named in the protected-resource metadata (default: `issuer`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authorization_servers: Vec<String>,
    /// Scopes named in the metadata and in `WWW-Authenticate` challenges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes_supported: Vec<String>,
    /// CEL rules over `claims`, `scopes`, `method`, `server`, `tool` and `arguments`; a
    /// request goes on when one yields `true` (deny by default).
    pub rules: Vec<McpRule>,
}

fn default_jwks_cache_seconds() -> u64 {
    super::jwks::DEFAULT_CACHE_SECONDS
}

fn is_default_jwks_cache_seconds(seconds: &u64) -> bool {
    *seconds == super::jwks::DEFAULT_CACHE_SECONDS
}

/// One authorization rule.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct McpRule {
    /// Name (unique; shown in logs).
    pub name: String,
    /// CEL expression; `true` allows the request.
    pub allow: String,
}

/// One MCP server (Streamable HTTP).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct McpServer {
    /// Unique name: the prefix of its tools; the Envoy cluster is `aigw-mcp-<name>`.
    pub name: String,
    /// The server's MCP endpoint, `http[s]://host[:port]/path`.
    pub url: String,
    /// Credential sent to the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<McpAuth>,
    /// Which of the server's tools are exposed.
    #[serde(default, skip_serializing_if = "McpToolFilter::is_empty")]
    pub tools: McpToolFilter,
    /// Client request headers passed on to the server (lowercase names, for example a
    /// per-user token the server needs). Other client headers stay with the gateway.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forward_headers: Vec<String>,
}

/// A credential for an MCP server, read from an environment variable of the Envoy process.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct McpAuth {
    /// `bearer` (`authorization: Bearer <key>`) or `header` (`<header>: <key>`).
    pub kind: McpAuthKind,
    /// Header name, for kind `header` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    /// Environment variable holding the key.
    pub key_env: String,
}

/// How an MCP server's key is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum McpAuthKind {
    /// `authorization: Bearer <key>`.
    Bearer,
    /// The key as the value of the header named by `header`.
    Header,
}

/// Tool filter: names are the server's own tool names; regular expressions match whole
/// names; exclusions win.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct McpToolFilter {
    /// When this or `include_regex` is non-empty, only these tools are exposed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// Regular expressions of tools to expose.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include_regex: Vec<String>,
    /// Tools never exposed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
    /// Regular expressions of tools never exposed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_regex: Vec<String>,
}

impl McpToolFilter {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The filter as the mcp-router filter config takes it (JSON).
    pub fn to_core_json(&self) -> serde_json::Value {
        serde_json::json!({
            "include": self.include,
            "include_regex": self.include_regex,
            "exclude": self.exclude,
            "exclude_regex": self.exclude_regex,
        })
    }

    fn to_core(&self) -> ToolFilterConfig {
        ToolFilterConfig {
            include: self.include.clone(),
            include_regex: self.include_regex.clone(),
            exclude: self.exclude.clone(),
            exclude_regex: self.exclude_regex.clone(),
        }
    }
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

impl McpConfig {
    /// Environment variables the mcp-router filter reads (sorted, unique).
    pub fn env_vars(&self) -> Vec<String> {
        let mut vars: Vec<String> = std::iter::once(self.session_key_env.clone())
            .chain(self.session_fallback_key_env.clone())
            .chain(
                self.servers
                    .iter()
                    .filter_map(|s| s.auth.as_ref().map(|a| a.key_env.clone())),
            )
            .collect();
        vars.sort();
        vars.dedup();
        vars
    }

    /// The variables `is_set` reports unset, each as `mcp.<field>: ...` (checked by
    /// `aigw run` before it starts Envoy, which would refuse the filter config).
    pub fn unset_env(&self, is_set: impl Fn(&str) -> bool) -> Vec<String> {
        let session = std::iter::once(("session_key_env".to_string(), &self.session_key_env))
            .chain(
                self.session_fallback_key_env
                    .iter()
                    .map(|v| ("session_fallback_key_env".to_string(), v)),
            );
        let servers = self.servers.iter().enumerate().filter_map(|(i, s)| {
            let auth = s.auth.as_ref()?;
            Some((format!("servers[{i}].auth.key_env"), &auth.key_env))
        });
        session
            .chain(servers)
            .filter(|(_, var)| !is_set(var))
            .map(|(field, var)| format!("mcp.{field}: environment variable {var} is not set"))
            .collect()
    }
}

/// Checks the section; every problem names its field under `mcp.`.
pub fn validate(mcp: &McpConfig, is_env_name: fn(&str) -> bool, errors: &mut Vec<String>) {
    if !mcp.path.starts_with('/') || mcp.path.contains(['?', '#']) {
        errors.push(format!(
            "mcp.path: {:?} must be an absolute path without query",
            mcp.path
        ));
    }
    if mcp.separator.is_empty() {
        errors.push("mcp.separator: must not be empty".into());
    }
    if mcp.callout_timeout_ms == 0 {
        errors.push("mcp.callout_timeout_ms: must be positive".into());
    }
    let envs = std::iter::once(("session_key_env", &mcp.session_key_env)).chain(
        mcp.session_fallback_key_env
            .iter()
            .map(|v| ("session_fallback_key_env", v)),
    );
    for (field, var) in envs {
        if !is_env_name(var) {
            errors.push(format!(
                "mcp.{field}: {var:?} is not an environment variable name"
            ));
        }
    }
    if mcp.servers.is_empty() {
        errors.push("mcp.servers: at least one MCP server is required".into());
    }
    for (i, server) in mcp.servers.iter().enumerate() {
        let at = format!("mcp.servers[{i}]");
        let valid_name = !server.name.is_empty()
            && server
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        if !valid_name {
            errors.push(format!(
                "{at}.name: {:?} must be letters, digits, '-', '_' or '.'",
                server.name
            ));
        }
        if let Some(first) = mcp.servers[..i].iter().position(|s| s.name == server.name) {
            errors.push(format!(
                "{at}.name: duplicate MCP server {:?} (also mcp.servers[{first}])",
                server.name
            ));
        }
        match endpoint::parse(&server.url) {
            Ok(ep) if ep.path_prefix.is_empty() => errors.push(format!(
                "{at}.url: must include the MCP endpoint path, like /mcp"
            )),
            Ok(_) => {}
            Err(e) => errors.push(format!("{at}.url: {e}")),
        }
        if let Some(auth) = &server.auth {
            if !is_env_name(&auth.key_env) {
                errors.push(format!(
                    "{at}.auth.key_env: {:?} is not an environment variable name",
                    auth.key_env
                ));
            }
            let header_ok = auth.header.as_deref().is_some_and(|h| {
                !h.is_empty() && h.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
            match auth.kind {
                McpAuthKind::Bearer if auth.header.is_some() => {
                    errors.push(format!("{at}.auth.header: only for kind header"))
                }
                McpAuthKind::Header if !header_ok => errors.push(format!(
                    "{at}.auth.header: kind header needs a header name (letters, digits, -)"
                )),
                _ => {}
            }
        }
        if let Err(e) = ToolFilter::compile(&server.tools.to_core(), &format!("{at}.tools")) {
            errors.push(e);
        }
        let own = server.auth.as_ref().map(|auth| match auth.kind {
            McpAuthKind::Bearer => "authorization",
            McpAuthKind::Header => auth.header.as_deref().unwrap_or_default(),
        });
        for (j, name) in server.forward_headers.iter().enumerate() {
            if let Err(e) = forwarded_headers::check(name, mcp.authorization.is_some(), own) {
                errors.push(format!("{at}.forward_headers[{j}]: {e}"));
            }
        }
    }
    if let Some(authz) = &mcp.authorization {
        validate_authorization(authz, errors);
    }
}

/// Compiles the authorization section as the filter will (keys, resource, CEL rules), so
/// its errors show at config load with their field.
fn validate_authorization(authz: &McpAuthorization, errors: &mut Vec<String>) {
    let at = |e: String| format!("mcp.authorization.{e}");
    let audiences = if authz.audiences.is_empty() {
        vec![authz.resource.clone()]
    } else {
        authz.audiences.clone()
    };
    let servers = if authz.authorization_servers.is_empty() {
        vec![authz.issuer.clone()]
    } else {
        authz.authorization_servers.clone()
    };
    if let Err(e) = ProtectedResource::new(&authz.resource, &servers, &authz.scopes_supported) {
        errors.push(at(e));
    }
    let keys = super::jwks::problems(
        authz.jwks.as_ref(),
        authz.jwks_uri.as_deref(),
        authz.jwks_cache_seconds,
        &authz.issuer,
        &audiences,
    );
    errors.extend(keys.into_iter().map(at));
    let rules: Vec<RuleConfig> = authz
        .rules
        .iter()
        .map(|r| RuleConfig {
            name: r.name.clone(),
            allow: r.allow.clone(),
        })
        .collect();
    if let Err(e) = AccessRules::compile(&rules) {
        errors.push(at(e));
    }
}

#[cfg(test)]
#[path = "mcp_tests.rs"]
mod tests;
