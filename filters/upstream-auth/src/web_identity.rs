//! The `aws_web_identity` kind in the filter: temporary AWS credentials from STS
//! `AssumeRoleWithWebIdentity`, cached and shared as [`crate::fetched`] describes (never
//! used in their last tenth), and SigV4 signing of the final request with them.
//!
//! A request at a cold cache is held; its body is buffered as for plain SigV4. When the
//! credentials arrive before the body ends, the body callback signs; when the body ended
//! first, a copy of it taken then is signed and the request continued. A failed STS call
//! answers every held request with a 503 (OpenAI error object) and logs the cause (status
//! and STS error code), never a token or key.

use crate::fetched::{self, Cell, Fetched, Waiting};
use crate::signing::sign_request;
use crate::web_identity_config::WebIdentityConfig;
use aigw_core::auth::sigv4::{AwsCredentials, SigningScope};
use aigw_core::auth::sts::{AssumeRole, parse_sts_response};
use aigw_host::{BodyStatus, CalloutResult, HeadersStatus, Host};
use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::OsString;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

thread_local! {
    /// The credential caches of this worker, by config id.
    static CELLS: RefCell<HashMap<u64, Cell<AwsCredentials>>> = RefCell::new(HashMap::new());
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
    /// The shared STS call.
    wait: Waiting,
    /// The credentials to sign with, once known.
    credentials: Option<Arc<AwsCredentials>>,
    /// The whole body, when it ended before the credentials came.
    body: Option<Vec<u8>>,
}

impl Fetched for WebIdentitySource {
    type Value = AwsCredentials;
    type Stream = WebIdentityStream;

    fn waiting(s: &mut WebIdentityStream) -> &mut Waiting {
        &mut s.wait
    }

    fn with_cell<R>(&self, f: impl FnOnce(&mut Cell<AwsCredentials>) -> R) -> R {
        CELLS.with(|cells| f(cells.borrow_mut().entry(self.id).or_default()))
    }

    fn start_fetch(&self, s: &mut WebIdentityStream, host: &mut dyn Host) -> Result<(), String> {
        let request = self.role.request()?;
        let token = fetched::post_form(
            host,
            &self.cluster,
            &request,
            "application/xml",
            self.timeout,
        )?;
        s.wait.fetch = Some(token);
        Ok(())
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
        let was_held = std::mem::replace(&mut s.wait.held, false);
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

    fn backend(&self) -> &str {
        &self.backend
    }

    fn fetch_name(&self) -> &'static str {
        "STS AssumeRoleWithWebIdentity"
    }
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
        fetched::on_headers(self, s, host)
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
        fetched::on_wake(self, s, host);
    }

    /// This stream's STS callout ended.
    pub(crate) fn on_callout_done(
        &self,
        s: &mut WebIdentityStream,
        host: &mut dyn Host,
        token: u32,
        result: CalloutResult,
    ) {
        if s.wait.fetch != Some(token) {
            return;
        }
        s.wait.fetch = None;
        let now = host.now();
        let issued = result.and_then(|r| parse_sts_response(r.status, &r.body, now));
        fetched::settle(self, s, host, issued);
    }

    /// The stream ended: an STS call it started is cancelled with it, so waiters take over.
    pub(crate) fn on_complete(&self, s: &mut WebIdentityStream) {
        fetched::on_complete(self, s);
    }
}

#[cfg(test)]
#[path = "web_identity_tests.rs"]
mod tests;
