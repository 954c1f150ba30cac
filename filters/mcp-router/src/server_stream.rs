//! GET on the MCP endpoint, the server-to-client stream of Streamable HTTP. A session with
//! exactly one server, and a server that keeps sessions, gets that server's stream through
//! Envoy's router (its answer, stream or 405, passes through untouched). Any other session
//! gets 405, which the spec allows for an endpoint that offers no stream: merging several
//! servers' streams into one is not done.

use crate::config::{Router, Server};
use crate::dispatch::SessionState;
use crate::forward::{self, Forwarded};
use crate::respond;
use crate::telemetry::Operation;
use aigw_core::mcp::reply::Accepts;
use aigw_core::mcp::session::{BackendSession, Session};
use aigw_host::Host;

/// `allow` of the 405 answer.
pub const ALLOW: &str = "POST, DELETE";

/// Answers a GET, or forwards it and returns what to wait for.
pub fn open(
    host: &mut dyn Host,
    router: &Router,
    session: SessionState,
    op: Operation,
) -> Option<Forwarded> {
    let session = match session {
        SessionState::Open(session) => session,
        SessionState::Missing => {
            let message = "the Mcp-Session-Id header is required";
            respond::http_error(host, Some(&op), 400, &[], message);
            return None;
        }
        SessionState::Refused(reason) => {
            let message = format!("unknown session: {reason}");
            respond::http_error(host, Some(&op), 404, &[], &message);
            return None;
        }
    };
    if !Accepts::from_header(host.request_header("accept").as_deref()).sse {
        let message = "Accept must allow text/event-stream";
        respond::http_error(host, Some(&op), 406, &[], message);
        return None;
    }
    let Some((server, part)) = streamed(router, &session) else {
        let message = "this session offers no server stream: it has several MCP servers, \
                       or one that keeps no session";
        respond::http_error(host, Some(&op), 405, &[("allow", ALLOW)], message);
        return None;
    };
    forward::point_at(host, server, part, "text/event-stream");
    Some(Forwarded::new(op, false).relabelling(&server.name, &router.separator))
}

/// The one server whose stream `session` gets, and its part of the session: `None` when the
/// session has several servers, or one that keeps no session.
pub fn streamed<'r, 's>(
    router: &'r Router,
    session: &'s Session,
) -> Option<(&'r Server, &'s BackendSession)> {
    match session.backends.as_slice() {
        [part] if part.session_id.is_some() => router.server(&part.server).map(|s| (s, part)),
        _ => None,
    }
}
