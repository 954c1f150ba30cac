//! What a stream does with its parsed client message beyond one exchange: the stateless
//! path, handshakes it waits for (for a stateless client, or to renew an expired backend
//! session), and serving a request again after such a renewal.

use crate::authorize::Caller;
use crate::backend_sessions::BackendSessions;
use crate::config::Router;
use crate::dispatch::{Next, SessionState, dispatch};
use crate::exchange::{Exchange, Kind};
use crate::forward::{Forwarded, STREAM_RESET};
use crate::handshake::Handshake;
use crate::relist::{self, Relist, Relisting};
use crate::renewal::{self, Renewal};
use crate::respond;
use crate::stateless::{self, Headers, Preparation, Retry};
use crate::telemetry::Operation;
use aigw_core::mcp::jsonrpc::Message;
use aigw_core::mcp::lists::ListKind;
use aigw_core::mcp::reply::Accepts;
use aigw_core::mcp::stateless::{PROTOCOL_VERSION_META, check_headers};
use aigw_host::{CalloutResult, Host};
use serde_json::Value;

/// Where a stream is after a step.
#[derive(Debug)]
pub enum Step {
    /// The client was answered.
    Answered,
    /// Handshakes in flight.
    Handshaking(Handshaking),
    /// An exchange's callouts in flight.
    Waiting(Box<Exchange>),
    /// Forwarded to one server through the router; its answer streams back.
    Forwarded(Box<Forwarded>),
}

impl From<Option<Exchange>> for Step {
    fn from(exchange: Option<Exchange>) -> Self {
        exchange.map_or(Step::Answered, |e| Step::Waiting(Box::new(e)))
    }
}

impl From<Option<Next>> for Step {
    fn from(next: Option<Next>) -> Self {
        match next {
            None => Step::Answered,
            Some(Next::Callouts(exchange)) => Step::Waiting(Box::new(exchange)),
            Some(Next::Router(forwarded)) => Step::Forwarded(Box::new(forwarded)),
        }
    }
}

/// What a stream waits for handshakes for.
#[derive(Debug)]
pub enum Handshaking {
    /// A stateless request needing backend sessions.
    Stateless(Box<Preparation>),
    /// A routed request whose backend session expired.
    Call(Box<Renewal>),
    /// A list that met an expired backend session.
    List(Box<Relisting>),
}

impl Handshaking {
    /// Handles the result of callout `token`.
    pub fn callout_done(
        self,
        host: &mut dyn Host,
        router: &Router,
        sessions: &BackendSessions,
        token: u32,
        result: CalloutResult,
    ) -> Step {
        let done = Done {
            host,
            router,
            sessions,
        };
        match self {
            Self::Stateless(p) => resume(*p, done, token, result),
            Self::Call(r) => resume(*r, done, token, result),
            Self::List(r) => resume(*r, done, token, result),
        }
    }

    /// Records the held request as one whose stream ended before it was answered.
    pub fn abandoned(&self, host: &mut dyn Host) {
        let op = match self {
            Self::Stateless(p) => p.operation(),
            Self::Call(r) => r.operation(),
            Self::List(r) => r.operation(),
        };
        if let Some(op) = op {
            op.finish(host, Some(STREAM_RESET));
        }
    }
}

/// A request held while a [`Handshake`] runs, and what it does once the handshake is over.
pub trait AfterHandshake: Sized {
    /// The handshake in flight.
    fn handshake(&mut self) -> &mut Handshake;
    /// `self` as the stream's waiting state.
    fn held(self) -> Handshaking;
    /// The held request's operation, finished by its answer.
    fn operation(&self) -> Option<&Operation>;
    /// Goes on once every handshake callout came back.
    fn proceed(self, host: &mut dyn Host, router: &Router, sessions: &BackendSessions) -> Step;
}

/// Goes on with `pending` once its handshake finished; keeps it waiting otherwise.
pub fn advance<T: AfterHandshake>(
    mut pending: T,
    host: &mut dyn Host,
    router: &Router,
    sessions: &BackendSessions,
) -> Step {
    if !pending.handshake().finished() {
        return Step::Handshaking(pending.held());
    }
    pending.proceed(host, router, sessions)
}

