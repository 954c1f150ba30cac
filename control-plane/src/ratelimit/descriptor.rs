//! Reading the gateway's rate-limit descriptors (built by the bootstrap's route entries) into
//! counter operations.

use envoy_types::pb::envoy::extensions::common::ratelimit::v3::RateLimitDescriptor;
use sha2::{Digest, Sha256};

use crate::bootstrap::rate_limit::keys;
use crate::config::rate_limit::Window;

/// Whether a descriptor reserves an estimate or settles a finished request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Request time: admit if the estimate fits, and count it.
    Reserve,
    /// Stream end: replace the reserved estimate by the real usage.
    Settle {
        /// Tokens reserved at request time.
        reserved: u64,
    },
}

/// One budget a request is counted against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    /// The limit's name.
    pub limit: String,
    /// The limit's window.
    pub window: Window,
    /// Tokens per window.
    pub budget: u64,
    /// Reserve or settle.
    pub phase: Phase,
    /// Tokens of this descriptor: the estimate (reserve) or the real usage (settle).
    pub hits: u64,
    /// Hex SHA-256 of the key entries (user, team, model, backend values), so header values
    /// of any length or content make bounded, safe counter names.
    pub key_hash: String,
}

impl Charge {
    /// The counter of this charge in the window starting at `window_start` (Unix seconds).
    pub fn counter(&self, window_start: u64) -> String {
        format!(
            "aigw:rl:{}:{}:{window_start}:{}",
            self.limit,
            self.window.as_str(),
            self.key_hash
        )
    }
}

/// Reads one descriptor. `Ok(None)` for a descriptor that is not the gateway's (no
/// `aigw_limit` entry); `Err` names what is malformed. `default_hits` is the request-level
/// `hits_addend` (0 means 1, as in Envoy's protocol).
pub fn parse(d: &RateLimitDescriptor, default_hits: u32) -> Result<Option<Charge>, String> {
    let mut limit = None;
    let mut window = None;
    let mut budget = None;
    let mut phase = None;
    let mut reserved = None;
    let mut hasher = Sha256::new();
    for e in &d.entries {
        match e.key.as_str() {
            keys::LIMIT => limit = Some(e.value.clone()),
            keys::WINDOW => {
                window = Some(
                    Window::parse(&e.value)
                        .ok_or_else(|| format!("{}: unknown window {:?}", keys::WINDOW, e.value))?,
                )
            }
            keys::BUDGET => budget = Some(number(keys::BUDGET, &e.value)?),
            keys::PHASE => phase = Some(e.value.clone()),
            keys::RESERVED => reserved = Some(number(keys::RESERVED, &e.value)?),
            key => {
                hasher.update(key.as_bytes());
                hasher.update([0]);
                hasher.update(e.value.as_bytes());
                hasher.update([0]);
            }
        }
    }
    let Some(limit) = limit else {
        return Ok(None);
    };
    let window = window.ok_or_else(|| format!("{}: missing", keys::WINDOW))?;
    let budget = budget.ok_or_else(|| format!("{}: missing", keys::BUDGET))?;
    let phase = match phase.as_deref() {
        Some(keys::RESERVE) => Phase::Reserve,
        Some(keys::SETTLE) => Phase::Settle {
            reserved: reserved.ok_or_else(|| format!("{}: missing", keys::RESERVED))?,
        },
        other => return Err(format!("{}: unknown phase {other:?}", keys::PHASE)),
    };
    let hits = match &d.hits_addend {
        Some(h) => h.value,
        None if default_hits == 0 => 1,
        None => u64::from(default_hits),
    };
    Ok(Some(Charge {
        limit,
        window,
        budget,
        phase,
        hits,
        key_hash: hex(&hasher.finalize()),
    }))
}

fn number(key: &str, value: &str) -> Result<u64, String> {
    value
        .trim()
        .parse()
        .map_err(|_| format!("{key}: {value:?} is not a whole number"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use envoy_types::pb::envoy::extensions::common::ratelimit::v3::rate_limit_descriptor::Entry;

    fn descriptor(entries: &[(&str, &str)], hits: Option<u64>) -> RateLimitDescriptor {
        RateLimitDescriptor {
            entries: entries
                .iter()
                .map(|(k, v)| Entry {
                    key: k.to_string(),
                    value: v.to_string(),
                })
                .collect(),
            hits_addend: hits.map(|value| envoy_types::pb::google::protobuf::UInt64Value { value }),
            ..Default::default()
        }
    }

    const BASE: [(&str, &str); 3] = [
        ("aigw_limit", "per-user"),
        ("aigw_window", "minute"),
        ("aigw_budget", "10000"),
    ];

    #[test]
    fn reads_reserve_and_settle() {
        let mut e = BASE.to_vec();
        e.extend([("aigw_phase", "reserve"), ("user", "alice")]);
        let c = parse(&descriptor(&e, Some(150)), 0).unwrap().unwrap();
        assert_eq!(c.phase, Phase::Reserve);
        assert_eq!((c.budget, c.hits, c.window), (10000, 150, Window::Minute));

        let mut s = BASE.to_vec();
        s.extend([
            ("aigw_phase", "settle"),
            ("aigw_reserved", "150"),
            ("user", "alice"),
        ]);
        let settle = parse(&descriptor(&s, Some(90)), 0).unwrap().unwrap();
        assert_eq!(settle.phase, Phase::Settle { reserved: 150 });
        // Same key entries, same counter, whatever the phase entries.
        assert_eq!(settle.counter(60), c.counter(60));
        assert!(c.counter(60).starts_with("aigw:rl:per-user:minute:60:"));
    }

    #[test]
    fn key_values_separate_counters() {
        let with_user = |u: &str| {
            let mut e = BASE.to_vec();
            e.extend([("aigw_phase", "reserve"), ("user", u)]);
            parse(&descriptor(&e, Some(1)), 0)
                .unwrap()
                .unwrap()
                .counter(0)
        };
        assert_ne!(with_user("alice"), with_user("bob"));
        assert_eq!(with_user("alice"), with_user("alice"));
    }

    #[test]
    fn foreign_descriptors_are_ignored_and_malformed_ones_named() {
        assert_eq!(
            parse(&descriptor(&[("remote_address", "1.2.3.4")], None), 0),
            Ok(None)
        );
        let mut e = BASE.to_vec();
        e.push(("aigw_phase", "settle"));
        assert_eq!(
            parse(&descriptor(&e, Some(1)), 0),
            Err("aigw_reserved: missing".into())
        );
        let bad = [("aigw_limit", "x"), ("aigw_window", "week")];
        assert_eq!(
            parse(&descriptor(&bad, None), 0),
            Err(r#"aigw_window: unknown window "week""#.into())
        );
    }

    #[test]
    fn request_level_hits_apply_when_the_descriptor_has_none() {
        let mut e = BASE.to_vec();
        e.push(("aigw_phase", "reserve"));
        assert_eq!(parse(&descriptor(&e, None), 0).unwrap().unwrap().hits, 1);
        assert_eq!(parse(&descriptor(&e, None), 7).unwrap().unwrap().hits, 7);
    }
}
