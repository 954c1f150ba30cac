//! What the fetched credential kinds share (OAuth tokens in `token.rs`, STS credentials in
//! `web_identity.rs`): a per-worker [`TokenCell`] per config, one fetch in flight per
//! worker, requests at a cold cache held until it ends (a [`Waker`] each), a refresh
//! started by the request three quarters into the lifetime, and a failed fetch answered
//! with a 503 (OpenAI error object) to every held request, its cause logged without secrets.

use aigw_core::auth::token::{Issued, Lookup, TokenCell, TokenRequest, unavailable_error_body};
use aigw_host::{HeadersStatus, Host, LogLevel, Waker};
use std::sync::Arc;
use std::time::Duration;

/// A credential cache of one worker.
pub(crate) type Cell<T> = TokenCell<T, Box<dyn Waker>>;

/// Where one stream is with the shared fetch.
#[derive(Debug, Default)]
pub(crate) struct Waiting {
    /// The callout this stream made for the cell.
    pub fetch: Option<u32>,
    /// Waiting for another stream's fetch, since this generation.
    pub waiting: Option<u64>,
    /// The request is held until the credential is known.
    pub held: bool,
}

/// A credential kind fetched through HTTP callouts and cached per worker.
pub(crate) trait Fetched {
    /// The cached credential.
    type Value;
    /// The kind's per-stream state.
    type Stream;

    /// The fetch state inside the stream state.
    fn waiting(s: &mut Self::Stream) -> &mut Waiting;
    /// Runs `f` on this config's cell of the current worker.
    fn with_cell<R>(&self, f: impl FnOnce(&mut Cell<Self::Value>) -> R) -> R;
    /// Starts the callout that fetches a new credential (recorded in `waiting().fetch`).
    fn start_fetch(&self, s: &mut Self::Stream, host: &mut dyn Host) -> Result<(), String>;
    /// The credential is known: use it. `in_headers` as for [`act`]; a request woken
    /// from a hold (`!in_headers` and held) is continued by this call when it is ready.
    fn got(
        &self,
        s: &mut Self::Stream,
        host: &mut dyn Host,
        value: Arc<Self::Value>,
        in_headers: bool,
    ) -> HeadersStatus;
    /// The backend the credential is for (log lines and error bodies).
    fn backend(&self) -> &str;
    /// The fetch, named in log lines ("token fetch", "STS AssumeRoleWithWebIdentity").
    fn fetch_name(&self) -> &'static str;
}

/// POSTs the form `request` to `cluster`, asking for `accept`; returns the callout's id.
pub(crate) fn post_form(
    host: &mut dyn Host,
    cluster: &str,
    request: &TokenRequest,
    accept: &str,
    timeout: Duration,
) -> Result<u32, String> {
    let headers = [
        (":method", "POST"),
        (":path", request.path.as_str()),
        (":authority", request.authority.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
        ("accept", accept),
    ];
    host.http_callout(cluster, &headers, &request.body, timeout)
}

/// Request headers arrived: looks the credential up and acts on it.
pub(crate) fn on_headers<F: Fetched>(
    f: &F,
    s: &mut F::Stream,
    host: &mut dyn Host,
) -> HeadersStatus {
    let lookup = f.with_cell(|c| c.lookup(host.now()));
    act(f, s, host, lookup, true)
}

/// Another stream's fetch ended: a waiting stream looks again.
pub(crate) fn on_wake<F: Fetched>(f: &F, s: &mut F::Stream, host: &mut dyn Host) {
    let Some(generation) = F::waiting(s).waiting.take() else {
        return;
    };
    let lookup = f.with_cell(|c| c.resume(generation, host.now()));
    act(f, s, host, lookup, false);
}

/// This stream's fetch ended with `issued`: the cell learns it, waiters wake, and a held
/// request goes on or gets the 503.
pub(crate) fn settle<F: Fetched>(
    f: &F,
    s: &mut F::Stream,
    host: &mut dyn Host,
    issued: Result<Issued<F::Value>, String>,
) {
    let outcome = issued
        .as_ref()
        .map(|t| t.value.clone())
        .map_err(Clone::clone);
    wake_all(f.with_cell(|c| c.fetched(issued)));
    match outcome {
        Ok(value) if F::waiting(s).held => {
            f.got(s, host, value, false);
        }
        Ok(_) => {}
        Err(cause) => failed(f, F::waiting(s), host, &cause),
    }
}

/// The stream ended: a fetch it started is cancelled with it, so waiters take over.
pub(crate) fn on_complete<F: Fetched>(f: &F, s: &mut F::Stream) {
    if F::waiting(s).fetch.take().is_some() {
        wake_all(f.with_cell(Cell::abandoned));
    }
}

/// Carries out a lookup; `in_headers` is true in the headers callback (which returns the
/// status) and false when woken (where the request is continued, not returned to).
fn act<F: Fetched>(
    f: &F,
    s: &mut F::Stream,
    host: &mut dyn Host,
    lookup: Lookup<F::Value>,
    in_headers: bool,
) -> HeadersStatus {
    match lookup {
        Lookup::Use(value) => f.got(s, host, value, in_headers),
        Lookup::UseAndRefresh(value) => {
            if let Err(cause) = f.start_fetch(s, host) {
                let name = f.fetch_name();
                log(f, host, &format!("{name} for a refresh failed: {cause}"));
                wake_all(f.with_cell(|c| c.fetched(Err(cause))));
            }
            f.got(s, host, value, in_headers)
        }
        Lookup::Fetch => {
            F::waiting(s).held = true;
            if let Err(cause) = f.start_fetch(s, host) {
                wake_all(f.with_cell(|c| c.fetched(Err(cause.clone()))));
                failed(f, F::waiting(s), host, &cause);
            }
            HeadersStatus::StopIteration
        }
        Lookup::Wait => {
            let waker = host.waker();
            let w = F::waiting(s);
            w.held = true;
            w.waiting = Some(f.with_cell(|c| c.wait(waker)));
            HeadersStatus::StopIteration
        }
        Lookup::Failed(cause) => {
            F::waiting(s).held = true;
            failed(f, F::waiting(s), host, &cause);
            HeadersStatus::StopIteration
        }
    }
}

/// Logs the failed fetch and answers a held request with a 503.
fn failed<F: Fetched>(f: &F, w: &mut Waiting, host: &mut dyn Host, cause: &str) {
    let name = f.fetch_name();
    log(f, host, &format!("{name} failed: {cause}"));
    if std::mem::replace(&mut w.held, false) {
        host.send_local_reply(
            503,
            &[("content-type", "application/json")],
            &unavailable_error_body(f.backend(), cause),
        );
    }
}

/// A warning naming the backend.
fn log<F: Fetched>(f: &F, host: &mut dyn Host, what: &str) {
    host.log(
        LogLevel::Warn,
        &format!("upstream-auth backend {}: {what}", f.backend()),
    );
}

fn wake_all(waiters: Vec<Box<dyn Waker>>) {
    for waiter in waiters {
        waiter.wake();
    }
}
