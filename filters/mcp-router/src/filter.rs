//! The mcp-router filter: answers MCP Streamable HTTP on the configured path by fanning
//! out to, or routing to, the configured MCP servers with HTTP callouts. Every other path
//! passes through after one path comparison.

use crate::authorize::{self, Caller};
use crate::backend_sessions::BackendSessions;
use crate::config::Router;
use crate::dispatch::{SessionState, broadcast, dispatch};
use crate::exchange::{Exchange, Kind};
use crate::relist::{self, Relist, Relisted, Relisting};
use crate::renewal::{self, Renewal, Renewed};
use crate::respond;
use crate::stateless::{self, Headers, Next, Preparation, Retry};
use crate::telemetry::{self, Operation};
use aigw_core::mcp::jsonrpc::{INVALID_REQUEST, Message, PARSE_ERROR, parse};
use aigw_core::mcp::lists::ListKind;
use aigw_core::mcp::reply::Accepts;
use aigw_core::mcp::session::Session;
use aigw_core::mcp::stateless::{
    METHOD_HEADER, NAME_HEADER, PROTOCOL_VERSION_META, check_headers, unsupported,
};
use aigw_core::mcp::{PROTOCOL_VERSION_HEADER, SESSION_HEADER, is_supported};
use aigw_host::{
    BodyStatus, CalloutResult, Filter, FilterFactory, HeadersStatus, Host, MetricId,
    MetricsRegistry,
};
use serde_json::Value;
use std::ffi::OsString;
use std::sync::Arc;
use std::time::SystemTime;

/// Builds mcp-router filters from the JSON config (see docs/internals.md).
#[derive(Debug)]
pub struct McpRouterFactory {
    router: Arc<Router>,
    duration: MetricId,
    sessions: Arc<BackendSessions>,
}

impl McpRouterFactory {
    /// Builds the factory from config text, looking environment variables up with `env`,
    /// and defines its metric in `metrics`.
    pub fn with_env(
        config: &str,
        env: impl Fn(&str) -> Option<OsString>,
        metrics: &mut dyn MetricsRegistry,
    ) -> Result<Self, String> {
        Ok(Self {
            router: Arc::new(Router::from_json(config, env)?),
            duration: telemetry::define(metrics)?,
            sessions: Arc::default(),
        })
    }
}

impl FilterFactory for McpRouterFactory {
    type Filter = McpRouterFilter;

    fn from_config(config: &str, metrics: &mut dyn MetricsRegistry) -> Result<Self, String> {
        Self::with_env(config, |var| std::env::var_os(var), metrics)
    }

    fn create_filter(&self) -> McpRouterFilter {
        McpRouterFilter {
            router: self.router.clone(),
            duration: self.duration,
            sessions: self.sessions.clone(),
            stateless: false,
            retry: None,
            relist: None,
            state: State::PassThrough,
        }
    }
}

/// The mcp-router filter of one stream.
#[derive(Debug)]
pub struct McpRouterFilter {
    router: Arc<Router>,
    duration: MetricId,
    /// Backend sessions kept by the factory (stateless clients, renewals).
    sessions: Arc<BackendSessions>,
    /// Whether the message is served statelessly (2026-07-28).
    stateless: bool,
    /// The stateless request, until it was served again once.
    retry: Option<Box<Retry>>,
    /// A list in a gateway session, until it was served again once.
    relist: Option<Box<Relist>>,
    state: State,
}

#[derive(Debug)]
enum State {
    /// Not the MCP path: the filter does nothing.
    PassThrough,
    /// A POST to the MCP path whose body is being buffered.
    Reading {
        accepts: Accepts,
        session: SessionState,
        caller: Option<Caller>,
        /// The routing headers.
        headers: Headers,
        /// When the request headers arrived.
        started: SystemTime,
    },
    /// Handshakes for a stateless request in flight.
    Preparing(Box<Preparation>),
    /// Callouts in flight.
    Waiting(Exchange),
    /// A routed request waiting for its expired backend session to be renewed.
    Renewing(Box<Renewal>),
    /// A list waiting for an expired backend session to be renewed.
    Relisting(Box<Relisting>),
    /// The client was answered.
    Done,
}

impl McpRouterFilter {
    fn session(&self, host: &dyn Host) -> SessionState {
        match host.request_header(SESSION_HEADER) {
            None => SessionState::Missing,
            Some(text) => match Session::open(&text, &self.router.keys) {
                Ok(mut session) => {
                    self.sessions.apply(&mut session);
                    SessionState::Open(session)
                }
                Err(reason) => SessionState::Refused(reason),
            },
        }
    }

    /// The operation of `message`, started at `started`, in the protocol version of the
    /// session (or of the request's `MCP-Protocol-Version` header).
    fn operation(
        &self,
        host: &dyn Host,
        message: &Message,
        session: &SessionState,
        started: SystemTime,
    ) -> Operation {
        let method = match message {
            Message::Request { method, .. } | Message::Notification { method, .. } => method,
            Message::Response { .. } => "",
        };
        let version = match session {
            SessionState::Open(session) => session.version.clone(),
            _ => host
                .request_header(PROTOCOL_VERSION_HEADER)
                .unwrap_or_default(),
        };
        Operation::new(self.duration, started, method, &version)
    }

