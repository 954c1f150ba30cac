//! What the filter does with one parsed client message: answer it locally, start the
//! callouts of an [`Exchange`], or forward it to one server through Envoy's router.

use crate::authorize::{self, Caller, Target};
use crate::backend;
use crate::callouts::Callouts;
use crate::client_response;
use crate::config::Router;
use crate::exchange::{Exchange, Kind, Routed};
use crate::forward::{self, Forwarded, POST_ACCEPT};
use crate::respond;
use crate::server_stream;
use crate::telemetry::Operation;
use aigw_core::mcp::jsonrpc::{
    INVALID_PARAMS, INVALID_REQUEST, METHOD_NOT_FOUND, Message, notification_body, request_body,
};
use aigw_core::mcp::lists::ListKind;
use aigw_core::mcp::naming::route;
use aigw_core::mcp::negotiate;
use aigw_core::mcp::reply::Accepts;
use aigw_core::mcp::routed::RoutedKind;
use aigw_core::mcp::session::{BackendSession, Session, SessionError};
use aigw_core::mcp::stateless::STATELESS_VERSION;
use aigw_host::Host;
use serde_json::{Map, Value, json};

/// The client's `Mcp-Session-Id`, as read from the request headers.
#[derive(Debug)]
pub enum SessionState {
    /// No header.
    Missing,
    /// A session this gateway issued.
    Open(Session),
    /// A header that is not a session of this gateway.
    Refused(SessionError),
}

/// What the filter waits for once a message was handled (unless the client was answered).
#[derive(Debug)]
pub enum Next {
    /// The callouts of an exchange.
    Callouts(Exchange),
    /// The answer of the one server the request was forwarded to through the router.
    Router(Forwarded),
}

/// Handles `message` (its [`Operation`] is `op`); returns what to wait for, or `None` when
/// the client was answered already.
pub fn dispatch(
    host: &mut dyn Host,
    router: &Router,
    accepts: Accepts,
    session: SessionState,
    message: Message,
    caller: Option<&Caller>,
    op: Operation,
) -> Option<Next> {
    let (id, method, params) = match message {
        Message::Response { id, rest } => {
            let session = require(host, &op, &Value::Null, session)?;
            return client_response::relay(host, router, &session, &id, rest, op);
        }
        Message::Notification { method, params } => {
            let target = Target {
                method: &method,
                server: "",
                tool: "",
                arguments: None,
            };
            if !authorize::permitted(host, &op, router, caller, None, target) {
                return None;
            }
            let session = require(host, &op, &Value::Null, session)?;
            let body = notification_body(&method, &params);
            return broadcast(host, router, &session, "POST", &body, 202, Some(op))
                .map(Next::Callouts);
        }
        Message::Request { id, method, params } => (id, method, params),
    };
    // Routed methods are checked once their server and tool are known.
    let target = Target {
        method: &method,
        server: "",
        tool: "",
        arguments: None,
    };
    if RoutedKind::from_method(&method).is_none()
        && !authorize::permitted(host, &op, router, caller, Some(&id), target)
    {
        return None;
    }
    if method == "initialize" {
        return initialize(host, router, accepts, id, &params, op).map(Next::Callouts);
    }
    let session = require(host, &op, &id, session)?;
    if method == "ping" {
        let response = json!({"jsonrpc": "2.0", "id": id, "result": {}});
        respond::rpc_response(host, Some(&op), accepts, &[], &response, None);
        return None;
    }
    if method == SET_LEVEL {
        return everyone(host, router, accepts, id, &session, &params, op).map(Next::Callouts);
    }
    if let Some(kind) = ListKind::from_method(&method) {
        let client = Client {
            accepts,
            caller,
            op,
        };
        return list(host, router, client, id, session, kind, &params).map(Next::Callouts);
    }
    if let Some(kind) = RoutedKind::from_method(&method) {
        let client = Client {
            accepts,
            caller,
            op,
        };
        return routed(host, router, client, id, &session, kind, params);
    }
    let message = format!("method not found: {method}");
    respond::rpc_error(host, Some(&op), 200, &id, METHOD_NOT_FOUND, &message);
    None
}

/// The open session, or `None` after answering 400 (missing) or 404 (refused).
fn require(
    host: &mut dyn Host,
    op: &Operation,
    id: &Value,
    session: SessionState,
) -> Option<Session> {
    match session {
        SessionState::Open(session) => Some(session),
        SessionState::Missing => {
            let message = "the Mcp-Session-Id header is required after initialize";
            respond::rpc_error(host, Some(op), 400, id, INVALID_REQUEST, message);
            None
        }
        SessionState::Refused(reason) => {
            let message = format!("unknown session: {reason}; initialize a new session");
            respond::rpc_error(host, Some(op), 404, id, INVALID_REQUEST, &message);
            None
        }
    }
}

