//! The backend sessions a worker keeps for stateless (2026-07-28) clients. Such a client
//! has no gateway session, but the servers behind the gateway may speak only the handshake
//! revisions; the gateway then initializes one backend session per server and worker,
//! reuses it for every stateless request for [`SESSION_TTL`], and initializes a new one after
//! that, or as soon as the server answered 404 for it (restarted or expired).

use aigw_core::mcp::session::BackendSession;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// How long a backend session initialized for stateless clients is reused.
pub const SESSION_TTL: Duration = Duration::from_secs(300);

/// Backend sessions by server name, shared by the streams of one worker.
#[derive(Debug, Default)]
pub struct BackendSessions {
    joined: Mutex<HashMap<String, Joined>>,
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
}
