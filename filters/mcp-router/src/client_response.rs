//! A client's JSON-RPC response to a request a server sent inside a stream the gateway
//! forwarded (elicitation, sampling, roots). The stream carried the request with a relayed
//! id naming the server (`aigw_core::mcp::server_requests`); the response goes to that
//! server through Envoy's router with the server's own id. A response with any other id is
//! refused.

use crate::config::Router;
use crate::dispatch::Next;
use crate::forward::{self, Forwarded, POST_ACCEPT};
use crate::respond;
use crate::telemetry::Operation;
use aigw_core::mcp::jsonrpc::INVALID_REQUEST;
use aigw_core::mcp::server_requests::original_id;
use aigw_core::mcp::session::Session;
use aigw_host::Host;
use serde_json::{Map, Value};

/// Forwards the response `rest` with relayed `id` to its server, or answers 400 when the
/// id names no server of the `session`.
pub fn relay(
    host: &mut dyn Host,
    router: &Router,
    session: &Session,
    id: &Value,
    mut rest: Map<String, Value>,
    mut op: Operation,
) -> Option<Next> {
    let names = session.backends.iter().map(|b| b.server.as_str());
    let target = original_id(names, &router.separator, id).and_then(|(slot, own)| {
        let part = &session.backends[slot];
        Some((part, router.server(&part.server)?, own))
    });
    let Some((part, server, own)) = target else {
        let message = "this response answers no request the gateway relayed to the client";
        respond::rpc_error(host, Some(&op), 400, &Value::Null, INVALID_REQUEST, message);
        return None;
    };
    op.set_target(&server.name, "");
    rest.insert("id".to_string(), own);
    let body = serde_json::to_vec(&rest).unwrap_or_default();
    host.set_request_body(&body);
    forward::point_at(host, server, part, POST_ACCEPT);
    Some(Next::Router(Forwarded::new(op, false)))
}