fn invalid_params<T>(host: &mut dyn Host, op: &Operation, id: &Value, message: &str) -> Option<T> {
    respond::rpc_error(host, Some(op), 200, id, INVALID_PARAMS, message);
    None
}

fn initialize(
    host: &mut dyn Host,
    router: &Router,
    accepts: Accepts,
    id: Value,
    params: &Map<String, Value>,
    mut op: Operation,
) -> Option<Exchange> {
    let Some(requested) = params.get("protocolVersion").and_then(Value::as_str) else {
        return invalid_params(host, &op, &id, "params.protocolVersion must be a string");
    };
    if !params.get("capabilities").is_some_and(Value::is_object) {
        return invalid_params(host, &op, &id, "params.capabilities must be an object");
    }
    let Some(client_info) = params.get("clientInfo").filter(|c| c.is_object()) else {
        return invalid_params(host, &op, &id, "params.clientInfo must be an object");
    };
    let version = negotiate(requested);
    op.set_version(version);
    // The client's capabilities are passed on: servers may send it requests (sampling,
    // elicitation, roots) inside the streams the gateway forwards.
    let mut backend_params = Map::new();
    backend_params.insert("protocolVersion".into(), json!(version));
    backend_params.insert("capabilities".into(), params["capabilities"].clone());
    backend_params.insert("clientInfo".into(), client_info.clone());
    let body = request_body(&id, "initialize", &backend_params);
    let mut exchange = Exchange {
        id,
        accepts,
        kind: Kind::Initialize {
            version: version.to_string(),
            joined: router.servers.iter().map(|_| None).collect(),
            capabilities: params["capabilities"]
                .as_object()
                .cloned()
                .unwrap_or_default(),
        },
        pending: Callouts::default(),
        op: Some(op),
    };
    for (slot, server) in router.servers.iter().enumerate() {
        let token = backend::call(host, router, server, None, "POST", &body);
        exchange.started(host, router, slot, token);
    }
    waiting(host, router, exchange)
}

/// The exchange to wait for, or `None` after answering when no callout is in flight
/// (every one failed to start).
fn waiting(host: &mut dyn Host, router: &Router, mut exchange: Exchange) -> Option<Exchange> {
    if exchange.idle() {
        exchange.finish(host, router);
        return None;
    }
    Some(exchange)
}

/// Sends `body` with HTTP `method` to every backend of `session`; the client gets an empty
/// answer at `status` once all answered (finishing `op`, the notification's operation).
pub fn broadcast(
    host: &mut dyn Host,
    router: &Router,
    session: &Session,
    method: &str,
    body: &[u8],
    status: u16,
    op: Option<Operation>,
) -> Option<Exchange> {
    let exchange = Exchange {
        id: Value::Null,
        accepts: Accepts::from_header(None),
        kind: Kind::Broadcast {
            status,
            servers: session.backends.iter().map(|b| b.server.clone()).collect(),
        },
        pending: Callouts::default(),
        op,
    };
    send_to_each(host, router, exchange, &session.backends, method, body)
}

/// The request that sets the level of the log messages servers send the client.
const SET_LEVEL: &str = "logging/setLevel";

/// Sends `logging/setLevel` with `params` to every backend of `session`; the client gets an
/// empty result once they answered (see [`Kind::Everyone`]).
fn everyone(
    host: &mut dyn Host,
    router: &Router,
    accepts: Accepts,
    id: Value,
    session: &Session,
    params: &Map<String, Value>,
    op: Operation,
) -> Option<Exchange> {
    let body = request_body(&id, SET_LEVEL, params);
    let exchange = Exchange {
        id,
        accepts,
        kind: Kind::Everyone {
            method: SET_LEVEL.to_string(),
            servers: session.backends.iter().map(|b| b.server.clone()).collect(),
            accepted: false,
            refusal: None,
        },
        pending: Callouts::default(),
        op: Some(op),
    };
    send_to_each(host, router, exchange, &session.backends, "POST", &body)
}

