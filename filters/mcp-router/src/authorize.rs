//! Client authorization in the filter: the protected-resource metadata endpoint, the
//! bearer-token check with its 401 challenge, and the per-request rule check.

use crate::config::{Authorization, Router};
use crate::respond;
use crate::telemetry::Operation;
use aigw_core::mcp::authz::challenge::ProtectedResource;
use aigw_core::mcp::authz::rules::{Decision, RequestFacts};
use aigw_core::mcp::authz::token::{TokenError, bearer, scopes};
use aigw_core::metrics::ERROR_TYPE_DENIED;
use aigw_host::{Host, LogLevel};
use serde_json::{Map, Value};

/// JSON-RPC error code of a request the authorization rules deny (server-defined range).
pub const ACCESS_DENIED: i64 = -32001;

/// An authenticated client: its token's claims and scopes.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The token's claims.
    pub claims: Map<String, Value>,
    /// The scopes the token grants.
    pub scopes: Vec<String>,
}

/// Answers a request for the protected-resource metadata; `false` when `path` is not the
/// metadata path (or authorization is off).
pub fn metadata(host: &mut dyn Host, router: &Router, path: &str) -> bool {
    let Some(authz) = &router.authz else {
        return false;
    };
    if !authz.resource.is_metadata_path(path) {
        return false;
    }
    if host.request_header(":method").as_deref() == Some("GET") {
        let body = authz.resource.document();
        host.send_local_reply(
            200,
            &[("content-type", "application/json")],
            body.as_bytes(),
        );
    } else {
        respond::http_error(
            host,
            None,
            405,
            &[("allow", "GET")],
            "metadata is read with GET",
        );
    }
    true
}

/// The caller of this request: `Ok(None)` when authorization is off, `Err(())` after
/// answering 401 with a challenge.
pub fn authenticate(host: &mut dyn Host, router: &Router) -> Result<Option<Caller>, ()> {
    let Some(authz) = &router.authz else {
        return Ok(None);
    };
    let header = host.request_header("authorization");
    match bearer(header.as_deref()).and_then(|t| authz.verifier.verify(t)) {
        Ok(claims) => Ok(Some(Caller {
            scopes: scopes(&claims),
            claims,
        })),
        Err(error) => {
            challenge(host, authz, &error);
            Err(())
        }
    }
}

fn challenge(host: &mut dyn Host, authz: &Authorization, error: &TokenError) {
    let description = error.to_string();
    let (www, body) = match error {
        // RFC 6750: no error code when the request carried no credentials.
        TokenError::Missing => (
            authz.resource.challenge(None),
            ProtectedResource::error_body("invalid_request", &description),
        ),
        _ => {
            host.log(
                LogLevel::Info,
                &format!("mcp-router: token refused: {description}"),
            );
            (
                authz
                    .resource
                    .challenge(Some(("invalid_token", &description))),
                ProtectedResource::error_body("invalid_token", &description),
            )
        }
    };
    host.send_local_reply(
        401,
        &[
            ("content-type", "application/json"),
            ("www-authenticate", &www),
        ],
        body.as_bytes(),
    );
}

/// What a request asks for, as the rules see it.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// JSON-RPC method.
    pub method: &'a str,
    /// Server a routed request goes to, else "".
    pub server: &'a str,
    /// Tool, prompt or resource (the server's own name), else "".
    pub tool: &'a str,
    /// The call's arguments, or null.
    pub arguments: Option<&'a Value>,
}

/// Whether the rules let `caller` do `target`; when not, `op` finished as `denied` and the
/// client was answered (JSON-RPC error `ACCESS_DENIED` for request `id`, HTTP 403 for a
/// notification) and nothing is forwarded. Always true when authorization is off.
pub fn permitted(
    host: &mut dyn Host,
    op: &Operation,
    router: &Router,
    caller: Option<&Caller>,
    id: Option<&Value>,
    target: Target<'_>,
) -> bool {
    let errors = match decide(router, caller, target) {
        None | Some(Decision::Allowed(_)) => return true,
        Some(Decision::Denied { errors }) => errors,
    };
    let mut line = format!(
        "mcp-router: denied {} server={:?} tool={:?}",
        target.method, target.server, target.tool
    );
    if !errors.is_empty() {
        line.push_str(&format!(" (rule errors: {})", errors.join("; ")));
    }
    host.log(LogLevel::Info, &line);
    let message = match target.tool {
        "" => format!("access denied: {} is not allowed", target.method),
        tool => format!(
            "access denied: {} of {tool} on server {} is not allowed",
            target.method, target.server
        ),
    };
    op.finish(host, Some(ERROR_TYPE_DENIED));
    match id {
        Some(id) => respond::rpc_error(host, None, 200, id, ACCESS_DENIED, &message),
        None => respond::rpc_error(host, None, 403, &Value::Null, ACCESS_DENIED, &message),
    }
    false
}

/// Whether `tools/list` shows `tool` (the server's own name) of `server` to `caller`: hidden
/// only when the rules, evaluated for `tools/call` of it with empty arguments, deny it without
/// an evaluation error (a rule that needs the call's arguments, or a claim the token lacks,
/// cannot be decided here, so the tool stays listed and the call is checked). Always true
/// when authorization is off.
pub fn lists_tool(router: &Router, caller: Option<&Caller>, server: &str, tool: &str) -> bool {
    let target = Target {
        method: "tools/call",
        server,
        tool,
        arguments: None,
    };
    match decide(router, caller, target) {
        None | Some(Decision::Allowed(_)) => true,
        Some(Decision::Denied { errors }) => !errors.is_empty(),
    }
}

/// The rules' decision on `target`, `None` when authorization is off.
fn decide(router: &Router, caller: Option<&Caller>, target: Target<'_>) -> Option<Decision> {
    let authz = router.authz.as_ref()?;
    let empty = Value::Object(Map::new());
    let no_claims = Map::new();
    let facts = RequestFacts {
        claims: caller.map_or(&no_claims, |c| &c.claims),
        scopes: caller.map_or(&[], |c| &c.scopes),
        method: target.method,
        server: target.server,
        tool: target.tool,
        arguments: target.arguments.filter(|a| a.is_object()).unwrap_or(&empty),
    };
    Some(authz.rules.decide(&facts))
}

#[cfg(test)]
#[path = "authorize_tests.rs"]
mod tests;
