//! The handshake the gateway makes with handshake-era servers on behalf of a stateless
//! client: `initialize`, then `notifications/initialized` in the session the server opened,
//! for each of a set of servers at once.

use crate::backend::{self, accepted};
use crate::callouts::Callouts;
use crate::config::{Router, Server};
use crate::exchange::initialized;
use aigw_core::mcp::LATEST_VERSION;
use aigw_core::mcp::jsonrpc::{notification_body, request_body};
use aigw_core::mcp::session::BackendSession;
use aigw_host::{CalloutResult, Host, LogLevel};
use serde_json::{Map, Value, json};

/// Where one server is in the handshake.
#[derive(Debug)]
enum Step {
    /// `initialize` sent.
    Initializing,
    /// `notifications/initialized` sent in the new session.
    Confirming(BackendSession, Value),
    /// Ready: the session and the `initialize` result.
    Joined(BackendSession, Value),
    /// The server could not be initialized (logged).
    Failed,
}

/// Handshakes in flight with some servers.
#[derive(Debug)]
pub struct Handshake {
    id: Value,
    servers: Vec<String>,
    steps: Vec<Step>,
    pending: Callouts,
}

impl Handshake {
    /// Sends `initialize` (as client `client_info`, declaring `capabilities`) to each of
    /// `servers`.
    pub fn start(
        host: &mut dyn Host,
        router: &Router,
        servers: &[&Server],
        client_info: &Value,
        capabilities: &Map<String, Value>,
    ) -> Self {
        let id = json!("aigw-handshake");
        let mut params = Map::new();
        params.insert("protocolVersion".into(), json!(LATEST_VERSION));
        params.insert("capabilities".into(), Value::Object(capabilities.clone()));
        params.insert("clientInfo".into(), client_info.clone());
        let body = request_body(&id, "initialize", &params);
        let mut handshake = Self {
            id,
            servers: servers.iter().map(|s| s.name.clone()).collect(),
            steps: servers.iter().map(|_| Step::Initializing).collect(),
            pending: Callouts::default(),
        };
        for (slot, server) in servers.iter().enumerate() {
            let token = backend::call(host, router, server, None, "POST", &body);
            handshake.started(host, slot, token);
        }
        handshake
    }

    /// Whether no callout is in flight (every server joined or failed).
    pub fn finished(&self) -> bool {
        self.pending.is_empty()
    }

    /// Handles the result of callout `token`; returns false when it is not one of this
    /// handshake's.
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
        let step = std::mem::replace(&mut self.steps[slot], Step::Failed);
        self.steps[slot] = match step {
            Step::Initializing => match initialized(backend::outcome(result, &self.id)) {
                Ok((session_id, version, result)) => {
                    let part = BackendSession {
                        server: self.servers[slot].clone(),
                        session_id,
                        version,
                    };
                    let body = notification_body("notifications/initialized", &Map::new());
                    let token = match router.server(&part.server) {
                        Some(server) => {
                            backend::call(host, router, server, Some(&part), "POST", &body)
                        }
                        None => Err("server left the config".to_string()),
                    };
                    match token {
                        Ok(token) => {
                            self.pending.push(token, slot);
                            Step::Confirming(part, result)
                        }
                        Err(reason) => self.failed(host, slot, "callout", &reason),
                    }
                }
                Err(reason) => self.failed(host, slot, "initialize", &reason),
            },
            Step::Confirming(part, value) => match accepted(&result) {
                Ok(()) => Step::Joined(part, value),
                Err(reason) => self.failed(host, slot, "notifications/initialized", &reason),
            },
            done => done,
        };
        true
    }

    /// The servers that joined, with their sessions and `initialize` results.
    pub fn joined(self) -> Vec<(BackendSession, Value)> {
        let steps = self.steps.into_iter();
        steps
            .filter_map(|step| match step {
                Step::Joined(part, result) => Some((part, result)),
                _ => None,
            })
            .collect()
    }

    fn started(&mut self, host: &mut dyn Host, slot: usize, token: Result<u32, String>) {
        match token {
            Ok(token) => self.pending.push(token, slot),
            Err(reason) => self.steps[slot] = self.failed(host, slot, "callout", &reason),
        }
    }

    fn failed(&self, host: &mut dyn Host, slot: usize, what: &str, reason: &str) -> Step {
        let server = &self.servers[slot];
        let message = format!(
            "mcp-router: server {server}: {what} of the gateway's handshake failed: {reason}"
        );
        host.log(LogLevel::Warn, &message);
        Step::Failed
    }
}
