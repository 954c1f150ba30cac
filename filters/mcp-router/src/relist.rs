//! Renewing an expired backend session met by a list in a gateway session: when one server
//! answers a fanned-out list with 404, the gateway initializes a new session with it,
//! remembers the renewal (see [`BackendSessions`]) and serves the list once more in the
//! renewed session. The first exchange's remaining callout results are ignored.

use crate::authorize::Caller;
use crate::backend_sessions::BackendSessions;
use crate::config::Router;
use crate::dispatch::{SessionState, dispatch};
use crate::flow::{AfterHandshake, Handshaking, Step, advance};
use crate::handshake::Handshake;
use crate::telemetry::Operation;
use aigw_core::mcp::jsonrpc::Message;
use aigw_core::mcp::merge::GATEWAY_NAME;
use aigw_core::mcp::reply::Accepts;
use aigw_core::mcp::session::{BackendSession, Session};
use aigw_host::Host;
use serde_json::json;

/// A list request in a gateway session, kept so that it can be served once more.
#[derive(Debug)]
pub struct Relist {
    message: Message,
    accepts: Accepts,
    caller: Option<Caller>,
    op: Operation,
    session: Session,
}

impl Relist {
    /// A copy of the list `message` of the client in `session`.
    pub fn new(
        message: &Message,
        accepts: Accepts,
        caller: Option<&Caller>,
        op: &Operation,
        session: &Session,
    ) -> Self {
        Self {
            message: message.clone(),
            accepts,
            caller: caller.cloned(),
            op: op.clone(),
            session: session.clone(),
        }
    }
}

/// The handshake renewing `old`, then the list again.
#[derive(Debug)]
pub struct Relisting {
    relist: Relist,
    old: BackendSession,
    handshake: Handshake,
}

/// Starts renewing `old` (a backend of `relist`'s session that answered 404).
pub fn start(
    host: &mut dyn Host,
    router: &Router,
    sessions: &BackendSessions,
    relist: Relist,
    old: BackendSession,
) -> Step {
    let servers: Vec<_> = router.server(&old.server).into_iter().collect();
    let client = json!({"name": GATEWAY_NAME, "version": env!("CARGO_PKG_VERSION")});
    let capabilities = &relist.session.client_capabilities;
    let handshake = Handshake::start(host, router, &servers, &client, capabilities);
    let relisting = Relisting {
        relist,
        old,
        handshake,
    };
    advance(relisting, host, router, sessions)
}

impl AfterHandshake for Relisting {
    fn handshake(&mut self) -> &mut Handshake {
        &mut self.handshake
    }

    fn operation(&self) -> Option<&Operation> {
        Some(&self.relist.op)
    }

    fn held(self) -> Handshaking {
        Handshaking::List(Box::new(self))
    }

    /// Records the renewal and serves the list again.
    fn proceed(self, host: &mut dyn Host, router: &Router, sessions: &BackendSessions) -> Step {
        if let Some((part, _)) = self.handshake.joined().into_iter().next() {
            sessions.renew(&self.old, part);
        }
        // Served again even when the handshake failed: the server is then left out.
        let Relist {
            message,
            accepts,
            caller,
            op,
            mut session,
        } = self.relist;
        sessions.apply(&mut session);
        let session = SessionState::Open(session);
        let exchange = dispatch(host, router, accepts, session, message, caller.as_ref(), op);
        exchange.into()
    }
}
