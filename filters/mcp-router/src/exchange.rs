//! An exchange in flight: the callouts one client message started, what came back so far,
//! and the client's answer once the last callout finished.

use crate::authorize::{Caller, lists_tool};
use crate::backend::{self, Outcome, accepted};
use crate::callouts::Callouts;
use crate::config::Router;
use crate::forward::STREAM_RESET;
use crate::respond;
use crate::server_stream;
use crate::telemetry::Operation;
use aigw_core::mcp::jsonrpc::{INTERNAL_ERROR, INVALID_REQUEST, request_body};
use aigw_core::mcp::lists::ListKind;
use aigw_core::mcp::merge::{Reach, initialize_result, list_result};
use aigw_core::mcp::reply::Accepts;
use aigw_core::mcp::session::{BackendSession, Session};
use aigw_core::mcp::{is_supported, negotiate};
use aigw_host::{CalloutResult, Host, LogLevel};
use serde_json::{Map, Value, json};

/// Most pages the gateway fetches from one server for one list.
const MAX_PAGES: usize = 100;

/// What the exchange is doing, with its per-backend progress (indexed by slot).
#[derive(Debug)]
pub enum Kind {
    /// `initialize` sent to every configured server.
    Initialize {
        /// Version negotiated with the client.
        version: String,
        /// Per server (config order): its session part and `initialize` result once it joined.
        joined: Vec<Option<(BackendSession, Value)>>,
        /// The capabilities the client declared (kept in its session).
        capabilities: Map<String, Value>,
    },
    /// A notification or DELETE sent to every backend of the session; answered with an
    /// empty body at `status`.
    Broadcast {
        /// HTTP status of the client's answer.
        status: u16,
        /// Server names (slot = index), for log lines.
        servers: Vec<String>,
    },
    /// A request every backend of the session is asked (`logging/setLevel`), whose result
    /// carries nothing: the client gets an empty result once one backend accepted it, else
    /// the first JSON-RPC error a backend answered.
    Everyone {
        /// The method, for log lines.
        method: String,
        /// Server names (slot = index), for log lines.
        servers: Vec<String>,
        /// Whether a backend accepted the request.
        accepted: bool,
        /// The first JSON-RPC error a backend answered.
        refusal: Option<Value>,
    },
    /// A list fanned out to the session's backends.
    List {
        /// The list.
        kind: ListKind,
        /// The session's backends (slot = index).
        backends: Vec<BackendSession>,
        /// Items collected per backend.
        items: Vec<Vec<Value>>,
        /// Pages fetched per backend.
        pages: Vec<usize>,
        /// The authenticated client (tools it may not call are left out).
        caller: Option<Caller>,
    },
    /// A request forwarded to one backend.
    Routed(Box<Routed>),
}

/// A request forwarded to one backend, kept so that it can be sent again once after the
/// backend's session expired and the gateway initialized a new one (see `renewal.rs`).
#[derive(Debug)]
pub struct Routed {
    /// The backend's part of the session the request was sent in.
    pub part: BackendSession,
    /// The request sent.
    pub body: Vec<u8>,
    /// The client's gateway session (its stateless backend sessions for a 2026-07-28
    /// client, which has none).
    pub session: Session,
    /// Whether the request was already sent again.
    pub retried: bool,
    /// A new gateway session id to hand the client (after a renewal).
    pub resealed: Option<String>,
}

impl Routed {
    /// A first attempt of `body` to `part`, in the client's `session`.
    pub fn new(part: &BackendSession, body: Vec<u8>, session: &Session) -> Self {
        Self {
            part: part.clone(),
            body,
            session: session.clone(),
            retried: false,
            resealed: None,
        }
    }
}

/// An exchange in flight.
#[derive(Debug)]
pub struct Exchange {
    /// The client's request id (`null` for notifications and DELETE).
    pub id: Value,
    /// Forms the client accepts.
    pub accepts: Accepts,
    /// What is being done.
    pub kind: Kind,
    /// Callouts in flight: (token, slot).
    pub pending: Callouts,
    /// The client message's operation, finished by the answer (`None` for DELETE).
    pub op: Option<Operation>,
}

