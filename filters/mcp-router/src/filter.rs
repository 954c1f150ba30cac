//! The mcp-router filter: answers MCP Streamable HTTP on the configured path by fanning
//! out to the configured MCP servers with HTTP callouts, or forwards a request to one of
//! them through Envoy's router. Every other path passes through after one path comparison.

use crate::authorize::{self, Admission, Caller};
use crate::backend_sessions::BackendSessions;
use crate::config::Router;
use crate::dispatch::{Next, SessionState, broadcast};
use crate::exchange::Exchange;
use crate::flow::{Handshaking, Incoming, Replays, Step};
use crate::forward::Forwarded;
use crate::jwks::KeyWait;
use crate::renewal;
use crate::respond;
use crate::server_stream;
use crate::stateless::Headers;
use crate::telemetry::{self, Operation};
use aigw_core::mcp::jsonrpc::{INVALID_REQUEST, Message, PARSE_ERROR, parse};
use aigw_core::mcp::reply::Accepts;
use aigw_core::mcp::session::Session;
use aigw_core::mcp::stateless::{METHOD_HEADER, NAME_HEADER, unsupported};
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
            replays: Replays::default(),
            keys: KeyWait::default(),
            admitted: None,
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
    /// What is kept to serve the request again once.
    replays: Replays,
    /// This stream's part in fetching the issuer's keys.
    keys: KeyWait,
    /// The caller of a request authenticated after it was held for the keys.
    admitted: Option<Caller>,
    state: State,
}

#[derive(Debug)]
enum State {
    /// Not the MCP path: the filter does nothing.
    PassThrough,
    /// Held until the issuer's keys are known; the body is buffered meanwhile.
    Authenticating {
        /// The request headers ended the stream.
        end_of_stream: bool,
        /// The whole body is buffered.
        body_complete: bool,
    },
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
    /// Handshakes with servers in flight.
    Handshaking(Handshaking),
    /// Callouts in flight.
    Waiting(Exchange),
    /// Forwarded to one server through the router; its answer streams back.
    Forwarded(Forwarded),
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

    /// An operation not tied to a JSON-RPC method (GET, DELETE, a body that is no
    /// JSON-RPC message), in the version of the request's header when supported.
    fn http_operation(&self, host: &dyn Host, started: SystemTime) -> Operation {
        let version = host
            .request_header(PROTOCOL_VERSION_HEADER)
            .filter(|v| is_supported(v))
            .unwrap_or_default();
        Operation::new(self.duration, started, "", &version)
    }

    /// Records a forwarded request's operation once its answer ended (or the stream did).
    fn forward_ended(&mut self, host: &mut dyn Host) {
        if let State::Forwarded(forwarded) = std::mem::replace(&mut self.state, State::Done) {
            forwarded.finish(host);
        }
    }

    fn answered(&mut self, next: Option<Next>) {
        self.state = match next {
            None => State::Done,
            Some(Next::Callouts(exchange)) => State::Waiting(exchange),
            Some(Next::Router(forwarded)) => State::Forwarded(forwarded),
        };
    }

