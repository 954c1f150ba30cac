//! The `aws_web_identity` kind in the filter: temporary AWS credentials from STS
//! `AssumeRoleWithWebIdentity`, cached per worker in a [`TokenCell`] (one STS call in
//! flight per worker, refresh three quarters into the credentials' lifetime, never used in
//! their last tenth), and SigV4 signing of the final request with them.
//!
//! A request at a cold cache is held; its body is buffered as for plain SigV4. When the
//! credentials arrive before the body ends, the body callback signs; when the body ended
//! first, a copy of it taken then is signed and the request continued. A failed STS call
//! answers every held request with a 503 (OpenAI error object) and logs the cause (status
//! and STS error code), never a token or key.

use crate::signing::sign_request;
use crate::web_identity_config::WebIdentityConfig;
use aigw_core::auth::sigv4::{AwsCredentials, SigningScope};
use aigw_core::auth::sts::{AssumeRole, parse_sts_response};
use aigw_core::auth::token::{Lookup, TokenCell, unavailable_error_body};
use aigw_host::{BodyStatus, CalloutResult, HeadersStatus, Host, LogLevel, Waker};
use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::OsString;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

type Cell = TokenCell<AwsCredentials, Box<dyn Waker>>;

thread_local! {
    /// The credential caches of this worker, by config id.
    static CELLS: RefCell<HashMap<u64, Cell>> = RefCell::new(HashMap::new());
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A role and its STS endpoint, shared by every stream (and worker) of a config.
#[derive(Debug)]
pub(crate) struct WebIdentitySource {
    backend: String,
    id: u64,
    cluster: String,
    scope: SigningScope,
    role: AssumeRole,
    timeout: Duration,
}

/// What one stream does with the credentials.
#[derive(Debug, Default)]
pub(crate) struct WebIdentityStream {
    /// The STS callout this stream made for the cell.
    fetch: Option<u32>,
    /// Waiting for another stream's STS call, since this generation.
    waiting: Option<u64>,
    /// The request waits for credentials.
    held: bool,
    /// The credentials to sign with, once known.
    credentials: Option<Arc<AwsCredentials>>,
    /// The whole body, when it ended before the credentials came.
    body: Option<Vec<u8>>,
}

impl WebIdentitySource {
    /// Builds the source from an `aws_web_identity` config text.
    pub(crate) fn from_config(
        text: &str,
        env: impl Fn(&str) -> Option<OsString>,
        files: bool,
    ) -> Result<(String, Self), String> {
        let config = WebIdentityConfig::parse(text)?;
        let role = config.assume_role(env, files)?;
        Ok((
            config.backend.clone(),
            Self {
                backend: config.backend.clone(),
                id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
                cluster: config.sts_cluster.clone(),
                scope: config.scope(),
                role,
                timeout: Duration::from_millis(config.fetch_timeout_ms),
            },
        ))
    }

    fn cell<R>(&self, f: impl FnOnce(&mut Cell) -> R) -> R {
        CELLS.with(|cells| f(cells.borrow_mut().entry(self.id).or_default()))
    }

    /// Request headers arrived (client credentials already removed).
    pub(crate) fn on_headers(
        &self,
        s: &mut WebIdentityStream,
        host: &mut dyn Host,
        end_of_stream: bool,
    ) -> HeadersStatus {
        if end_of_stream {
            s.body = Some(Vec::new());
        }
        let lookup = self.cell(|c| c.lookup(host.now()));
        self.act(s, host, lookup, true)
    }

    /// A body chunk arrived: buffered until the end, then signed when the credentials
    /// are there, else kept for signing when they come.
    pub(crate) fn on_body(
        &self,
        s: &mut WebIdentityStream,
        host: &mut dyn Host,
        end_of_stream: bool,
    ) -> BodyStatus {
        if !end_of_stream {
            return BodyStatus::StopAndBuffer;
        }
        let body = host.request_body();
        match &s.credentials {
            Some(credentials) => {
                sign_request(host, &self.scope, credentials, &body);
                BodyStatus::Continue
            }
            None => {
                s.body = Some(body);
                BodyStatus::StopAndBuffer
            }
        }
    }

    /// Another stream's STS call ended.
    pub(crate) fn on_wake(&self, s: &mut WebIdentityStream, host: &mut dyn Host) {
        let Some(generation) = s.waiting.take() else {
            return;
        };
        let lookup = self.cell(|c| c.resume(generation, host.now()));
        self.act(s, host, lookup, false);
    }

    /// This stream's STS callout ended.
    pub(crate) fn on_callout_done(
        &self,
        s: &mut WebIdentityStream,
        host: &mut dyn Host,
        token: u32,
        result: CalloutResult,
    ) {
        if s.fetch != Some(token) {
            return;
        }
        s.fetch = None;
        let now = host.now();
        let issued = result.and_then(|r| parse_sts_response(r.status, &r.body, now));
        let outcome = issued
            .as_ref()
            .map(|t| t.value.clone())
            .map_err(Clone::clone);
        wake_all(self.cell(|c| c.fetched(issued)));
        match outcome {
            Ok(credentials) if s.held => {
                self.got(s, host, credentials, false);
            }
            Ok(_) => {}
            Err(cause) => self.failed(s, host, &cause),
        }
    }

    /// The stream ended: an STS call it started is cancelled with it, so waiters take over.
    pub(crate) fn on_complete(&self, s: &mut WebIdentityStream) {
        if s.fetch.take().is_some() {
            wake_all(self.cell(Cell::abandoned));
        }
    }

    /// Carries out a lookup; `in_headers` is true in the headers callback (which returns
    /// the status) and false when woken (which continues the request itself).
    fn act(
        &self,
        s: &mut WebIdentityStream,
        host: &mut dyn Host,
        lookup: Lookup<AwsCredentials>,
        in_headers: bool,
    ) -> HeadersStatus {
        match lookup {
            Lookup::Use(credentials) => self.got(s, host, credentials, in_headers),
            Lookup::UseAndRefresh(credentials) => {
                if let Err(cause) = self.start_fetch(s, host) {
                    host.log(
                        LogLevel::Warn,
                        &self.message(&format!("credentials refresh failed: {cause}")),
                    );
                    wake_all(self.cell(|c| c.fetched(Err(cause))));
                }
                self.got(s, host, credentials, in_headers)
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

    /// Credentials are known: sign now when the whole body is there (continuing a held
    /// request), else leave signing to the body callback.
    fn got(
        &self,
        s: &mut WebIdentityStream,
        host: &mut dyn Host,
        credentials: Arc<AwsCredentials>,
        in_headers: bool,
    ) -> HeadersStatus {
        let was_held = std::mem::replace(&mut s.held, false);
        let body = s.body.take();
        s.credentials = Some(credentials.clone());
        let Some(body) = body else {
            return HeadersStatus::StopIteration;
        };
        sign_request(host, &self.scope, &credentials, &body);
        if !in_headers && was_held {
            host.continue_request();
        }
        HeadersStatus::Continue
    }

    fn start_fetch(&self, s: &mut WebIdentityStream, host: &mut dyn Host) -> Result<(), String> {
        let request = self.role.request()?;
        let headers = [
            (":method", "POST"),
            (":path", request.path.as_str()),
            (":authority", request.authority.as_str()),
            ("content-type", "application/x-www-form-urlencoded"),
            ("accept", "application/xml"),
        ];
        let token = host.http_callout(&self.cluster, &headers, &request.body, self.timeout)?;
        s.fetch = Some(token);
        Ok(())
    }

    fn failed(&self, s: &mut WebIdentityStream, host: &mut dyn Host, cause: &str) {
        host.log(
            LogLevel::Warn,
            &self.message(&format!("STS AssumeRoleWithWebIdentity failed: {cause}")),
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

fn wake_all(waiters: Vec<Box<dyn Waker>>) {
    for waiter in waiters {
        waiter.wake();
    }
}

#[cfg(test)]
#[path = "web_identity_tests.rs"]
mod tests;
