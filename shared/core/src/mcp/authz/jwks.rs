//! A JWKS fetched from the issuer's `jwks_uri` and cached per worker: one fetch at a time
//! (single flight) with the other requests waiting for it, a refresh once the cache duration
//! has passed (the cached keys keep serving meanwhile, and when the refresh fails; a failed
//! refresh is retried after the least interval), and a refetch when a token names a key the
//! cached set lacks (key rotation), at most once per least interval.

use super::token::KeySet;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// When keys are fetched again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshPolicy {
    /// How long fetched keys are used before a request refreshes them.
    pub cache: Duration,
    /// Least time between two refetches for an unknown `kid`, and between a refresh and the
    /// previous fetch (so that bad tokens or a failing issuer cannot make the gateway hammer
    /// the issuer).
    pub min_interval: Duration,
}

/// What a request does with the cached keys.
#[derive(Debug)]
pub enum KeyLookup {
    /// Verify with these keys.
    Use(Arc<KeySet>),
    /// Verify with these keys, and fetch newer ones in the background (this request is the
    /// one fetching; report with [`JwksCell::fetched`]).
    UseAndRefresh(Arc<KeySet>),
    /// No keys and nobody fetching: this request fetches (report with
    /// [`JwksCell::fetched`] or [`JwksCell::abandoned`]) and waits for it.
    Fetch,
    /// Another request is fetching: register with [`JwksCell::wait`] and wait.
    Wait,
    /// The fetch this request waited for failed and no keys are known (the cause).
    Failed(String),
}

/// What a request whose token names a key the cached set lacks does.
#[derive(Debug, PartialEq, Eq)]
pub enum Refetch {
    /// This request fetches the keys again and waits for them.
    Fetch,
    /// Another request is fetching: register with [`JwksCell::wait`] and wait.
    Wait,
    /// The keys were fetched too recently: the token is refused as it is.
    No,
}

/// The fetched keys of one config on one worker. `W` is what wakes a waiting request.
#[derive(Debug)]
pub struct JwksCell<W> {
    keys: Option<Arc<KeySet>>,
    /// When the current keys arrived.
    fetched_at: SystemTime,
    fetching: bool,
    /// When the last fetch started.
    started_at: Option<SystemTime>,
    /// When the last refetch for an unknown `kid` started.
    refetched_at: Option<SystemTime>,
    waiters: Vec<W>,
    /// Number of fetches that ended.
    generation: u64,
    /// The generation and cause of the last failed fetch.
    last_failure: Option<(u64, String)>,
}

impl<W> Default for JwksCell<W> {
    fn default() -> Self {
        Self {
            keys: None,
            fetched_at: SystemTime::UNIX_EPOCH,
            fetching: false,
            started_at: None,
            refetched_at: None,
            waiters: Vec::new(),
            generation: 0,
            last_failure: None,
        }
    }
}

impl<W> JwksCell<W> {
    /// What a request arriving at `now` does.
    pub fn lookup(&mut self, now: SystemTime, policy: RefreshPolicy) -> KeyLookup {
        if let Some(keys) = &self.keys {
            let keys = keys.clone();
            let expired = now >= self.fetched_at + policy.cache;
            if expired && !self.fetching && self.may_start(now, policy) {
                self.start(now);
                return KeyLookup::UseAndRefresh(keys);
            }
            return KeyLookup::Use(keys);
        }
        if self.fetching {
            return KeyLookup::Wait;
        }
        self.start(now);
        KeyLookup::Fetch
    }

    /// A token names a key the cached set lacks: fetch again, unless a refetch for an
    /// unknown `kid` started within the policy's least interval.
    pub fn unknown_key(&mut self, now: SystemTime, policy: RefreshPolicy) -> Refetch {
        if self.fetching {
            return Refetch::Wait;
        }
        if self
            .refetched_at
            .is_some_and(|at| now < at + policy.min_interval)
        {
            return Refetch::No;
        }
        self.start(now);
        self.refetched_at = Some(now);
        Refetch::Fetch
    }

    /// The cached keys, if any (stale ones included).
    pub fn keys(&self) -> Option<Arc<KeySet>> {
        self.keys.clone()
    }

    /// Registers a waiting request; returns the generation to pass to [`JwksCell::resume`].
    pub fn wait(&mut self, waker: W) -> u64 {
        self.waiters.push(waker);
        self.generation
    }

    /// The fetch ended at `now`; returns the waiters to wake. A failed fetch keeps the
    /// cached keys.
    pub fn fetched(&mut self, result: Result<KeySet, String>, now: SystemTime) -> Vec<W> {
        self.fetching = false;
        self.generation += 1;
        match result {
            Ok(keys) => {
                self.keys = Some(Arc::new(keys));
                self.fetched_at = now;
                self.last_failure = None;
            }
            Err(cause) => self.last_failure = Some((self.generation, cause)),
        }
        std::mem::take(&mut self.waiters)
    }

    /// The fetching request ended before its fetch did (its callout is cancelled); returns
    /// the waiters to wake, one of which fetches again.
    pub fn abandoned(&mut self) -> Vec<W> {
        self.fetching = false;
        if self.refetched_at == self.started_at {
            self.refetched_at = None;
        }
        self.started_at = None;
        std::mem::take(&mut self.waiters)
    }

    /// What a request woken after waiting since `generation` does: the keys if any (the
    /// waiter verifies with them, not refreshing again), else the failure it waited for,
    /// else fetch or wait again.
    pub fn resume(&mut self, generation: u64, now: SystemTime, policy: RefreshPolicy) -> KeyLookup {
        if let Some(keys) = &self.keys {
            return KeyLookup::Use(keys.clone());
        }
        match &self.last_failure {
            Some((failed, cause)) if *failed > generation => KeyLookup::Failed(cause.clone()),
            _ => self.lookup(now, policy),
        }
    }

    fn may_start(&self, now: SystemTime, policy: RefreshPolicy) -> bool {
        self.started_at
            .is_none_or(|at| now >= at + policy.min_interval)
    }

    fn start(&mut self, now: SystemTime) {
        self.fetching = true;
        self.started_at = Some(now);
    }
}

/// The keys of a JWKS endpoint's answer, or why there are none (safe to log).
pub fn parse_jwks_response(status: u16, body: &[u8]) -> Result<KeySet, String> {
    if status != 200 {
        return Err(format!("the JWKS endpoint answered HTTP {status}"));
    }
    KeySet::parse_published(body).map_err(|e| format!("the JWKS endpoint's answer is {e}"))
}

#[cfg(test)]
#[path = "jwks_tests.rs"]
mod tests;
