//! The local replies the filter answers clients with. A reply to a JSON-RPC message given
//! its [`Operation`] finishes it (metric and access-log fields) just before it is sent.

use crate::telemetry::Operation;
use aigw_core::mcp::SESSION_HEADER;
use aigw_core::mcp::answer::response_error_type;
use aigw_core::mcp::jsonrpc::error_body;
use aigw_core::mcp::reply::{Accepts, client_body};
use aigw_core::mcp::stateless::{STATELESS_VERSION, complete};
use aigw_host::Host;
use serde_json::Value;

/// Answers with JSON-RPC error `code` for request `id` at HTTP `status`.
pub fn rpc_error(
    host: &mut dyn Host,
    op: Option<&Operation>,
    status: u16,
    id: &Value,
    code: i64,
    message: &str,
) {
    if let Some(op) = op {
        op.finish(host, Some(&code.to_string()));
    }
    let body = error_body(id, code, message);
    host.send_local_reply(status, &[("content-type", "application/json")], &body);
}

/// Answers with a JSON-RPC response (`messages` relayed before it when the client takes
/// SSE), with the gateway session id when `session` is given.
pub fn rpc_response(
    host: &mut dyn Host,
    op: Option<&Operation>,
    accepts: Accepts,
    messages: &[Value],
    response: &Value,
    session: Option<&str>,
) {
    if let Some(op) = op {
        op.finish(host, response_error_type(response).as_deref());
    }
    let completed = op.and_then(|op| for_stateless_client(op, response));
    let response = completed.as_ref().unwrap_or(response);
    let (content_type, body) = client_body(accepts, messages, response);
    let mut headers = vec![("content-type", content_type)];
    if let Some(session) = session {
        headers.push((SESSION_HEADER, session));
    }
    host.send_local_reply(200, &headers, &body);
}

/// `response` completed for a 2026-07-28 client (`resultType`, cache directives), or `None`
/// when `op` is of an earlier revision or `response` is an error.
fn for_stateless_client(op: &Operation, response: &Value) -> Option<Value> {
    if op.version() != STATELESS_VERSION || response.get("result").is_none() {
        return None;
    }
    let mut response = response.clone();
    complete(op.method(), &mut response["result"]);
    Some(response)
}

/// Answers a refused stateless request with its JSON-RPC error `response` at HTTP 400.
pub fn rpc_rejection(host: &mut dyn Host, op: Option<&Operation>, response: &Value) {
    if let Some(op) = op {
        op.finish(host, response_error_type(response).as_deref());
    }
    let body = response.to_string();
    let headers = [("content-type", "application/json")];
    host.send_local_reply(400, &headers, body.as_bytes());
}

/// Answers with an empty body at `status` (202 for notifications, 200 for DELETE).
pub fn empty(host: &mut dyn Host, op: Option<&Operation>, status: u16) {
    if let Some(op) = op {
        op.finish(host, None);
    }
    host.send_local_reply(status, &[], b"");
}

/// Answers with a plain HTTP error (for requests that are not JSON-RPC at all), finishing
/// `op` with the status as its error type.
pub fn http_error(
    host: &mut dyn Host,
    op: Option<&Operation>,
    status: u16,
    extra: &[(&str, &str)],
    message: &str,
) {
    if let Some(op) = op {
        op.finish(host, Some(&status.to_string()));
    }
    let mut headers = vec![("content-type", "text/plain")];
    headers.extend_from_slice(extra);
    host.send_local_reply(status, &headers, message.as_bytes());
}