    fn answered(&mut self, exchange: Option<Exchange>) {
        self.state = exchange.map_or(State::Done, State::Waiting);
    }

    fn relisted(&mut self, relisted: Relisted) {
        match relisted {
            Relisted::Renewing(relisting) => self.state = State::Relisting(relisting),
            Relisted::Dispatched(exchange) => self.answered(exchange.map(|e| *e)),
        }
    }

    fn renewed(&mut self, renewed: Renewed) {
        self.state = match renewed {
            Renewed::Answered => State::Done,
            Renewed::Renewing(renewal) => State::Renewing(renewal),
            Renewed::Waiting(exchange) => State::Waiting(*exchange),
        };
    }

    fn next(&mut self, next: Next) {
        self.state = match next {
            Next::Answered => State::Done,
            Next::Preparing(preparation) => State::Preparing(preparation),
            Next::Waiting(exchange) => State::Waiting(*exchange),
        };
    }
}

impl Filter for McpRouterFilter {
    fn on_request_headers(&mut self, host: &mut dyn Host, end_of_stream: bool) -> HeadersStatus {
        let path = host.request_header(":path").unwrap_or_default();
        let path = path.split('?').next().unwrap_or_default();
        if path != self.router.path {
            if authorize::metadata(host, &self.router, path) {
                self.state = State::Done;
                return HeadersStatus::StopIteration;
            }
            return HeadersStatus::Continue;
        }
        self.state = State::Done;
        let Ok(caller) = authorize::authenticate(host, &self.router) else {
            return HeadersStatus::StopIteration;
        };
        let method = host.request_header(":method").unwrap_or_default();
        if let Some(version) = host.request_header(PROTOCOL_VERSION_HEADER)
            && !is_supported(&version)
        {
            respond::rpc_rejection(host, None, &unsupported(&version).to_response(&Value::Null));
            return HeadersStatus::StopIteration;
        }
        match method.as_str() {
            "POST" => {
                let content_type = host.request_header("content-type").unwrap_or_default();
                let accepts = Accepts::from_header(host.request_header("accept").as_deref());
                if !content_type
                    .trim_start()
                    .to_ascii_lowercase()
                    .starts_with("application/json")
                {
                    respond::http_error(host, 415, &[], "MCP messages must be application/json");
                } else if !accepts.any() {
                    let message = "Accept must allow application/json or text/event-stream";
                    respond::http_error(host, 406, &[], message);
                } else if end_of_stream {
                    respond::rpc_error(host, None, 400, &Value::Null, PARSE_ERROR, "empty body");
                } else {
                    let session = self.session(host);
                    let headers = Headers {
                        version: host.request_header(PROTOCOL_VERSION_HEADER),
                        method: host.request_header(METHOD_HEADER),
                        name: host.request_header(NAME_HEADER),
                    };
                    self.state = State::Reading {
                        accepts,
                        session,
                        caller,
                        headers,
                        started: host.now(),
                    };
                }
            }
            "DELETE" => match self.session(host) {
                SessionState::Open(session) => {
                    let router = self.router.clone();
                    let exchange = broadcast(host, &router, &session, "DELETE", b"", 200, None);
                    self.answered(exchange);
                }
                SessionState::Missing => {
                    respond::http_error(host, 400, &[], "the Mcp-Session-Id header is required")
                }
                SessionState::Refused(reason) => {
                    respond::http_error(host, 404, &[], &format!("unknown session: {reason}"))
                }
            },
            _ => respond::http_error(
                host,
                405,
                &[("allow", "POST, DELETE")],
                "the MCP endpoint takes POST and DELETE; GET server streams are not offered",
            ),
        }
        HeadersStatus::StopIteration
    }