impl Exchange {
    /// Records a started callout for `slot`, or a failure to start it as its result.
    /// Returns true when the client was answered (a routed request whose callout could not
    /// start); otherwise the caller answers with [`Exchange::finish`] once [`Exchange::idle`].
    pub fn started(
        &mut self,
        host: &mut dyn Host,
        router: &Router,
        slot: usize,
        token: Result<u32, String>,
    ) -> bool {
        match token {
            Ok(token) => {
                self.pending.push(token, slot);
                false
            }
            Err(reason) => self.record(host, router, slot, Err(reason)),
        }
    }

    /// Whether the exchange waits for no callout (answer it with [`Exchange::finish`]).
    pub fn idle(&self) -> bool {
        self.pending.is_empty()
    }

    /// Handles a callout result; answers the client after the last one. Returns true when
    /// the exchange is finished.
    pub fn callout_done(
        &mut self,
        host: &mut dyn Host,
        router: &Router,
        token: u32,
        result: CalloutResult,
    ) -> bool {
        let Some(slot) = self.pending.take(token) else {
            return false;
        };
        if self.record(host, router, slot, result) {
            return true;
        }
        if !self.idle() {
            return false;
        }
        self.finish(host, router);
        true
    }

    /// Records what `slot` returned (a list may start its next page). Returns true when the
    /// client was answered.
    fn record(
        &mut self,
        host: &mut dyn Host,
        router: &Router,
        slot: usize,
        result: CalloutResult,
    ) -> bool {
        let id = self.id.clone();
        match &mut self.kind {
            Kind::Initialize { joined, .. } => {
                let server = &router.servers[slot].name;
                match initialized(backend::outcome(result, &id)) {
                    Ok((session_id, version, result)) => {
                        let part = BackendSession {
                            server: server.clone(),
                            session_id,
                            version,
                        };
                        joined[slot] = Some((part, result));
                    }
                    Err(reason) => warn(host, server, "initialize", &reason),
                }
                false
            }
            Kind::Broadcast { servers, .. } => {
                if let Err(reason) = accepted(&result) {
                    warn(host, &servers[slot], "notification", &reason);
                }
                false
            }
            Kind::Everyone {
                method,
                servers,
                accepted,
                refusal,
            } => {
                match backend::outcome(result, &id) {
                    Outcome::Reply { mut reply, .. } => match reply.response.get_mut("error") {
                        None => *accepted = true,
                        Some(error) => {
                            refusal.get_or_insert_with(|| error.take());
                        }
                    },
                    Outcome::SessionExpired => {
                        warn(host, &servers[slot], method, "HTTP status 404")
                    }
                    Outcome::Failed(reason) => warn(host, &servers[slot], method, &reason),
                }
                false
            }
            Kind::List {
                kind,
                backends,
                items,
                pages,
                caller,
            } => {
                let backend = &backends[slot];
                match listed(backend::outcome(result, &id), *kind) {
                    Ok((page, next)) => {
                        let filter = match kind {
                            ListKind::Tools => router.server(&backend.server).map(|s| &s.tools),
                            _ => None,
                        };
                        let shown = |item: &Value| match filter {
                            None => true,
                            Some(f) => kind.item_name(item).is_some_and(|name| {
                                f.allows(name)
                                    && lists_tool(router, caller.as_ref(), &backend.server, name)
                            }),
                        };
                        items[slot].extend(page.into_iter().filter(|item| shown(item)));
                        pages[slot] += 1;
                        match next {
                            Some(cursor) if pages[slot] < MAX_PAGES => {
                                let kind = *kind;
                                let backend = backend.clone();
                                return self.next_page(host, router, slot, kind, &backend, cursor);
                            }
                            Some(_) => {
                                warn(host, &backend.server, kind.method(), "page limit reached")
                            }
                            None => {}
                        }
                    }
                    Err(reason) => warn(host, &backend.server, kind.method(), &reason),
                }
                false
            }
            Kind::Routed(_) => {
                self.routed_done(host, backend::outcome(result, &id));
                true
            }
        }
    }