/// What handling a callout result needs.
struct Done<'d> {
    host: &'d mut dyn Host,
    router: &'d Router,
    sessions: &'d BackendSessions,
}

/// Gives `pending`'s handshake the result of callout `token`, then advances it.
fn resume<T: AfterHandshake>(
    mut pending: T,
    done: Done<'_>,
    token: u32,
    result: CalloutResult,
) -> Step {
    let Done {
        host,
        router,
        sessions,
    } = done;
    pending
        .handshake()
        .callout_done(host, router, token, result);
    advance(pending, host, router, sessions)
}

/// A parsed client message and how it came.
pub struct Incoming<'i> {
    /// The message.
    pub message: Message,
    /// Forms the client accepts.
    pub accepts: Accepts,
    /// The client's gateway session, as read.
    pub session: SessionState,
    /// The routing headers.
    pub headers: &'i Headers,
    /// The authenticated client.
    pub caller: Option<&'i Caller>,
    /// The message's operation.
    pub op: Operation,
}

/// What a stream keeps to serve its request again once.
#[derive(Debug, Default)]
pub struct Replays {
    stateless: bool,
    retry: Option<Box<Retry>>,
    relist: Option<Box<Relist>>,
}

impl Replays {
    /// Serves `incoming`: statelessly (2026-07-28), or in its gateway session once its
    /// routing headers, when present, agree with the body.
    pub fn serve(
        &mut self,
        host: &mut dyn Host,
        router: &Router,
        sessions: &BackendSessions,
        incoming: Incoming<'_>,
    ) -> Step {
        let Incoming {
            message,
            accepts,
            session,
            headers,
            caller,
            op,
        } = incoming;
        if headers.stateless() || sessionless_envelope(&session, &message) {
            self.stateless = true;
            let request = stateless::Request {
                accepts,
                caller,
                headers,
                op,
            };
            self.retry = Some(Box::new(Retry::new(&request, &message)));
            return stateless::handle(host, router, sessions, request, message);
        }
        if let Err(rejection) = routing_headers_agree(&message, headers) {
            let id = match &message {
                Message::Request { id, .. } => id.clone(),
                _ => Value::Null,
            };
            respond::rpc_rejection(host, Some(&op), &rejection.to_response(&id));
            return Step::Answered;
        }
        if let (SessionState::Open(open), Message::Request { method, .. }) = (&session, &message)
            && ListKind::from_method(method).is_some()
        {
            let relist = Relist::new(&message, accepts, caller, &op, open);
            self.relist = Some(Box::new(relist));
        }
        dispatch(host, router, accepts, session, message, caller, op).into()
    }

    /// Handles the result of `exchange`'s callout `token`. A 404 (the backend no longer
    /// knows the session) renews the session of a routed request or a list in a gateway
    /// session, and serves a stateless list again with new backend sessions, each once.
    pub fn callout_done(
        &mut self,
        host: &mut dyn Host,
        router: &Router,
        sessions: &BackendSessions,
        mut exchange: Exchange,
        token: u32,
        result: CalloutResult,
    ) -> Step {
        let expired = matches!(&result, Ok(response) if response.status == 404);
        if expired
            && !self.stateless
            && let Some(old) = exchange.list_backend(token).cloned()
            && let Some(relist) = self.relist.take()
        {
            return relist::start(host, router, sessions, *relist, old);
        }
        if exchange.session_expired(token, &result) {
            return renewal::start(host, router, sessions, exchange);
        }
        if expired && self.stateless {
            // A kept backend session expired or its server restarted.
            sessions.clear();
            if let (Kind::List { .. }, Some(retry)) = (&exchange.kind, self.retry.take()) {
                // The list's other callouts are abandoned (their results are ignored).
                return retry.again(host, router, sessions);
            }
        }
        if exchange.callout_done(host, router, token, result) {
            return Step::Answered;
        }
        Step::Waiting(Box::new(exchange))
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
