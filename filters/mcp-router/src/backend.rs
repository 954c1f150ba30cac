//! HTTP callouts to MCP servers: the request headers a server gets and reading its reply.

use crate::config::{Router, Server};
use aigw_core::auth::ExposeSecret;
use aigw_core::mcp::reply::{BackendReply, read_backend_reply};
use aigw_core::mcp::session::BackendSession;
use aigw_core::mcp::{PROTOCOL_VERSION_HEADER, SESSION_HEADER};
use aigw_host::{CalloutResult, Host};
use serde_json::Value;

/// Sends `body` to `server` with HTTP `method`, in the session `backend` when given (after
/// `initialize`), with the client's headers the server is configured to get. Returns the
/// callout token.
pub fn call(
    host: &mut dyn Host,
    router: &Router,
    server: &Server,
    backend: Option<&BackendSession>,
    method: &str,
    body: &[u8],
) -> Result<u32, String> {
    let mut headers: Vec<(&str, &str)> = vec![
        (":method", method),
        (":path", &server.path),
        (":authority", &server.authority),
        ("accept", "application/json, text/event-stream"),
    ];
    if !body.is_empty() {
        headers.push(("content-type", "application/json"));
    }
    if let Some(backend) = backend {
        headers.push((PROTOCOL_VERSION_HEADER, &backend.version));
        if let Some(id) = &backend.session_id {
            headers.push((SESSION_HEADER, id));
        }
    }
    let forwarded: Vec<(&str, String)> = server
        .forward_headers
        .iter()
        .filter_map(|name| Some((name.as_str(), host.request_header(name)?)))
        .collect();
    headers.extend(
        forwarded
            .iter()
            .map(|(name, value)| (*name, value.as_str())),
    );
    if let Some((name, value)) = &server.credential {
        headers.push((name, value.expose_secret()));
    }
    host.http_callout(&server.cluster, &headers, body, router.timeout)
}

/// What became of a callout carrying a JSON-RPC request.
#[derive(Debug)]
pub enum Outcome {
    /// The server answered with a JSON-RPC response.
    Reply {
        /// The server's `Mcp-Session-Id` response header.
        session_id: Option<String>,
        /// The reply.
        reply: BackendReply,
    },
    /// The server no longer knows the session (HTTP 404).
    SessionExpired,
    /// Anything else (reset, timeout, HTTP error, unusable body), described.
    Failed(String),
}

/// Reads a callout result for the request with `id`.
pub fn outcome(result: CalloutResult, id: &Value) -> Outcome {
    let response = match result {
        Ok(response) => response,
        Err(reason) => return Outcome::Failed(reason),
    };
    let header = |name: &str| {
        response
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    match response.status {
        200..=299 => {}
        404 => return Outcome::SessionExpired,
        status => return Outcome::Failed(format!("HTTP status {status}")),
    }
    match read_backend_reply(header("content-type"), &response.body, id) {
        Ok(reply) => Outcome::Reply {
            session_id: header(SESSION_HEADER).map(str::to_string),
            reply,
        },
        Err(reason) => Outcome::Failed(reason),
    }
}

/// Whether a callout that carries no JSON-RPC request (a notification or DELETE) succeeded.
pub fn accepted(result: &CalloutResult) -> Result<(), String> {
    match result {
        Ok(response) if (200..300).contains(&response.status) => Ok(()),
        Ok(response) => Err(format!("HTTP status {}", response.status)),
        Err(reason) => Err(reason.clone()),
    }
}
