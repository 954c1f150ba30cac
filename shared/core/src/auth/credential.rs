//! A backend's credential header, from a fixed key or a rotating key file.

use super::key;
use super::kind::AuthKind;
use super::rotating::RotatingFile;
use secrecy::SecretString;
use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

/// The header a backend's key is sent in and where the key comes from. Shared by all
/// streams (and threads) of a filter config.
#[derive(Debug)]
pub struct Credential {
    kind: AuthKind,
    source: Source,
}

#[derive(Debug)]
enum Source {
    Fixed(Arc<SecretString>),
    File(RotatingFile),
}

impl Credential {
    /// A key from environment variable `var`, whose value (`None` when unset) the caller
    /// looked up. Unset or empty is an error naming the variable.
    pub fn from_env(kind: AuthKind, var: &str, value: Option<OsString>) -> Result<Self, String> {
        let key = key::from_env(var, value)?;
        Ok(Self {
            kind,
            source: Source::Fixed(Arc::new(kind.header_value(&key))),
        })
    }

    /// A key read from `path` now and re-read whenever the file's modification time
    /// changes (checked at most once a second). Missing or empty is an error naming the path.
    pub fn from_file(kind: AuthKind, path: PathBuf) -> Result<Self, String> {
        Ok(Self {
            kind,
            source: Source::File(RotatingFile::load(kind, path)?),
        })
    }

    /// The header name for this credential.
    pub fn header_name(&self) -> &'static str {
        self.kind.header_name()
    }

    /// The header value carrying `key` (another key than the configured one, e.g. a
    /// client's own credential) in this credential's scheme.
    pub fn format(&self, key: &SecretString) -> SecretString {
        self.kind.header_value(key)
    }

    /// The header value to send at time `now`, and a warning (never containing the key)
    /// when a due re-read of the key file failed and the last good key is used.
    pub fn header_value(&self, now: SystemTime) -> (Arc<SecretString>, Option<String>) {
        match &self.source {
            Source::Fixed(value) => (value.clone(), None),
            Source::File(file) => file.current(now),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn env_credential_is_fixed_and_redacted() {
        let cred = Credential::from_env(
            AuthKind::AnthropicApiKey,
            "FAKE_VAR",
            Some("sk-fake-x".into()),
        )
        .unwrap();
        assert_eq!(cred.header_name(), "x-api-key");
        let (value, warning) = cred.header_value(SystemTime::UNIX_EPOCH);
        assert_eq!(value.expose_secret(), "sk-fake-x");
        assert!(warning.is_none());
        assert!(!format!("{cred:?}").contains("sk-fake-x"));
    }

    #[test]
    fn missing_file_is_an_error_naming_the_path() {
        let err =
            Credential::from_file(AuthKind::Bearer, PathBuf::from("/nonexistent/k")).unwrap_err();
        assert!(err.starts_with("key_file /nonexistent/k: cannot read"));
    }
}
