//! The per-worker token cache: one fetch at a time (single flight), refresh ahead of expiry,
//! waiters woken when the fetch ends.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// A token and its lifetime.
#[derive(Debug)]
pub struct Issued<T> {
    /// The credential (an access token, or AWS keys).
    pub value: Arc<T>,
    /// When it was received.
    pub issued_at: SystemTime,
    /// When the issuer says it expires.
    pub expires_at: SystemTime,
}

impl<T> Issued<T> {
    fn lifetime(&self) -> Duration {
        self.expires_at
            .duration_since(self.issued_at)
            .unwrap_or_default()
    }

    /// From here on the token is not used any more: a request might reach the provider
    /// after it expired. A tenth of the lifetime, at most a minute, before expiry.
    fn stale_at(&self) -> SystemTime {
        self.expires_at - (self.lifetime() / 10).min(Duration::from_secs(60))
    }

    /// From here on a request that uses the token also fetches the next one: three
    /// quarters into the lifetime, and never later than a minute before it goes stale.
    fn refresh_at(&self) -> SystemTime {
        let late = self.stale_at() - (self.lifetime() / 10).min(Duration::from_secs(60));
        (self.issued_at + self.lifetime() * 3 / 4).min(late)
    }
}

/// What a request should do with the cache.
#[derive(Debug, PartialEq)]
pub enum Lookup<T> {
    /// Use this token.
    Use(Arc<T>),
    /// Use this token, and fetch the next one in the background (this request is the one
    /// fetching; report the result with [`TokenCell::fetched`]).
    UseAndRefresh(Arc<T>),
    /// No usable token and nobody fetching: this request fetches (report with
    /// [`TokenCell::fetched`] or [`TokenCell::abandoned`]) and waits for it.
    Fetch,
    /// Another request is fetching: register with [`TokenCell::wait`] and wait.
    Wait,
    /// The fetch this request waited for failed (the cause, without secrets).
    Failed(String),
}

/// One credential's cache on one worker. `W` is what wakes a waiting request.
#[derive(Debug)]
pub struct TokenCell<T, W> {
    current: Option<Issued<T>>,
    fetching: bool,
    waiters: Vec<W>,
    /// Number of fetches that ended.
    generation: u64,
    /// The generation and cause of the last failed fetch.
    last_failure: Option<(u64, String)>,
}

impl<T, W> Default for TokenCell<T, W> {
    fn default() -> Self {
        Self {
            current: None,
            fetching: false,
            waiters: Vec::new(),
            generation: 0,
            last_failure: None,
        }
    }
}

impl<T, W> TokenCell<T, W> {
    /// What a request arriving at `now` does.
    pub fn lookup(&mut self, now: SystemTime) -> Lookup<T> {
        if let Some(token) = &self.current
            && now < token.stale_at()
        {
            let value = token.value.clone();
            if now >= token.refresh_at() && !self.fetching {
                self.fetching = true;
                return Lookup::UseAndRefresh(value);
            }
            return Lookup::Use(value);
        }
        if self.fetching {
            return Lookup::Wait;
        }
        self.fetching = true;
        Lookup::Fetch
    }

    /// Registers a waiting request; returns the generation to pass to [`TokenCell::resume`].
    pub fn wait(&mut self, waker: W) -> u64 {
        self.waiters.push(waker);
        self.generation
    }

    /// The fetch ended; returns the waiters to wake. A failed refresh keeps the current
    /// token while it is usable.
    pub fn fetched(&mut self, result: Result<Issued<T>, String>) -> Vec<W> {
        self.fetching = false;
        self.generation += 1;
        match result {
            Ok(token) => {
                self.current = Some(token);
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
        std::mem::take(&mut self.waiters)
    }

    /// What a request woken after waiting since `generation` does.
    pub fn resume(&mut self, generation: u64, now: SystemTime) -> Lookup<T> {
        match self.lookup(now) {
            Lookup::UseAndRefresh(value) => {
                self.fetching = false;
                Lookup::Use(value)
            }
            Lookup::Fetch => match &self.last_failure {
                Some((failed, cause)) if *failed > generation => {
                    self.fetching = false;
                    Lookup::Failed(cause.clone())
                }
                _ => Lookup::Fetch,
            },
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + s)
    }

    fn token(v: &str, issued: u64, lifetime: u64) -> Issued<String> {
        Issued {
            value: Arc::new(v.to_string()),
            issued_at: at(issued),
            expires_at: at(issued + lifetime),
        }
    }

    #[test]
    fn one_fetch_for_many_requests_at_a_cold_cache() {
        let mut cell: TokenCell<String, u32> = TokenCell::default();
        assert_eq!(cell.lookup(at(0)), Lookup::Fetch);
        let mut generations = Vec::new();
        for waiter in 1..200 {
            assert_eq!(cell.lookup(at(0)), Lookup::Wait);
            generations.push(cell.wait(waiter));
        }
        let woken = cell.fetched(Ok(token("t1", 0, 3600)));
        assert_eq!(woken.len(), 199);
        for g in generations {
            assert_eq!(cell.resume(g, at(1)), Lookup::Use(Arc::new("t1".into())));
        }
    }

    #[test]
    fn refreshes_ahead_once_then_goes_stale() {
        let mut cell: TokenCell<String, u32> = TokenCell::default();
        assert_eq!(cell.lookup(at(0)), Lookup::Fetch);
        cell.fetched(Ok(token("t1", 0, 3600)));
        let t1 = Arc::new("t1".to_string());
        assert_eq!(cell.lookup(at(2000)), Lookup::Use(t1.clone()));
        // 3/4 of 3600 s = 2700 s: one request refreshes, the others keep using t1.
        assert_eq!(cell.lookup(at(2700)), Lookup::UseAndRefresh(t1.clone()));
        assert_eq!(cell.lookup(at(2701)), Lookup::Use(t1.clone()));
        // A failed refresh keeps t1 until it goes stale (60 s before expiry).
        cell.fetched(Err("token endpoint answered 500".into()));
        assert_eq!(cell.lookup(at(3539)), Lookup::UseAndRefresh(t1));
        assert_eq!(cell.lookup(at(3540)), Lookup::Wait);
    }

    #[test]
    fn short_lifetimes_keep_the_order_refresh_stale_expiry() {
        let t = token("t", 0, 4);
        assert!(t.refresh_at() < t.stale_at() && t.stale_at() < t.expires_at);
        assert_eq!(t.refresh_at(), at(3));
    }

    #[test]
    fn waiters_of_a_failed_fetch_fail_and_the_next_request_fetches_again() {
        let mut cell: TokenCell<String, u32> = TokenCell::default();
        assert_eq!(cell.lookup(at(0)), Lookup::Fetch);
        let g = cell.wait(7);
        assert_eq!(cell.fetched(Err("401 invalid_client".into())), vec![7]);
        assert_eq!(
            cell.resume(g, at(0)),
            Lookup::Failed("401 invalid_client".into())
        );
        assert_eq!(cell.lookup(at(1)), Lookup::Fetch);
    }

    #[test]
    fn an_abandoned_fetch_hands_over_to_a_waiter() {
        let mut cell: TokenCell<String, u32> = TokenCell::default();
        assert_eq!(cell.lookup(at(0)), Lookup::Fetch);
        let g1 = cell.wait(1);
        let g2 = cell.wait(2);
        assert_eq!(cell.abandoned(), vec![1, 2]);
        assert_eq!(cell.resume(g1, at(0)), Lookup::Fetch);
        assert_eq!(cell.resume(g2, at(0)), Lookup::Wait);
    }
}
