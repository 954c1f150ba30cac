//! When a credential file re-read on change (a key file, an AWS credentials file) next has
//! its modification time checked: at most once a second, by one of the threads that ask.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

const CHECK_INTERVAL_MS: u64 = 1000;

/// The time of a file's last modification-time check, shared across threads.
#[derive(Debug, Default)]
pub(crate) struct FileCheck {
    /// Milliseconds since the epoch of the last check.
    last_check_ms: AtomicU64,
}

impl FileCheck {
    /// Whether a check is due at `now` (a second or more since the last one, either way);
    /// a due check is claimed, so only one of the threads asking at once gets `true`.
    pub fn due(&self, now: SystemTime) -> bool {
        let now_ms = now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        let last = self.last_check_ms.load(Ordering::Relaxed);
        now_ms.abs_diff(last) >= CHECK_INTERVAL_MS
            && self
                .last_check_ms
                .compare_exchange(last, now_ms, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
    }
}
