//! In-process window counters for local mode (one node, no Redis).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::ratelimit::store::{Admission, Op};

/// Counters behind one lock; expired ones are dropped at most once a second.
#[derive(Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    counters: HashMap<String, Counter>,
    last_prune: Option<Instant>,
}

struct Counter {
    used: u64,
    expires: Instant,
}

impl MemoryStore {
    /// See [`crate::ratelimit::store::Store::reserve`].
    pub fn reserve(&self, ops: &[Op]) -> Admission {
        let now = Instant::now();
        let mut inner = self.lock(now);
        let current: Vec<u64> = ops.iter().map(|op| inner.used(&op.counter, now)).collect();
        let admitted = ops
            .iter()
            .zip(&current)
            .all(|(op, used)| add(*used, op.amount) <= op.budget);
        if !admitted {
            return Admission {
                admitted,
                used: current,
            };
        }
        let used = ops.iter().map(|op| inner.add(op, now)).collect();
        Admission { admitted, used }
    }

    /// See [`crate::ratelimit::store::Store::settle`].
    pub fn settle(&self, ops: &[Op]) {
        let now = Instant::now();
        let mut inner = self.lock(now);
        for op in ops {
            inner.add(op, now);
        }
    }

    fn lock(&self, now: Instant) -> std::sync::MutexGuard<'_, Inner> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner
            .last_prune
            .is_none_or(|t| now.duration_since(t) >= Duration::from_secs(1))
        {
            inner.counters.retain(|_, c| c.expires > now);
            inner.last_prune = Some(now);
        }
        inner
    }
}

impl Inner {
    fn used(&self, counter: &str, now: Instant) -> u64 {
        self.counters
            .get(counter)
            .filter(|c| c.expires > now)
            .map_or(0, |c| c.used)
    }

    fn add(&mut self, op: &Op, now: Instant) -> u64 {
        let used = add(self.used(&op.counter, now), op.amount);
        let c = self.counters.entry(op.counter.clone()).or_insert(Counter {
            used: 0,
            expires: now + Duration::from_secs(op.ttl),
        });
        if c.expires <= now {
            c.expires = now + Duration::from_secs(op.ttl);
        }
        c.used = used;
        used
    }
}

fn add(used: u64, amount: i64) -> u64 {
    used.saturating_add_signed(amount)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(counter: &str, budget: u64, amount: i64) -> Op {
        Op {
            counter: counter.into(),
            budget,
            amount,
            ttl: 60,
        }
    }

    #[test]
    fn admits_while_the_amount_fits_and_refuses_without_counting() {
        let s = MemoryStore::default();
        assert_eq!(s.reserve(&[op("a", 100, 60)]).used, vec![60]);
        let refused = s.reserve(&[op("a", 100, 41)]);
        assert!(!refused.admitted);
        assert_eq!(refused.used, vec![60]);
        assert!(s.reserve(&[op("a", 100, 40)]).admitted);
    }

    #[test]
    fn a_request_is_all_or_nothing_across_counters() {
        let s = MemoryStore::default();
        s.reserve(&[op("b", 10, 9)]);
        let r = s.reserve(&[op("a", 100, 5), op("b", 10, 5)]);
        assert!(!r.admitted);
        assert_eq!(s.reserve(&[op("a", 100, 0)]).used, vec![0]);
    }

    #[test]
    fn settle_books_the_difference_and_never_goes_negative() {
        let s = MemoryStore::default();
        s.reserve(&[op("a", 100, 50)]);
        s.settle(&[op("a", 100, -20)]);
        assert_eq!(s.reserve(&[op("a", 100, 0)]).used, vec![30]);
        s.settle(&[op("a", 100, -500)]);
        assert_eq!(s.reserve(&[op("a", 100, 0)]).used, vec![0]);
        s.settle(&[op("a", 100, 130)]);
        assert_eq!(s.reserve(&[op("a", 100, 0)]).used, vec![130]);
    }
}
