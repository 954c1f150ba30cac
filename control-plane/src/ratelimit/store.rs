//! Where the window counters live: in this process (local mode) or in Redis (shared by any
//! number of `aigw ratelimit` instances and Envoys). Both apply a whole request atomically.

use crate::ratelimit::memory::MemoryStore;
use crate::ratelimit::redis_store::RedisStore;

/// One counter change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    /// Counter name (see [`crate::ratelimit::descriptor::Charge::counter`]).
    pub counter: String,
    /// Tokens allowed in the counter's window.
    pub budget: u64,
    /// Tokens to add (negative on settle when the estimate was above the real usage).
    pub amount: i64,
    /// Seconds the counter must live (until its window ends, plus slack).
    pub ttl: u64,
}

/// What a reservation found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admission {
    /// Every counter had room for its amount; all were increased. Otherwise none was.
    pub admitted: bool,
    /// Each counter's value afterwards (or as found, when not admitted).
    pub used: Vec<u64>,
}

/// A counter store.
pub enum Store {
    /// In-process counters (local mode).
    Memory(MemoryStore),
    /// Redis counters changed by Lua scripts.
    Redis(RedisStore),
}

impl Store {
    /// Admits the request when every counter plus its amount stays within its budget, and
    /// then adds every amount; otherwise changes nothing.
    pub async fn reserve(&self, ops: &[Op]) -> Result<Admission, String> {
        match self {
            Self::Memory(m) => Ok(m.reserve(ops)),
            Self::Redis(r) => r.reserve(ops).await,
        }
    }

    /// Adds every amount unconditionally (a counter never goes below zero).
    pub async fn settle(&self, ops: &[Op]) -> Result<(), String> {
        match self {
            Self::Memory(m) => {
                m.settle(ops);
                Ok(())
            }
            Self::Redis(r) => r.settle(ops).await,
        }
    }
}
