//! Serving stateless (2026-07-28) clients: each request stands alone, with its protocol
//! version and capabilities in `params._meta` and no gateway session. The gateway checks the
//! envelope and routing headers, makes sure it holds a session with each server the request
//! needs (initializing one through a [`Handshake`] when the worker keeps none, see
//! [`BackendSessions`]), and then answers as for a session: `server/discover` merges the
//! servers' `initialize` results, lists fan out and merge, calls go to the one server.

use crate::authorize::{self, Caller, Target};
use crate::backend_sessions::BackendSessions;
use crate::config::{Router, Server};
use crate::dispatch::{Client, list, routed};
use crate::flow::{AfterHandshake, Handshaking, Step, advance};
use crate::handshake::Handshake;
use crate::respond;
use crate::telemetry::Operation;
use aigw_core::mcp::jsonrpc::{INVALID_REQUEST, METHOD_NOT_FOUND, Message};
use aigw_core::mcp::lists::ListKind;
use aigw_core::mcp::naming::route;
use aigw_core::mcp::reply::Accepts;
use aigw_core::mcp::routed::RoutedKind;
use aigw_core::mcp::session::{BackendSession, Session};
use aigw_core::mcp::stateless::{
    DISCOVER, RoutingHeaders, STATELESS_VERSION, discover_result, envelope,
};
use aigw_host::Host;
use serde_json::{Map, Value, json};

/// The routing headers of a request, kept from the header phase.
#[derive(Debug, Clone, Default)]
pub struct Headers {
    /// `MCP-Protocol-Version`.
    pub version: Option<String>,
    /// `Mcp-Method`.
    pub method: Option<String>,
    /// `Mcp-Name`.
    pub name: Option<String>,
}

impl Headers {
    /// Borrowed, for the checks in core.
    pub fn routing(&self) -> RoutingHeaders<'_> {
        RoutingHeaders {
            version: self.version.as_deref(),
            method: self.method.as_deref(),
            name: self.name.as_deref(),
        }
    }

    /// Whether the request announces the stateless revision.
    pub fn stateless(&self) -> bool {
        self.version.as_deref() == Some(STATELESS_VERSION)
    }
}

/// A stateless request waiting for handshakes with servers it needs.
#[derive(Debug)]
pub struct Preparation {
    id: Value,
    method: String,
    params: Map<String, Value>,
    accepts: Accepts,
    caller: Option<Caller>,
    op: Operation,
    /// Servers whose kept session is used.
    kept: Vec<(BackendSession, Value)>,
    handshake: Handshake,
}

/// The request context the stream hands over.
pub struct Request<'r> {
    /// Forms the client accepts.
    pub accepts: Accepts,
    /// The authenticated client.
    pub caller: Option<&'r Caller>,
    /// The routing headers.
    pub headers: &'r Headers,
    /// The message's operation.
    pub op: Operation,
}

/// A stateless request kept so that it can be served once more from scratch: when a list
/// meets a kept backend session the server no longer knows (404), the worker forgets its
/// kept sessions and serves the list again with new ones.
#[derive(Debug)]
pub struct Retry {
    accepts: Accepts,
    caller: Option<Caller>,
    headers: Headers,
    op: Operation,
    message: Message,
}

impl Retry {
    /// A copy of `request` and `message`.
    pub fn new(request: &Request<'_>, message: &Message) -> Self {
        Self {
            accepts: request.accepts,
            caller: request.caller.cloned(),
            headers: request.headers.clone(),
            op: request.op.clone(),
            message: message.clone(),
        }
    }

    /// Serves the request again.
    pub fn again(self, host: &mut dyn Host, router: &Router, sessions: &BackendSessions) -> Step {
        let request = Request {
            accepts: self.accepts,
            caller: self.caller.as_ref(),
            headers: &self.headers,
            op: self.op,
        };
        handle(host, router, sessions, request, self.message)
    }
}

