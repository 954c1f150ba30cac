//! Token credentials in the filter: a per-worker [`TokenCell`] per config, fetched through
//! an HTTP callout to the token endpoint's Envoy cluster (for workload identity with
//! impersonation, a second callout to `generateAccessToken` follows). The first request at a cold cache
//! fetches and holds its headers; concurrent requests hold theirs and wait (a [`Waker`]
//! each) until the fetch ends; a request three quarters into a token's lifetime uses it
//! and fetches the next one alongside. A failed fetch answers every held request with a
//! 503 (OpenAI error object) and logs the cause, never a secret.

use crate::token_config::TokenConfig;
use aigw_core::auth::token::{
    Grant, ImpersonationRequest, Lookup, TokenCell, TokenUrl, parse_impersonation_response,
    parse_token_response, unavailable_error_body,
};
use aigw_core::auth::{ExposeSecret, SecretString};
use aigw_host::{BodyStatus, CalloutResult, HeadersStatus, Host, LogLevel, Waker};
use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::OsString;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

type Cell = TokenCell<SecretString, Box<dyn Waker>>;

thread_local! {
    /// The caches of this worker, by config id.
    static CELLS: RefCell<HashMap<u64, Cell>> = RefCell::new(HashMap::new());
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A token endpoint and grant, shared by every stream (and worker) of a config.
#[derive(Debug)]
pub(crate) struct TokenSource {
    backend: String,
    id: u64,
    cluster: String,
    url: TokenUrl,
    grant: Grant,
    /// gcp_workload_identity: Envoy cluster of the `generateAccessToken` endpoint.
    impersonation_cluster: Option<String>,
    timeout: Duration,
}

/// What one stream does with the token.
#[derive(Debug, Default)]
pub(crate) struct TokenStream {
    /// The callout this stream made for the cell.
    fetch: Option<u32>,
    /// That callout is the second step (`generateAccessToken`) of a workload identity fetch.
    impersonating: bool,
    /// The request is held until a token is set.
    held: bool,
    /// Waiting for another stream's fetch, since this generation.
    waiting: Option<u64>,
}

impl TokenSource {
    /// Builds the source from a token-kind config text.
    pub(crate) fn from_config(
        text: &str,
        env: impl Fn(&str) -> Option<OsString>,
        files: bool,
    ) -> Result<(String, Self), String> {
        let config = TokenConfig::parse(text)?;
        let grant = config.grant(env, files)?;
        Ok((
            config.backend.clone(),
            Self {
                backend: config.backend.clone(),
                id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
                cluster: config.token_cluster.clone(),
                url: config.url(),
                grant,
                impersonation_cluster: config.impersonation_cluster.clone(),
                timeout: Duration::from_millis(config.fetch_timeout_ms),
            },
        ))
    }

    fn cell<R>(&self, f: impl FnOnce(&mut Cell) -> R) -> R {
        CELLS.with(|cells| f(cells.borrow_mut().entry(self.id).or_default()))
    }

    /// Request headers arrived (client credentials already removed).
    pub(crate) fn on_headers(&self, s: &mut TokenStream, host: &mut dyn Host) -> HeadersStatus {
        let lookup = self.cell(|c| c.lookup(host.now()));
        self.act(s, host, lookup, true)
    }

    /// A body chunk arrived: held requests keep it buffered until the token is set.
    pub(crate) fn on_body(&self, s: &TokenStream) -> BodyStatus {
        if s.held {
            BodyStatus::StopAndBuffer
        } else {
            BodyStatus::Continue
        }
    }

    /// Another stream's fetch ended.
    pub(crate) fn on_wake(&self, s: &mut TokenStream, host: &mut dyn Host) {
        let Some(generation) = s.waiting.take() else {
            return;
        };
        let lookup = self.cell(|c| c.resume(generation, host.now()));
        self.act(s, host, lookup, false);
    }

    /// This stream's token callout ended.
    pub(crate) fn on_callout_done(
        &self,
        s: &mut TokenStream,
        host: &mut dyn Host,
        token: u32,
        result: CalloutResult,
    ) {
        if s.fetch != Some(token) {
            return;
        }
        s.fetch = None;
        let now = host.now();
        let second_step = std::mem::take(&mut s.impersonating);
        let mut issued = result.and_then(|r| {
            if second_step {
                parse_impersonation_response(r.status, &r.body, now)
            } else {
                parse_token_response(r.status, &r.body, now)
            }
        });
        // Workload identity with impersonation: the federated token only buys the service
        // account's token, fetched next by this stream (waiters keep waiting).
        if !second_step
            && let (Ok(federated), Grant::WorkloadIdentity(w)) = (&issued, &self.grant)
            && let Some(call) = w.impersonation_request(&federated.value)
        {
            match self.start_impersonation(s, host, call) {
                Ok(()) => return,
                Err(cause) => issued = Err(cause),
            }
        }
        let outcome = issued
            .as_ref()
            .map(|t| t.value.clone())
            .map_err(Clone::clone);
        let waiters = self.cell(|c| c.fetched(issued));
        wake_all(waiters);
        match outcome {
            Ok(value) if s.held => {
                set_token(host, &value);
                s.held = false;
                host.continue_request();
            }
            Ok(_) => {}
            Err(cause) => self.failed(s, host, &cause),
        }
    }

    /// The stream ended: a fetch it started is cancelled with it, so waiters take over.
    pub(crate) fn on_complete(&self, s: &mut TokenStream) {
        if s.fetch.take().is_some() {
            let waiters = self.cell(Cell::abandoned);
            wake_all(waiters);
        }
    }

    /// Carries out a lookup; `in_headers` is true in the headers callback (which returns
    /// the status) and false when woken (which continues the request itself).
    fn act(
        &self,
        s: &mut TokenStream,
        host: &mut dyn Host,
        lookup: Lookup<SecretString>,
        in_headers: bool,
    ) -> HeadersStatus {
        match lookup {
            Lookup::Use(value) => {
                set_token(host, &value);
                self.release(s, host, in_headers)
            }
            Lookup::UseAndRefresh(value) => {
                set_token(host, &value);
                if let Err(cause) = self.start_fetch(s, host) {
                    host.log(
                        LogLevel::Warn,
                        &self.message(&format!("token refresh failed: {cause}")),
                    );
                    wake_all(self.cell(|c| c.fetched(Err(cause))));
                }
                self.release(s, host, in_headers)
            }
            Lookup::Fetch => {
                s.held = true;
                if let Err(cause) = self.start_fetch(s, host) {
                    wake_all(self.cell(|c| c.fetched(Err(cause.clone()))));
                    self.failed(s, host, &cause);
                }
                HeadersStatus::StopIteration
            }
            Lookup::Wait => {
                s.held = true;
                let waker = host.waker();
                s.waiting = Some(self.cell(|c| c.wait(waker)));
                HeadersStatus::StopIteration
            }
            Lookup::Failed(cause) => {
                s.held = true;
                self.failed(s, host, &cause);
                HeadersStatus::StopIteration
            }
        }
    }

    /// A token is set: pass the request on.
    fn release(&self, s: &mut TokenStream, host: &mut dyn Host, in_headers: bool) -> HeadersStatus {
        let was_held = std::mem::replace(&mut s.held, false);
        if !in_headers && was_held {
            host.continue_request();
        }
        HeadersStatus::Continue
    }

    fn start_fetch(&self, s: &mut TokenStream, host: &mut dyn Host) -> Result<(), String> {
        let request = self.grant.request(&self.url, host.now())?;
        let headers = [
            (":method", "POST"),
            (":path", request.path.as_str()),
            (":authority", request.authority.as_str()),
            ("content-type", "application/x-www-form-urlencoded"),
            ("accept", "application/json"),
        ];
        let token = host.http_callout(&self.cluster, &headers, &request.body, self.timeout)?;
        s.fetch = Some(token);
        Ok(())
    }

    fn start_impersonation(
        &self,
        s: &mut TokenStream,
        host: &mut dyn Host,
        call: ImpersonationRequest,
    ) -> Result<(), String> {
        let cluster = self
            .impersonation_cluster
            .as_deref()
            .ok_or("no impersonation_cluster")?;
        let headers = [
            (":method", "POST"),
            (":path", call.path.as_str()),
            (":authority", call.authority.as_str()),
            ("authorization", call.authorization.expose_secret()),
            ("content-type", "application/json"),
            ("accept", "application/json"),
        ];
        let token = host.http_callout(cluster, &headers, &call.body, self.timeout)?;
        s.fetch = Some(token);
        s.impersonating = true;
        Ok(())
    }

    fn failed(&self, s: &mut TokenStream, host: &mut dyn Host, cause: &str) {
        host.log(
            LogLevel::Warn,
            &self.message(&format!("token fetch failed: {cause}")),
        );
        if s.held {
            s.held = false;
            host.send_local_reply(
                503,
                &[("content-type", "application/json")],
                &unavailable_error_body(&self.backend, cause),
            );
        }
    }

    fn message(&self, what: &str) -> String {
        format!("upstream-auth backend {}: {what}", self.backend)
    }
}

fn set_token(host: &mut dyn Host, value: &Arc<SecretString>) {
    host.set_request_header("authorization", value.expose_secret());
}

fn wake_all(waiters: Vec<Box<dyn Waker>>) {
    for waiter in waiters {
        waiter.wake();
    }
}

#[cfg(test)]
#[path = "token_tests.rs"]
mod tests;
