//! Renewing an expired backend session: when a server answers a routed request with 404
//! (it no longer knows the session: expired, or the server restarted), the gateway
//! initializes a new session with that server (`initialize`, `notifications/initialized`),
//! sends the request once more in it, and remembers the new session (see
//! [`BackendSessions`]) so that the client's session stays usable. The answer carries the
//! gateway session id resealed with the new backend session, for clients that take it.

use crate::backend;
use crate::backend_sessions::BackendSessions;
use crate::config::Router;
use crate::exchange::{Exchange, Kind};
use crate::flow::{AfterHandshake, Handshaking, Step, advance};
use crate::handshake::Handshake;
use crate::telemetry::Operation;
use aigw_core::mcp::merge::GATEWAY_NAME;
use aigw_core::mcp::stateless::STATELESS_VERSION;
use aigw_host::Host;
use serde_json::json;

/// A renewal in flight: the routed exchange waiting for the handshake.
#[derive(Debug)]
pub struct Renewal {
    exchange: Exchange,
    handshake: Handshake,
}

/// Starts renewing the backend session of the routed `exchange`.
pub fn start(
    host: &mut dyn Host,
    router: &Router,
    sessions: &BackendSessions,
    mut exchange: Exchange,
) -> Step {
    let target = match &exchange.kind {
        Kind::Routed(routed) => router
            .server(&routed.part.server)
            .map(|server| (server, &routed.session.client_capabilities)),
        _ => None,
    };
    let Some((server, capabilities)) = target else {
        exchange.expired(host);
        return Step::Answered;
    };
    let client = json!({"name": GATEWAY_NAME, "version": env!("CARGO_PKG_VERSION")});
    let handshake = Handshake::start(host, router, &[server], &client, capabilities);
    let renewal = Renewal {
        exchange,
        handshake,
    };
    advance(renewal, host, router, sessions)
}

impl AfterHandshake for Renewal {
    fn handshake(&mut self) -> &mut Handshake {
        &mut self.handshake
    }

    fn held(self) -> Handshaking {
        Handshaking::Call(Box::new(self))
    }

    fn operation(&self) -> Option<&Operation> {
        self.exchange.op.as_ref()
    }

    /// Sends the request again in the new session, or answers 404 when there is none.
    fn proceed(self, host: &mut dyn Host, router: &Router, sessions: &BackendSessions) -> Step {
        let Self {
            mut exchange,
            handshake,
        } = self;
        let joined = handshake.joined().into_iter().next();
        let (Some((part, result)), Kind::Routed(routed)) = (joined, &mut exchange.kind) else {
            exchange.expired(host);
            return Step::Answered;
        };
        if routed.session.version == STATELESS_VERSION {
            sessions.put(part.clone(), result, host.now());
        } else {
            sessions.renew(&routed.part, part.clone());
            for backend in &mut routed.session.backends {
                if backend.server == part.server {
                    *backend = part.clone();
                }
            }
            routed.resealed = routed.session.seal(&router.keys[0]).ok();
        }
        routed.part = part;
        routed.retried = true;
        let token = match router.server(&routed.part.server) {
            Some(server) => backend::call(
                host,
                router,
                server,
                Some(&routed.part),
                "POST",
                &routed.body,
            ),
            None => Err("server left the config".to_string()),
        };
        if exchange.started(host, router, 0, token) {
            return Step::Answered;
        }
        Step::Waiting(Box::new(exchange))
    }
}

#[cfg(test)]
#[path = "renewal_tests.rs"]
mod tests;