/// Handles a stateless client `message`.
pub fn handle(
    host: &mut dyn Host,
    router: &Router,
    sessions: &BackendSessions,
    request: Request<'_>,
    message: Message,
) -> Step {
    let Request {
        accepts,
        caller,
        headers,
        mut op,
    } = request;
    op.set_version(STATELESS_VERSION);
    let (id, method, params) = match message {
        // The revision defines no client notifications the gateway could act on without a
        // session: accepted and dropped.
        Message::Notification { .. } => {
            respond::empty(host, Some(&op), 202);
            return Step::Answered;
        }
        Message::Response { .. } => {
            let message = "the 2026-07-28 revision has no server-to-client requests to answer";
            respond::rpc_error(host, Some(&op), 400, &Value::Null, INVALID_REQUEST, message);
            return Step::Answered;
        }
        Message::Request { id, method, params } => (id, method, params),
    };
    let envelope = match envelope(&method, &params, headers.routing()) {
        Ok(envelope) => envelope,
        Err(rejection) => {
            let response = rejection.to_response(&id);
            respond::rpc_rejection(host, Some(&op), &response);
            return Step::Answered;
        }
    };
    let routed_kind = RoutedKind::from_method(&method);
    let target = Target {
        method: &method,
        server: "",
        tool: "",
        arguments: None,
    };
    if routed_kind.is_none() && !authorize::permitted(host, &op, router, caller, Some(&id), target)
    {
        return Step::Answered;
    }
    let needed: Vec<&Server> = if method == DISCOVER || ListKind::from_method(&method).is_some() {
        router.servers.iter().collect()
    } else if let Some(kind) = routed_kind.filter(|k| !k.needs_server_stream()) {
        // The body's name (an `Mcp-Name` header was checked against it above). A request
        // without one is refused by `routed` once prepared.
        let names = router.servers.iter().map(|s| s.name.as_str());
        kind.slot(&params)
            .ok()
            .and_then(|slot| {
                let name = slot.name(&params)?;
                route(names, slot.list.separator(&router.separator), name)
            })
            .map(|(index, _)| vec![&router.servers[index]])
            .unwrap_or_default()
    } else {
        let message = format!("method not found: {method}");
        respond::rpc_error(host, Some(&op), 404, &id, METHOD_NOT_FOUND, &message);
        return Step::Answered;
    };
    let now = host.now();
    let mut kept = Vec::new();
    let mut missing = Vec::new();
    for server in needed {
        match sessions.get(&server.name, now) {
            Some(joined) => kept.push(joined),
            None => missing.push(server),
        }
    }
    let client_info = envelope
        .client_info
        .unwrap_or_else(|| json!({"name": "aigw-stateless-client", "version": "0"}));
    let preparation = Preparation {
        id,
        method,
        params,
        accepts,
        caller: caller.cloned(),
        op,
        kept,
        // The kept sessions serve every stateless client: they declare no capabilities.
        handshake: Handshake::start(host, router, &missing, &client_info, &Map::new()),
    };
    advance(preparation, host, router, sessions)
}

/// Serves the request of `preparation`, whose handshakes finished.
fn serve_prepared(
    host: &mut dyn Host,
    router: &Router,
    sessions: &BackendSessions,
    preparation: Preparation,
) -> Step {
    let Preparation {
        id,
        method,
        params,
        accepts,
        caller,
        op,
        mut kept,
        handshake,
    } = preparation;
    let now = host.now();
    for (part, result) in handshake.joined() {
        sessions.put(part.clone(), result.clone(), now);
        kept.push((part, result));
    }
    // Server order, as with a gateway session.
    let position =
        |part: &BackendSession| router.servers.iter().position(|s| s.name == part.server);
    kept.sort_by_key(|(part, _)| position(part));
    if method == DISCOVER {
        let backends = kept.iter().map(|(p, r)| (p.server.as_str(), r));
        let response = json!({"jsonrpc": "2.0", "id": id, "result": discover_result(backends)});
        respond::rpc_response(host, Some(&op), accepts, &[], &response, None);
        return Step::Answered;
    }
    let session = Session {
        version: STATELESS_VERSION.to_string(),
        backends: kept.into_iter().map(|(part, _)| part).collect(),
        client_capabilities: Map::new(),
    };
    let client = Client {
        accepts,
        caller: caller.as_ref(),
        op,
    };
    if let Some(kind) = ListKind::from_method(&method) {
        return list(
            host,
            router,
            client,
            id,
            session,
            kind,
            &without_meta(params),
        )
        .into();
    }
    match RoutedKind::from_method(&method) {
        Some(kind) => routed(host, router, client, id, &session, kind, params).into(),
        None => Step::Answered,
    }
}

/// List params without the stateless envelope (the gateway's list requests carry none).
fn without_meta(mut params: Map<String, Value>) -> Map<String, Value> {
    params.remove("_meta");
    params
}

impl AfterHandshake for Preparation {
    fn handshake(&mut self) -> &mut Handshake {
        &mut self.handshake
    }

    fn operation(&self) -> Option<&Operation> {
        Some(&self.op)
    }

    fn held(self) -> Handshaking {
        Handshaking::Stateless(Box::new(self))
    }

    fn proceed(self, host: &mut dyn Host, router: &Router, sessions: &BackendSessions) -> Step {
        serve_prepared(host, router, sessions, self)
    }
}

#[cfg(test)]
#[path = "stateless_tests.rs"]
mod tests;
