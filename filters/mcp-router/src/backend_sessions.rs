//! The backend sessions the filter factory keeps, shared by its streams (the factory is one
//! per worker with wasm, one per Envoy with the native module, whose workers share it; "worker"
//! below means either):
//! - for stateless (2026-07-28) clients. Such a client has no gateway session, but the
//!   servers behind the gateway may speak only the handshake revisions; the gateway then
//!   initializes one backend session per server and worker, reuses it for every stateless
//!   request for [`SESSION_TTL`], and initializes a new one after that, or as soon as the
//!   server answered 404 for it (restarted or expired);
//! - renewals of expired backend sessions inside gateway sessions. A client keeps the
//!   gateway session id it got from `initialize` (MCP clients read `Mcp-Session-Id` only
//!   there), and that id still holds the expired backend session id, so the worker maps it
//!   to the one it initialized instead (at most [`MAX_RENEWALS`]; other workers and
//!   replicas renew on their own first 404).

use aigw_core::mcp::session::{BackendSession, Session};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// How long a backend session initialized for stateless clients is reused.
pub const SESSION_TTL: Duration = Duration::from_secs(300);

/// Most renewals a worker remembers; when full, it forgets them all (a client whose
/// renewal was forgotten gets its backend session renewed again on its next 404).
pub const MAX_RENEWALS: usize = 4096;

/// Backend sessions by server name, and renewals, shared by the streams of one factory.
#[derive(Debug, Default)]
pub struct BackendSessions {
    joined: Mutex<HashMap<String, Joined>>,
    /// (server, expired backend session id) to the session initialized instead.
    renewed: Mutex<HashMap<(String, String), BackendSession>>,
}

#[derive(Debug, Clone)]
struct Joined {
    part: BackendSession,
    result: Value,
    until: SystemTime,
}

impl BackendSessions {
    /// The session of `server` and its `initialize` result, unless missing or expired at
    /// `now`.
    pub fn get(&self, server: &str, now: SystemTime) -> Option<(BackendSession, Value)> {
        let joined = self.joined.lock().ok()?;
        let entry = joined.get(server).filter(|j| j.until > now)?;
        Some((entry.part.clone(), entry.result.clone()))
    }

    /// Keeps `part` (and its `initialize` result) from `now` for [`SESSION_TTL`].
    pub fn put(&self, part: BackendSession, result: Value, now: SystemTime) {
        if let Ok(mut joined) = self.joined.lock() {
            let entry = Joined {
                part,
                result,
                until: now + SESSION_TTL,
            };
            joined.insert(entry.part.server.clone(), entry);
        }
    }

    /// Remembers that `new` replaces the expired backend session `old`, also for the
    /// sessions `old` itself replaced (a renewed session that expired in turn).
    pub fn renew(&self, old: &BackendSession, new: BackendSession) {
        let Some(id) = old.session_id.clone() else {
            return;
        };
        if let Ok(mut renewed) = self.renewed.lock() {
            if renewed.len() >= MAX_RENEWALS {
                renewed.clear();
            }
            for earlier in renewed.values_mut() {
                if earlier == old {
                    *earlier = new.clone();
                }
            }
            renewed.insert((old.server.clone(), id), new);
        }
    }

    /// Replaces the expired backend sessions of `session` with their renewals.
    pub fn apply(&self, session: &mut Session) {
        let Ok(renewed) = self.renewed.lock() else {
            return;
        };
        if renewed.is_empty() {
            return;
        }
        for part in &mut session.backends {
            if let Some(id) = &part.session_id
                && let Some(new) = renewed.get(&(part.server.clone(), id.clone()))
            {
                *part = new.clone();
            }
        }
    }

    /// Drops every kept session (one of them was refused with 404): the next stateless
    /// request initializes anew.
    pub fn clear(&self) {
        if let Ok(mut joined) = self.joined.lock() {
            joined.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn part(server: &str, id: &str) -> BackendSession {
        BackendSession {
            server: server.to_string(),
            session_id: Some(id.to_string()),
            version: "2025-11-25".to_string(),
        }
    }

    #[test]
    fn sessions_are_reused_until_they_expire_or_are_cleared() {
        let sessions = BackendSessions::default();
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1000);
        assert!(sessions.get("a", t0).is_none());
        sessions.put(part("a", "s1"), json!({"capabilities": {}}), t0);
        let (got, result) = sessions.get("a", t0 + SESSION_TTL / 2).unwrap();
        assert_eq!(got, part("a", "s1"));
        assert_eq!(result, json!({"capabilities": {}}));
        assert!(sessions.get("b", t0).is_none());
        assert!(sessions.get("a", t0 + SESSION_TTL).is_none(), "expired");
        sessions.put(part("a", "s2"), json!({}), t0);
        sessions.clear();
        assert!(sessions.get("a", t0).is_none());
    }

    #[test]
    fn renewals_replace_expired_parts_of_gateway_sessions() {
        let sessions = BackendSessions::default();
        let mut session = Session {
            version: "2025-11-25".to_string(),
            backends: vec![part("a", "old"), part("b", "b1")],
            client_capabilities: Default::default(),
        };
        sessions.apply(&mut session);
        assert_eq!(session.backends[0], part("a", "old"));
        sessions.renew(&part("a", "old"), part("a", "new"));
        sessions.apply(&mut session);
        assert_eq!(session.backends, [part("a", "new"), part("b", "b1")]);
        sessions.renew(&part("a", "new"), part("a", "newer"));
        let mut first = Session {
            version: "2025-11-25".to_string(),
            backends: vec![part("a", "old")],
            client_capabilities: Default::default(),
        };
        sessions.apply(&mut first);
        assert_eq!(
            first.backends,
            [part("a", "newer")],
            "a renewal that expired in turn"
        );
        sessions.apply(&mut session);
        assert_eq!(session.backends[0], part("a", "newer"));
    }
}