/// Fans list `kind` out to the backends of `session` (every page) and merges the answers.
pub(crate) fn list(
    host: &mut dyn Host,
    router: &Router,
    client: Client<'_>,
    id: Value,
    session: Session,
    kind: ListKind,
    params: &Map<String, Value>,
) -> Option<Exchange> {
    if params.contains_key("cursor") {
        return invalid_params(
            host,
            &client.op,
            &id,
            "invalid cursor: the gateway returns complete lists",
        );
    }
    let body = request_body(&id, kind.method(), &Map::new());
    let count = session.backends.len();
    let parts = session.backends.clone();
    let exchange = Exchange {
        id,
        accepts: client.accepts,
        kind: Kind::List {
            kind,
            backends: session.backends,
            items: vec![Vec::new(); count],
            pages: vec![0; count],
            caller: client.caller.cloned(),
        },
        pending: Callouts::default(),
        op: Some(client.op),
    };
    send_to_each(host, router, exchange, &parts, "POST", &body)
}

/// Sends `body` with HTTP `method` to each of `parts` (slot = index) in its session, as
/// callouts of `exchange`; returns it to wait for, or `None` after answering when none
/// started. DELETE skips servers that keep no session: they have none to end (and answer
/// 405).
fn send_to_each(
    host: &mut dyn Host,
    router: &Router,
    mut exchange: Exchange,
    parts: &[BackendSession],
    method: &str,
    body: &[u8],
) -> Option<Exchange> {
    for (slot, part) in parts.iter().enumerate() {
        let Some(server) = router.server(&part.server) else {
            continue;
        };
        if method == "DELETE" && part.session_id.is_none() {
            continue;
        }
        let token = backend::call(host, router, server, Some(part), method, body);
        exchange.started(host, router, slot, token);
    }
    waiting(host, router, exchange)
}

/// How to answer the client of a list or routed request, who it is, and its operation.
pub(crate) struct Client<'c> {
    /// Forms the client accepts.
    pub accepts: Accepts,
    /// The authenticated client, when authorization is on.
    pub caller: Option<&'c Caller>,
    /// The request's operation.
    pub op: Operation,
}

/// Routes a call, prompt or resource read to the one backend its name designates.
pub(crate) fn routed(
    host: &mut dyn Host,
    router: &Router,
    client: Client<'_>,
    id: Value,
    session: &Session,
    kind: RoutedKind,
    mut params: Map<String, Value>,
) -> Option<Next> {
    let Client {
        accepts,
        caller,
        mut op,
    } = client;
    let slot = match kind.slot(&params) {
        Ok(slot) => slot,
        Err(message) => return invalid_params(host, &op, &id, &message),
    };
    let Some(name) = slot.name(&params) else {
        let message = format!("{} must be a string", slot.path());
        return invalid_params(host, &op, &id, &message);
    };
    if kind.needs_server_stream()
        && (op.version() == STATELESS_VERSION || server_stream::streamed(router, session).is_none())
    {
        let message = format!(
            "{} needs a session with one MCP server that keeps sessions: updates arrive on \
             its server stream, which other sessions do not get",
            kind.method()
        );
        respond::rpc_error(host, Some(&op), 200, &id, METHOD_NOT_FOUND, &message);
        return None;
    }
    let separator = slot.list.separator(&router.separator);
    let names = session.backends.iter().map(|b| b.server.as_str());
    let target = route(names, separator, name).and_then(|(index, own)| {
        let part = &session.backends[index];
        let server = router.server(&part.server)?;
        let allowed = kind != RoutedKind::ToolsCall || server.tools.allows(own);
        allowed.then(|| (part, server, own.to_string()))
    });
    let Some((part, server, own)) = target else {
        let message = format!("unknown {}: {name}", slot.noun());
        return invalid_params(host, &op, &id, &message);
    };
    op.set_target(&server.name, &own);
    let target = Target {
        method: kind.method(),
        server: &server.name,
        tool: &own,
        arguments: params.get("arguments"),
    };
    if !authorize::permitted(host, &op, router, caller, Some(&id), target) {
        return None;
    }
    slot.set_name(&mut params, own);
    let body = request_body(&id, kind.method(), &params);
    if op.version() == STATELESS_VERSION {
        // A 2026-07-28 client: one callout, so that the result can be completed for it and
        // an expired backend session the gateway keeps can be renewed (see `renewal.rs`).
        let token = backend::call(host, router, server, Some(part), "POST", &body);
        let mut exchange = Exchange {
            id,
            accepts,
            kind: Kind::Routed(Box::new(Routed::new(part, body, session))),
            pending: Callouts::default(),
            op: Some(op),
        };
        if exchange.started(host, router, 0, token) {
            return None;
        }
        return Some(Next::Callouts(exchange));
    }
    host.set_request_body(&body);
    forward::point_at(host, server, part, POST_ACCEPT);
    let forwarded = Forwarded::new(op, true)
        .relabelling(&server.name, &router.separator)
        .renewable(id, accepts, part, body, session);
    Some(Next::Router(forwarded))
}
