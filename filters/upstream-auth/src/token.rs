//! Token credentials in the filter: a bearer token fetched through an HTTP callout to the
//! token endpoint's Envoy cluster (for workload identity with impersonation, a second
//! callout to `generateAccessToken` follows), cached and shared as [`crate::fetched`]
//! describes, and set as the request's `authorization` header.

use crate::fetched::{self, Cell, Fetched, Waiting};
use crate::token_config::TokenConfig;
use aigw_core::auth::token::{
    Grant, ImpersonationRequest, TokenUrl, parse_impersonation_response, parse_token_response,
};
use aigw_core::auth::{ExposeSecret, SecretString};
use aigw_host::{BodyStatus, CalloutResult, HeadersStatus, Host};
use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::OsString;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

thread_local! {
    /// The caches of this worker, by config id.
    static CELLS: RefCell<HashMap<u64, Cell<SecretString>>> = RefCell::new(HashMap::new());
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
    /// The shared fetch.
    wait: Waiting,
    /// The callout in `wait.fetch` is the second step (`generateAccessToken`) of a workload
    /// identity fetch.
    impersonating: bool,
}

impl Fetched for TokenSource {
    type Value = SecretString;
    type Stream = TokenStream;

    fn waiting(s: &mut TokenStream) -> &mut Waiting {
        &mut s.wait
    }

    fn with_cell<R>(&self, f: impl FnOnce(&mut Cell<SecretString>) -> R) -> R {
        CELLS.with(|cells| f(cells.borrow_mut().entry(self.id).or_default()))
    }

    fn start_fetch(&self, s: &mut TokenStream, host: &mut dyn Host) -> Result<(), String> {
        let request = self.grant.request(&self.url, host.now())?;
        let token = fetched::post_form(
            host,
            &self.cluster,
            &request,
            "application/json",
            self.timeout,
        )?;
        s.wait.fetch = Some(token);
        Ok(())
    }

    /// Sets the token; continues a request that was held for it.
    fn got(
        &self,
        s: &mut TokenStream,
        host: &mut dyn Host,
        value: Arc<SecretString>,
        in_headers: bool,
    ) -> HeadersStatus {
        host.set_request_header("authorization", value.expose_secret());
        let was_held = std::mem::replace(&mut s.wait.held, false);
        if !in_headers && was_held {
            host.continue_request();
        }
        HeadersStatus::Continue
    }

    fn backend(&self) -> &str {
        &self.backend
    }

    fn fetch_name(&self) -> &'static str {
        "token fetch"
    }
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

    /// Request headers arrived (client credentials already removed).
    pub(crate) fn on_headers(&self, s: &mut TokenStream, host: &mut dyn Host) -> HeadersStatus {
        fetched::on_headers(self, s, host)
    }

    /// A body chunk arrived: held requests keep it buffered until the token is set.
    pub(crate) fn on_body(&self, s: &TokenStream) -> BodyStatus {
        if s.wait.held {
            BodyStatus::StopAndBuffer
        } else {
            BodyStatus::Continue
        }
    }

    /// Another stream's fetch ended.
    pub(crate) fn on_wake(&self, s: &mut TokenStream, host: &mut dyn Host) {
        fetched::on_wake(self, s, host);
    }

    /// This stream's token callout ended.
    pub(crate) fn on_callout_done(
        &self,
        s: &mut TokenStream,
        host: &mut dyn Host,
        token: u32,
        result: CalloutResult,
    ) {
        if s.wait.fetch != Some(token) {
            return;
        }
        s.wait.fetch = None;
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
        fetched::settle(self, s, host, issued);
    }

    /// The stream ended: a fetch it started is cancelled with it, so waiters take over.
    pub(crate) fn on_complete(&self, s: &mut TokenStream) {
        fetched::on_complete(self, s);
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
        s.wait.fetch = Some(token);
        s.impersonating = true;
        Ok(())
    }
}

#[cfg(test)]
#[path = "token_tests.rs"]
mod tests;