    fn next_page(
        &mut self,
        host: &mut dyn Host,
        router: &Router,
        slot: usize,
        kind: ListKind,
        backend: &BackendSession,
        cursor: String,
    ) -> bool {
        let mut params = Map::new();
        params.insert("cursor".to_string(), Value::String(cursor));
        let body = request_body(&self.id, kind.method(), &params);
        let token = match router.server(&backend.server) {
            Some(server) => backend::call(host, router, server, Some(backend), "POST", &body),
            None => Err("server left the config".to_string()),
        };
        self.started(host, router, slot, token)
    }

    /// Whether callout `token` of a routed request that was not sent again yet came back
    /// with 404: the backend no longer knows the session (expired, or the server restarted).
    /// The token is then no longer pending; see `renewal.rs`.
    pub fn session_expired(&mut self, token: u32, result: &CalloutResult) -> bool {
        let Kind::Routed(routed) = &self.kind else {
            return false;
        };
        let expired = matches!(result, Ok(response) if response.status == 404);
        if routed.retried || !expired {
            return false;
        }
        self.pending.take(token);
        true
    }

    /// The backend a list's callout `token` went to.
    pub fn list_backend(&self, token: u32) -> Option<&BackendSession> {
        let Kind::List { backends, .. } = &self.kind else {
            return None;
        };
        backends.get(self.pending.slot(token)?)
    }

    /// Records a request whose stream ended before it was answered (the client left while
    /// the callouts were in flight) with error type [`STREAM_RESET`], as a request
    /// forwarded through the router is.
    pub fn abandoned(&self, host: &mut dyn Host) {
        if let Some(op) = &self.op {
            op.finish(host, Some(STREAM_RESET));
        }
    }

    /// Answers a routed request whose backend session expired and could not be renewed.
    pub fn expired(&mut self, host: &mut dyn Host) {
        self.routed_done(host, Outcome::SessionExpired);
    }

    fn routed_done(&mut self, host: &mut dyn Host, outcome: Outcome) {
        match outcome {
            Outcome::Reply { reply, .. } => {
                let (messages, response) = (&reply.messages, &reply.response);
                let resealed = match &self.kind {
                    Kind::Routed(routed) => routed.resealed.as_deref(),
                    _ => None,
                };
                respond::rpc_response(
                    host,
                    self.op.as_ref(),
                    self.accepts,
                    messages,
                    response,
                    resealed,
                )
            }
            Outcome::SessionExpired => respond::rpc_error(
                host,
                self.op.as_ref(),
                404,
                &self.id,
                INVALID_REQUEST,
                "an MCP server behind the gateway ended its session; initialize a new session",
            ),
            Outcome::Failed(reason) => respond::rpc_error(
                host,
                self.op.as_ref(),
                200,
                &self.id,
                INTERNAL_ERROR,
                &format!("MCP server failed: {reason}"),
            ),
        }
    }

