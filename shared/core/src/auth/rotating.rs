//! A key file re-read when its modification time changes, checked at most once a second.

use super::file_check::FileCheck;
use super::key;
use super::kind::AuthKind;
use secrecy::SecretString;
use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::SystemTime;

/// The current header value from a key file, shared across threads.
#[derive(Debug)]
pub(crate) struct RotatingFile {
    kind: AuthKind,
    path: PathBuf,
    state: RwLock<Loaded>,
    /// When the modification time is next checked.
    check: FileCheck,
}

#[derive(Debug)]
struct Loaded {
    value: Arc<SecretString>,
    modified: SystemTime,
}

impl RotatingFile {
    /// Reads the key now; errors name the path.
    pub(crate) fn load(kind: AuthKind, path: PathBuf) -> Result<Self, String> {
        let (key, modified) = key::from_file(&path)?;
        Ok(Self {
            kind,
            state: RwLock::new(Loaded {
                value: Arc::new(kind.header_value(&key)),
                modified,
            }),
            path,
            check: FileCheck::default(),
        })
    }

    /// The header value to use at `now`, re-reading the file first when a check is due and
    /// its modification time changed; on a failed re-read, the last good value and a warning.
    pub(crate) fn current(&self, now: SystemTime) -> (Arc<SecretString>, Option<String>) {
        let warning = if self.check.due(now) {
            self.refresh().err()
        } else {
            None
        };
        let value = self
            .state
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .value
            .clone();
        (value, warning)
    }

    fn refresh(&self) -> Result<(), String> {
        let keep = |e: String| format!("{e}; keeping the previously loaded key");
        let modified = std::fs::metadata(&self.path)
            .and_then(|m| m.modified())
            .map_err(|e| {
                keep(format!(
                    "key_file {}: cannot read: {e}",
                    self.path.display()
                ))
            })?;
        let unchanged = self
            .state
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .modified
            == modified;
        if unchanged {
            return Ok(());
        }
        let (key, modified) = key::from_file(&self.path).map_err(keep)?;
        *self.state.write().unwrap_or_else(PoisonError::into_inner) = Loaded {
            value: Arc::new(self.kind.header_value(&key)),
            modified,
        };
        Ok(())
    }
}

#[cfg(test)]
#[path = "rotating_tests.rs"]
mod tests;