    fn step(&mut self, step: Step) {
        self.state = match step {
            Step::Answered => State::Done,
            Step::Handshaking(handshaking) => State::Handshaking(handshaking),
            Step::Waiting(exchange) => State::Waiting(*exchange),
            Step::Forwarded(forwarded) => State::Forwarded(*forwarded),
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
        let caller = match self.admitted.take() {
            Some(caller) => Some(caller),
            None => match authorize::authenticate(host, &self.router.clone(), &mut self.keys) {
                Admission::Admitted(caller) => caller,
                Admission::Refused => return HeadersStatus::StopIteration,
                Admission::Held => {
                    let body_complete = end_of_stream;
                    self.state = State::Authenticating {
                        end_of_stream,
                        body_complete,
                    };
                    return HeadersStatus::StopIteration;
                }
            },
        };
        let method = host.request_header(":method").unwrap_or_default();
        let op = self.http_operation(host, host.now());
        if let Some(version) = host.request_header(PROTOCOL_VERSION_HEADER)
            && !is_supported(&version)
        {
            let rejection = unsupported(&version).to_response(&Value::Null);
            respond::rpc_rejection(host, Some(&op), &rejection);
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
                    let message = "MCP messages must be application/json";
                    respond::http_error(host, Some(&op), 415, &[], message);
                } else if !accepts.any() {
                    let message = "Accept must allow application/json or text/event-stream";
                    respond::http_error(host, Some(&op), 406, &[], message);
                } else if end_of_stream {
                    let op = Some(&op);
                    respond::rpc_error(host, op, 400, &Value::Null, PARSE_ERROR, "empty body");
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
                    let op = Some(op);
                    let exchange = broadcast(host, &router, &session, "DELETE", b"", 200, op);
                    self.answered(exchange.map(Next::Callouts));
                }
                SessionState::Missing => {
                    let message = "the Mcp-Session-Id header is required";
                    respond::http_error(host, Some(&op), 400, &[], message)
                }
                SessionState::Refused(reason) => {
                    let message = format!("unknown session: {reason}");
                    respond::http_error(host, Some(&op), 404, &[], &message)
                }
            },
            "GET" => {
                let session = self.session(host);
                let router = self.router.clone();
                let forwarded = server_stream::open(host, &router, session, op);
                self.answered(forwarded.map(Next::Router));
                if matches!(self.state, State::Forwarded(_)) {
                    return HeadersStatus::Continue;
                }
            }
            _ => respond::http_error(
                host,
                Some(&op),
                405,
                &[("allow", "GET, POST, DELETE")],
                "the MCP endpoint takes GET, POST and DELETE",
            ),
        }
        HeadersStatus::StopIteration
    }

    fn on_request_body(&mut self, host: &mut dyn Host, end_of_stream: bool) -> BodyStatus {
        match &self.state {
            State::PassThrough => return BodyStatus::Continue,
            State::Reading { .. } => {}
            State::Authenticating { .. } => {
                // A body follows, so the headers did not end the stream.
                self.state = State::Authenticating {
                    end_of_stream: false,
                    body_complete: end_of_stream,
                };
                return BodyStatus::StopAndBuffer;
            }
            State::Forwarded(_) => return BodyStatus::Continue,
            State::Waiting(_) | State::Handshaking(_) | State::Done => {
                return BodyStatus::StopNoBuffer;
            }
        }
        let body = host.request_body();
        if body.len() > self.router.max_request_bytes {
            let State::Reading { started, .. } = self.state else {
                return BodyStatus::StopNoBuffer;
            };
            self.state = State::Done;
            let message = format!(
                "request body larger than {} bytes",
                self.router.max_request_bytes
            );
            let op = self.http_operation(host, started);
            respond::rpc_error(
                host,
                Some(&op),
                413,
                &Value::Null,
                INVALID_REQUEST,
                &message,
            );
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
                let incoming = Incoming {
                    message,
                    accepts,
                    session,
                    headers: &headers,
                    caller: caller.as_ref(),
                    op,
                };
                let step = self.replays.serve(host, &router, &self.sessions, incoming);
                self.step(step);
            }
            Err(error) => {
                let status = if error.code == PARSE_ERROR || error.code == INVALID_REQUEST {
                    400
                } else {
                    200
                };
                let op = self.http_operation(host, started);
                let (id, code) = (&error.id, error.code);
                respond::rpc_error(host, Some(&op), status, id, code, &error.message);
            }
        }
        if matches!(self.state, State::Forwarded(_)) {
            return BodyStatus::Continue;
        }
        BodyStatus::StopNoBuffer
    }

    fn on_callout_done(&mut self, host: &mut dyn Host, token: u32, result: CalloutResult) {
        if self.keys.fetch == Some(token) {
            let held = matches!(self.state, State::Authenticating { .. });
            let router = self.router.clone();
            let admission = authorize::keys_fetched(host, &router, &mut self.keys, result, held);
            return self.authenticated(host, admission);
        }
        let (router, sessions) = (self.router.clone(), self.sessions.clone());
        let step = match std::mem::replace(&mut self.state, State::Done) {
            State::Handshaking(h) => h.callout_done(host, &router, &sessions, token, result),
            State::Waiting(exchange) => {
                let replays = &mut self.replays;
                replays.callout_done(host, &router, &sessions, exchange, token, result)
            }
            other => {
                self.state = other;
                return;
            }
        };
        self.step(step);
    }

    /// A forwarded request's answer begins. A 404 for its backend session is held back
    /// while the session is renewed and the request sent again by callout, whose answer
    /// replaces it (a local reply, see docs/internals.md); any other answer passes on.
    fn on_response_headers(&mut self, host: &mut dyn Host, end_of_stream: bool) -> HeadersStatus {
        let State::Forwarded(forwarded) = &mut self.state else {
            return HeadersStatus::Continue;
        };
        if !forwarded.session_expired(host) {
            if forwarded.response_headers(host, end_of_stream) {
                self.forward_ended(host);
            }
            return HeadersStatus::Continue;
        }
        if let State::Forwarded(forwarded) = std::mem::replace(&mut self.state, State::Done)
            && let Some(exchange) = forwarded.into_renewal()
        {
            let (router, sessions) = (self.router.clone(), self.sessions.clone());
            self.step(renewal::start(host, &router, &sessions, exchange));
        }
        HeadersStatus::StopIteration
    }

    fn on_response_body(&mut self, host: &mut dyn Host, end_of_stream: bool) -> BodyStatus {
        match &mut self.state {
            State::Forwarded(forwarded) => {
                if forwarded.response_body(host, end_of_stream) {
                    self.forward_ended(host);
                }
                BodyStatus::Continue
            }
            // The body of a 404 being replaced (see `on_response_headers`) is dropped.
            State::Handshaking(_) | State::Waiting(_) => BodyStatus::StopNoBuffer,
            State::PassThrough
            | State::Authenticating { .. }
            | State::Reading { .. }
            | State::Done => BodyStatus::Continue,
        }
    }

    fn on_wake(&mut self, host: &mut dyn Host) {
        let router = self.router.clone();
        let admission = authorize::woken(host, &router, &mut self.keys);
        self.authenticated(host, admission);
    }

    fn on_stream_complete(&mut self, host: &mut dyn Host) {
        authorize::abandon(&self.router, &mut self.keys);
        match std::mem::replace(&mut self.state, State::Done) {
            State::Waiting(exchange) => exchange.abandoned(host),
            State::Handshaking(handshaking) => handshaking.abandoned(host),
            State::Forwarded(forwarded) => forwarded.finish(host),
            _ => {}
        }
    }
}

impl McpRouterFilter {
    /// A request held for the issuer's keys was authenticated (or refused): it goes on as
    /// if it just arrived, with its body when all of it was buffered meanwhile.
    fn authenticated(&mut self, host: &mut dyn Host, admission: Option<Admission>) {
        let State::Authenticating {
            end_of_stream,
            body_complete,
        } = self.state
        else {
            return;
        };
        match admission {
            None | Some(Admission::Held) => return,
            Some(Admission::Refused) => {
                self.state = State::Done;
                return;
            }
            Some(Admission::Admitted(caller)) => self.admitted = caller,
        }
        let mut go_on = self.on_request_headers(host, end_of_stream) == HeadersStatus::Continue;
        if body_complete && matches!(self.state, State::Reading { .. }) {
            go_on = self.on_request_body(host, true) == BodyStatus::Continue;
        }
        if go_on {
            host.continue_request();
        }
    }
}

#[cfg(test)]
#[path = "filter_tests.rs"]
mod tests;