    /// Answers the client from what all callouts returned.
    pub fn finish(&mut self, host: &mut dyn Host, router: &Router) {
        match &mut self.kind {
            Kind::Initialize {
                version,
                joined,
                capabilities,
            } => {
                let joined: Vec<_> = joined.drain(..).flatten().collect();
                if joined.is_empty() {
                    return respond::rpc_error(
                        host,
                        self.op.as_ref(),
                        200,
                        &self.id,
                        INTERNAL_ERROR,
                        "no MCP server behind the gateway could be initialized",
                    );
                }
                let session = Session {
                    version: version.clone(),
                    backends: joined.iter().map(|(part, _)| part.clone()).collect(),
                    client_capabilities: std::mem::take(capabilities),
                };
                let reach = match server_stream::streamed(router, &session) {
                    Some(_) => Reach::StreamedServer,
                    None => Reach::Merged,
                };
                let backends = joined.iter().map(|(p, result)| (p.server.as_str(), result));
                let result = initialize_result(version, reach, backends);
                match session.seal(&router.keys[0]) {
                    Ok(sealed) => {
                        let response = json!({"jsonrpc": "2.0", "id": self.id, "result": result});
                        let op = self.op.as_ref();
                        respond::rpc_response(
                            host,
                            op,
                            self.accepts,
                            &[],
                            &response,
                            Some(&sealed),
                        );
                    }
                    Err(reason) => {
                        let op = self.op.as_ref();
                        respond::rpc_error(host, op, 200, &self.id, INTERNAL_ERROR, &reason)
                    }
                }
            }
            Kind::Broadcast { status, .. } => respond::empty(host, self.op.as_ref(), *status),
            Kind::Everyone {
                method,
                accepted,
                refusal,
                ..
            } => {
                let response = match (*accepted, refusal.take()) {
                    (true, _) => json!({"jsonrpc": "2.0", "id": self.id, "result": {}}),
                    (false, Some(error)) => {
                        json!({"jsonrpc": "2.0", "id": self.id, "error": error})
                    }
                    (false, None) => {
                        let message = format!("no MCP server behind the gateway took {method}");
                        let op = self.op.as_ref();
                        return respond::rpc_error(
                            host,
                            op,
                            200,
                            &self.id,
                            INTERNAL_ERROR,
                            &message,
                        );
                    }
                };
                respond::rpc_response(host, self.op.as_ref(), self.accepts, &[], &response, None);
            }
            Kind::List {
                kind,
                backends,
                items,
                ..
            } => {
                let merged = list_result(
                    *kind,
                    &router.separator,
                    backends
                        .iter()
                        .zip(items.drain(..))
                        .map(|(b, items)| (b.server.as_str(), items)),
                );
                let response = json!({"jsonrpc": "2.0", "id": self.id, "result": merged});
                respond::rpc_response(host, self.op.as_ref(), self.accepts, &[], &response, None);
            }
            Kind::Routed(_) => {}
        }
    }
}

/// Reads a backend's `initialize` answer: its session id, agreed version and result.
pub(crate) fn initialized(outcome: Outcome) -> Result<(Option<String>, String, Value), String> {
    let (session_id, reply) = match outcome {
        Outcome::Reply { session_id, reply } => (session_id, reply),
        Outcome::SessionExpired => return Err("HTTP status 404".to_string()),
        Outcome::Failed(reason) => return Err(reason),
    };
    let mut response = reply.response;
    let result = response
        .get_mut("result")
        .map(Value::take)
        .ok_or_else(|| format!("error {}", response["error"]))?;
    let version = result
        .get("protocolVersion")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if !is_supported(&version) {
        return Err(format!("unsupported protocol version {version:?}"));
    }
    Ok((session_id, negotiate(&version).to_string(), result))
}

/// Reads one page of a list answer: its items and the next cursor.
fn listed(outcome: Outcome, kind: ListKind) -> Result<(Vec<Value>, Option<String>), String> {
    let mut response = match outcome {
        Outcome::Reply { reply, .. } => reply.response,
        Outcome::SessionExpired => return Err("session expired (HTTP 404)".to_string()),
        Outcome::Failed(reason) => return Err(reason),
    };
    let Some(result) = response.get_mut("result") else {
        return Err(format!("error {}", response["error"]));
    };
    let next = result
        .get("nextCursor")
        .and_then(Value::as_str)
        .map(str::to_string);
    match result.get_mut(kind.result_key()).map(Value::take) {
        Some(Value::Array(items)) => Ok((items, next)),
        _ => Err(format!("result has no {} array", kind.result_key())),
    }
}

fn warn(host: &mut dyn Host, server: &str, method: &str, reason: &str) {
    host.log(
        LogLevel::Warn,
        &format!("mcp-router: server {server}: {method} failed: {reason}"),
    );
}
