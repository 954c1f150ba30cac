//! What an unauthenticated MCP client is told: the OAuth protected-resource metadata
//! (RFC 9728) of the gateway's MCP endpoint and the `WWW-Authenticate` challenge (RFC 6750)
//! that points to it.

use serde_json::json;

/// Well-known path prefix of protected-resource metadata.
pub const METADATA_PREFIX: &str = "/.well-known/oauth-protected-resource";

/// The gateway's MCP endpoint as an OAuth protected resource.
#[derive(Debug, Clone)]
pub struct ProtectedResource {
    resource: String,
    origin: String,
    path: String,
    authorization_servers: Vec<String>,
    scopes_supported: Vec<String>,
}

impl ProtectedResource {
    /// `resource` is the endpoint's public URL (`https://gw.example.com/mcp`), the value
    /// tokens must be issued for; errors name what is wrong.
    pub fn new(
        resource: &str,
        authorization_servers: &[String],
        scopes_supported: &[String],
    ) -> Result<Self, String> {
        let rest = resource
            .strip_prefix("https://")
            .or_else(|| resource.strip_prefix("http://"))
            .ok_or_else(|| format!("resource: {resource:?} must be an http(s) URL"))?;
        if resource.contains(['?', '#', '"', ' ']) {
            return Err(format!(
                "resource: {resource:?} must not have a query, fragment, quote or space"
            ));
        }
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        if host.is_empty() {
            return Err(format!("resource: {resource:?} has no host"));
        }
        if authorization_servers.is_empty() {
            return Err("authorization_servers: at least one issuer URL is required".into());
        }
        let path = path.trim_end_matches('/');
        Ok(Self {
            resource: resource.to_string(),
            origin: resource[..resource.len() - rest.len() + host.len()].to_string(),
            path: if path.is_empty() {
                String::new()
            } else {
                format!("/{path}")
            },
            authorization_servers: authorization_servers.to_vec(),
            scopes_supported: scopes_supported.to_vec(),
        })
    }

    /// The metadata path for this resource (the well-known prefix followed by the
    /// resource's path).
    pub fn metadata_path(&self) -> String {
        format!("{METADATA_PREFIX}{}", self.path)
    }

    /// Whether a request path (query stripped) asks for this metadata: the resource's own
    /// well-known path, or the bare prefix that some clients try first.
    pub fn is_metadata_path(&self, path: &str) -> bool {
        path == METADATA_PREFIX || path == self.metadata_path()
    }

    /// The metadata document (JSON).
    pub fn document(&self) -> String {
        let mut doc = json!({
            "resource": self.resource,
            "authorization_servers": self.authorization_servers,
            "bearer_methods_supported": ["header"],
        });
        if !self.scopes_supported.is_empty() {
            doc["scopes_supported"] = json!(self.scopes_supported);
        }
        doc.to_string()
    }

    /// The `WWW-Authenticate` value of a 401 (`error` absent when no token was sent) or a
    /// 403 (`insufficient_scope`).
    pub fn challenge(&self, error: Option<(&str, &str)>) -> String {
        let mut out = format!(
            "Bearer resource_metadata=\"{}{}\"",
            self.origin,
            self.metadata_path()
        );
        if !self.scopes_supported.is_empty() {
            out.push_str(&format!(
                ", scope=\"{}\"",
                quoted(&self.scopes_supported.join(" "))
            ));
        }
        if let Some((code, description)) = error {
            out.push_str(&format!(
                ", error=\"{code}\", error_description=\"{}\"",
                quoted(description)
            ));
        }
        out
    }

    /// The JSON body sent with a challenge.
    pub fn error_body(code: &str, description: &str) -> String {
        json!({"error": code, "error_description": description}).to_string()
    }
}

/// `s` safe inside a quoted-string: quotes and backslashes dropped, control characters too.
fn quoted(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '"' && *c != '\\' && !c.is_control())
        .collect()
}
