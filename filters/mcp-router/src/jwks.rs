//! The issuer's JWKS fetched from its `jwks_uri` through an HTTP callout and cached per
//! worker (thread-local, per config) as `aigw_core::mcp::authz::jwks` describes: the
//! source of one config, the fetch, and what one stream keeps while it waits.

use aigw_core::auth::token::TokenUrl;
use aigw_core::mcp::authz::jwks::{JwksCell, RefreshPolicy, parse_jwks_response};
use aigw_core::mcp::authz::token::KeySet;
use aigw_host::{CalloutResult, Host, LogLevel, Waker};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Timeout of one JWKS fetch.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// Least time between two refetches for tokens with an unknown `kid`, and before a refresh
/// is tried again after a failed one.
const MIN_REFETCH_INTERVAL: Duration = Duration::from_secs(30);

/// The fetched keys of one config on this worker.
pub(crate) type Cell = JwksCell<Box<dyn Waker>>;

thread_local! {
    /// The key caches of this worker, by config id.
    static CELLS: RefCell<HashMap<u64, Cell>> = RefCell::new(HashMap::new());
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A `jwks_uri` and the cluster reaching it, shared by every stream (and worker) of a config.
#[derive(Debug)]
pub struct JwksSource {
    id: u64,
    cluster: String,
    url: TokenUrl,
    policy: RefreshPolicy,
}

/// Where one stream is with the shared fetch.
#[derive(Debug, Default)]
pub(crate) struct KeyWait {
    /// The callout this stream made to fetch the keys.
    pub fetch: Option<u32>,
    /// Waiting for another stream's fetch, since this generation.
    pub waiting: Option<u64>,
}

impl JwksSource {
    /// The source for `uri` reached through `cluster`, keys kept `cache_seconds`; errors name
    /// the field.
    pub fn new(uri: &str, cluster: &str, cache_seconds: u64) -> Result<Self, String> {
        let url = TokenUrl::parse(uri).map_err(|e| format!("jwks_uri: {e}"))?;
        if cluster.is_empty() {
            return Err("jwks_cluster: must not be empty".into());
        }
        if !(1..=86_400).contains(&cache_seconds) {
            return Err(format!(
                "jwks_cache_seconds: {cache_seconds} must be between 1 and 86400"
            ));
        }
        Ok(Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            cluster: cluster.to_string(),
            url,
            policy: RefreshPolicy {
                cache: Duration::from_secs(cache_seconds),
                min_interval: MIN_REFETCH_INTERVAL.min(Duration::from_secs(cache_seconds)),
            },
        })
    }

    /// When keys are fetched again.
    pub(crate) fn policy(&self) -> RefreshPolicy {
        self.policy
    }

    /// Runs `f` on this config's cache of the current worker.
    pub(crate) fn with_cell<R>(&self, f: impl FnOnce(&mut Cell) -> R) -> R {
        CELLS.with(|cells| f(cells.borrow_mut().entry(self.id).or_default()))
    }

    /// Starts the callout that fetches the keys, recorded in `wait`. A failure to start ends
    /// the fetch at once (logged, waiters woken) and is returned.
    pub(crate) fn start_fetch(
        &self,
        host: &mut dyn Host,
        wait: &mut KeyWait,
    ) -> Result<(), String> {
        let headers = [
            (":method", "GET"),
            (":path", self.url.path.as_str()),
            (":authority", self.url.authority.as_str()),
            ("accept", "application/json"),
        ];
        match host.http_callout(&self.cluster, &headers, b"", FETCH_TIMEOUT) {
            Ok(token) => {
                wait.fetch = Some(token);
                Ok(())
            }
            Err(cause) => {
                let cause = format!("cannot start the callout: {cause}");
                let _known = self.settle(host, Err(cause.clone()));
                Err(cause)
            }
        }
    }

    /// This stream's fetch ended with `result`: the cache learns the keys (or the failure,
    /// logged once here), waiters wake. Returns the keys now known, or the failure when none
    /// are.
    pub(crate) fn fetched(
        &self,
        host: &mut dyn Host,
        result: CalloutResult,
    ) -> Result<Arc<KeySet>, String> {
        let parsed = result
            .map_err(|e| format!("no answer ({e})"))
            .and_then(|r| parse_jwks_response(r.status, &r.body));
        self.settle(host, parsed)
    }

    fn settle(
        &self,
        host: &mut dyn Host,
        result: Result<KeySet, String>,
    ) -> Result<Arc<KeySet>, String> {
        if let Err(cause) = &result {
            host.log(
                LogLevel::Warn,
                &format!(
                    "mcp-router: JWKS fetch from {} failed: {cause}",
                    self.url.url
                ),
            );
        }
        let failure = result.as_ref().err().cloned();
        let now = host.now();
        let (waiters, keys) = self.with_cell(|c| (c.fetched(result, now), c.keys()));
        for waiter in waiters {
            waiter.wake();
        }
        keys.ok_or_else(|| failure.unwrap_or_default())
    }

    /// The stream ended: a fetch it started is cancelled with it, so a waiter takes over.
    pub(crate) fn abandon(&self, wait: &mut KeyWait) {
        if wait.fetch.take().is_some() {
            for waiter in self.with_cell(Cell::abandoned) {
                waiter.wake();
            }
        }
    }
}

#[cfg(test)]
#[path = "jwks_tests.rs"]
mod tests;
