//! AWS keys from a shared credentials file (`~/.aws/credentials` format) and profile,
//! re-read when the file's modification time changes (checked at most once a second).

use super::AwsCredentials;
use crate::auth::file_check::FileCheck;
use configparser::ini::Ini;
use secrecy::SecretString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::SystemTime;

/// The current credentials of one profile of a credentials file, shared across threads.
#[derive(Debug)]
pub struct ProfileFile {
    path: PathBuf,
    profile: String,
    state: RwLock<(Arc<AwsCredentials>, SystemTime)>,
    /// When the modification time is next checked.
    check: FileCheck,
}

impl ProfileFile {
    /// Reads profile `profile` of `path` now. Errors name the file and profile, never a key.
    pub fn load(path: PathBuf, profile: String) -> Result<Self, String> {
        let loaded = read(&path, &profile)?;
        Ok(Self {
            path,
            profile,
            state: RwLock::new(loaded),
            check: FileCheck::default(),
        })
    }

    /// The credentials to use at `now`, re-reading the file first when a check is due and it
    /// changed; on a failed re-read, the last good credentials and a warning without keys.
    pub fn current(&self, now: SystemTime) -> (Arc<AwsCredentials>, Option<String>) {
        let warning = if self.check.due(now) {
            self.refresh().err()
        } else {
            None
        };
        let state = self.state.read().unwrap_or_else(PoisonError::into_inner);
        (state.0.clone(), warning)
    }

    fn refresh(&self) -> Result<(), String> {
        let keep = |e: String| format!("{e}; keeping the previously loaded credentials");
        let modified = modified(&self.path).map_err(keep)?;
        let seen = self.state.read().unwrap_or_else(PoisonError::into_inner).1;
        if seen == modified {
            return Ok(());
        }
        let loaded = read(&self.path, &self.profile).map_err(keep)?;
        *self.state.write().unwrap_or_else(PoisonError::into_inner) = loaded;
        Ok(())
    }
}

fn modified(path: &Path) -> Result<SystemTime, String> {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .map_err(|e| format!("credentials_file {}: cannot read: {e}", path.display()))
}

fn read(path: &Path, profile: &str) -> Result<(Arc<AwsCredentials>, SystemTime), String> {
    let at = || format!("credentials_file {} profile {profile}", path.display());
    let modified = modified(path)?;
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("credentials_file {}: cannot read: {e}", path.display()))?;
    let mut ini = Ini::new_cs();
    ini.read(text)
        .map_err(|_| format!("credentials_file {}: not an INI file", path.display()))?;
    let get = |key: &str| ini.get(profile, key).filter(|v| !v.is_empty());
    let id = get("aws_access_key_id")
        .ok_or_else(|| format!("{}: aws_access_key_id is missing", at()))?;
    let secret = get("aws_secret_access_key")
        .ok_or_else(|| format!("{}: aws_secret_access_key is missing", at()))?;
    let token = get("aws_session_token").map(SecretString::from);
    let credentials = AwsCredentials::new(id, SecretString::from(secret), token);
    Ok((Arc::new(credentials), modified))
}

#[cfg(test)]
#[path = "profile_file_tests.rs"]
mod tests;