    fn on_request_body(&mut self, host: &mut dyn Host, end_of_stream: bool) -> BodyStatus {
        match &self.state {
            State::PassThrough => return BodyStatus::Continue,
            State::Reading { .. } => {}
            State::Waiting(_)
            | State::Preparing(_)
            | State::Renewing(_)
            | State::Relisting(_)
            | State::Done => {
                return BodyStatus::StopNoBuffer;
            }
        }
        let body = host.request_body();
        if body.len() > self.router.max_request_bytes {
            self.state = State::Done;
            let message = format!(
                "request body larger than {} bytes",
                self.router.max_request_bytes
            );
            respond::rpc_error(host, None, 413, &Value::Null, INVALID_REQUEST, &message);
            return BodyStatus::StopNoBuffer;
        }
        if !end_of_stream {
            return BodyStatus::StopAndBuffer;
        }
        let State::Reading {
            accepts,
            session,
            caller,
            headers,
            started,
        } = std::mem::replace(&mut self.state, State::Done)
        else {
            return BodyStatus::StopNoBuffer;
        };
        match parse(&body) {
            Ok(message) => {
                let op = self.operation(host, &message, &session, started);
                let router = self.router.clone();
                let caller = caller.as_ref();
                if headers.stateless() || sessionless_envelope(&session, &message) {
                    self.stateless = true;
                    let request = stateless::Request {
                        accepts,
                        caller,
                        headers: &headers,
                        op,
                    };
                    self.retry = Some(Box::new(Retry::new(&request, &message)));
                    let sessions = self.sessions.clone();
                    let next = stateless::handle(host, &router, &sessions, request, message);
                    self.next(next);
                } else if let Err(rejection) = routing_headers_agree(&message, &headers) {
                    let id = match &message {
                        Message::Request { id, .. } => id.clone(),
                        _ => Value::Null,
                    };
                    respond::rpc_rejection(host, Some(&op), &rejection.to_response(&id));
                } else {
                    if let (SessionState::Open(open), Message::Request { method, .. }) =
                        (&session, &message)
                        && ListKind::from_method(method).is_some()
                    {
                        let relist = Relist::new(&message, accepts, caller, &op, open);
                        self.relist = Some(Box::new(relist));
                    }
                    let exchange = dispatch(host, &router, accepts, session, message, caller, op);
                    self.answered(exchange);
                }
            }
            Err(error) => {
                let status = if error.code == PARSE_ERROR || error.code == INVALID_REQUEST {
                    400
                } else {
                    200
                };
                respond::rpc_error(host, None, status, &error.id, error.code, &error.message);
            }
        }
        BodyStatus::StopNoBuffer
    }

    fn on_callout_done(&mut self, host: &mut dyn Host, token: u32, result: CalloutResult) {
        if let State::Preparing(_) = self.state {
            let State::Preparing(preparation) = std::mem::replace(&mut self.state, State::Done)
            else {
                return;
            };
            let router = self.router.clone();
            let sessions = self.sessions.clone();
            let next = preparation.callout_done(host, &router, &sessions, token, result);
            self.next(next);
            return;
        }
        if let State::Renewing(_) = self.state {
            let State::Renewing(renewal) = std::mem::replace(&mut self.state, State::Done) else {
                return;
            };
            let router = self.router.clone();
            let sessions = self.sessions.clone();
            let renewed = renewal.callout_done(host, &router, &sessions, token, result);
            self.renewed(renewed);
            return;
        }
        if let State::Relisting(_) = self.state {
            let State::Relisting(relisting) = std::mem::replace(&mut self.state, State::Done)
            else {
                return;
            };
            let router = self.router.clone();
            let sessions = self.sessions.clone();
            let relisted = relisting.callout_done(host, &router, &sessions, token, result);
            self.relisted(relisted);
            return;
        }
        let State::Waiting(exchange) = &mut self.state else {
            return;
        };
        let expired = matches!(&result, Ok(response) if response.status == 404);
        if expired
            && !self.stateless
            && let Some(old) = exchange.list_backend(token).cloned()
            && let Some(relist) = self.relist.take()
        {
            let router = self.router.clone();
            let sessions = self.sessions.clone();
            let relisted = relist::start(host, &router, &sessions, *relist, old);
            self.relisted(relisted);
            return;
        }
        if exchange.session_expired(token, &result) {
            let State::Waiting(exchange) = std::mem::replace(&mut self.state, State::Done) else {
                return;
            };
            let router = self.router.clone();
            let sessions = self.sessions.clone();
            let renewed = renewal::start(host, &router, &sessions, exchange);
            self.renewed(renewed);
            return;
        }
        if self.stateless && matches!(&result, Ok(response) if response.status == 404) {
            // A kept backend session expired or its server restarted.
            self.sessions.clear();
            if let (Kind::List { .. }, Some(retry)) = (&exchange.kind, self.retry.take()) {
                // The list's other callouts are abandoned (their results are ignored).
                let router = self.router.clone();
                let sessions = self.sessions.clone();
                let next = retry.again(host, &router, &sessions);
                self.next(next);
                return;
            }
        }
        if exchange.callout_done(host, &self.router, token, result) {
            self.state = State::Done;
        }
    }
}

/// Whether a message without a gateway session carries a stateless envelope (a 2026-07-28
/// request whose protocol version header is missing: refused as a header mismatch).
fn sessionless_envelope(session: &SessionState, message: &Message) -> bool {
    let Message::Request { method, params, .. } = message else {
        return false;
    };
    matches!(session, SessionState::Missing)
        && method != "initialize"
        && params
            .get("_meta")
            .is_some_and(|meta| meta.get(PROTOCOL_VERSION_META).is_some())
}

/// Checks the `Mcp-Method`/`Mcp-Name` headers a handshake-era request carries against its
/// body (the headers are optional before 2026-07-28).
fn routing_headers_agree(
    message: &Message,
    headers: &Headers,
) -> Result<(), aigw_core::mcp::stateless::Rejection> {
    match message {
        Message::Request { method, params, .. } | Message::Notification { method, params } => {
            check_headers(method, params, headers.routing())
        }
        Message::Response { .. } => Ok(()),
    }
}

#[cfg(test)]
#[path = "filter_tests.rs"]
mod tests;
