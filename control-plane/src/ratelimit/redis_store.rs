//! Window counters in Redis, changed only by Lua scripts so that every request is checked
//! and counted atomically, whichever `aigw ratelimit` instance or Envoy it came through.

use redis::aio::ConnectionManager;
use redis::{Client, Script};

use crate::ratelimit::store::{Admission, Op};

/// KEYS: counters; ARGV: budget, amount, ttl per counter. Admits (returns 1 then the new
/// values) when every counter plus its amount fits its budget, else returns 0 then the
/// values found, changing nothing.
const RESERVE: &str = r"
local used = {}
for i, key in ipairs(KEYS) do
  local u = tonumber(redis.call('GET', key) or '0')
  if u + tonumber(ARGV[3 * i - 1]) > tonumber(ARGV[3 * i - 2]) then
    local found = {0}
    for j, k in ipairs(KEYS) do
      found[j + 1] = tonumber(redis.call('GET', k) or '0')
    end
    return found
  end
  used[i] = u
end
local out = {1}
for i, key in ipairs(KEYS) do
  local n = redis.call('INCRBY', key, ARGV[3 * i - 1])
  if redis.call('TTL', key) < 0 then
    redis.call('EXPIRE', key, ARGV[3 * i])
  end
  out[i + 1] = n
end
return out
";

/// KEYS: counters; ARGV: amount, ttl per counter. Adds each amount, keeping counters at zero
/// or above.
const SETTLE: &str = r"
for i, key in ipairs(KEYS) do
  local n = redis.call('INCRBY', key, ARGV[2 * i - 1])
  if n < 0 then
    redis.call('SET', key, 0, 'KEEPTTL')
  end
  if redis.call('TTL', key) < 0 then
    redis.call('EXPIRE', key, ARGV[2 * i])
  end
end
return 1
";

/// A reconnecting Redis connection and the two scripts.
pub struct RedisStore {
    conn: ConnectionManager,
    reserve: Script,
    settle: Script,
}

impl RedisStore {
    /// Connects to `url` (`redis://host:port/db`).
    pub async fn connect(url: &str) -> Result<Self, String> {
        let client = Client::open(url).map_err(|e| format!("--redis {url}: {e}"))?;
        let conn = ConnectionManager::new(client)
            .await
            .map_err(|e| format!("cannot connect to Redis at {url}: {e}"))?;
        Ok(Self {
            conn,
            reserve: Script::new(RESERVE),
            settle: Script::new(SETTLE),
        })
    }

    /// See [`crate::ratelimit::store::Store::reserve`].
    pub async fn reserve(&self, ops: &[Op]) -> Result<Admission, String> {
        let mut call = self.reserve.prepare_invoke();
        for op in ops {
            call.key(&op.counter)
                .arg(op.budget)
                .arg(op.amount)
                .arg(op.ttl);
        }
        let out: Vec<i64> = call
            .invoke_async(&mut self.conn.clone())
            .await
            .map_err(|e| format!("Redis reserve script: {e}"))?;
        let (flag, used) = out
            .split_first()
            .ok_or("Redis reserve script: empty reply")?;
        Ok(Admission {
            admitted: *flag == 1,
            used: used.iter().map(|&n| n.max(0) as u64).collect(),
        })
    }

    /// See [`crate::ratelimit::store::Store::settle`].
    pub async fn settle(&self, ops: &[Op]) -> Result<(), String> {
        let mut call = self.settle.prepare_invoke();
        for op in ops {
            call.key(&op.counter).arg(op.amount).arg(op.ttl);
        }
        call.invoke_async::<i64>(&mut self.conn.clone())
            .await
            .map(|_| ())
            .map_err(|e| format!("Redis settle script: {e}"))
    }
}
