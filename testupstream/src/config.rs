//! Runtime configuration: which API keys identify which backend.

use std::fmt;
use std::str::FromStr;

/// One configured backend: requests carrying `key` were meant for the backend `id`.
#[derive(Clone, PartialEq, Eq)]
pub struct Backend {
    /// Backend identifier echoed back in responses and the `x-testupstream-backend` header.
    pub id: String,
    /// API key that selects this backend.
    pub key: String,
}

impl fmt::Debug for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The key is a secret even in a fake: never print it.
        f.debug_struct("Backend")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl FromStr for Backend {
    type Err = String;

    /// Parses `ID=KEY`; both parts must be non-empty.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (id, key) = s
            .split_once('=')
            .ok_or_else(|| "--backend: expected ID=KEY".to_string())?;
        if id.is_empty() {
            return Err("--backend: ID must not be empty".into());
        }
        if key.is_empty() {
            return Err(format!("--backend {id}: KEY must not be empty"));
        }
        Ok(Self {
            id: id.to_string(),
            key: key.to_string(),
        })
    }
}

/// Server configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Backends this server impersonates; a request must carry one of their keys.
    pub backends: Vec<Backend>,
    /// Log one line per request to stderr.
    pub verbose: bool,
    /// Token endpoints, when configured (`--token-config`).
    pub tokens: Option<std::sync::Arc<crate::tokens::Issuer>>,
}

impl Config {
    /// The backend whose key is `key`, if any.
    pub fn backend_for_key(&self, key: &str) -> Option<&Backend> {
        if let Some(b) = self.backends.iter().find(|b| b.key == key) {
            return Some(b);
        }
        let id = self.tokens.as_ref()?.backend_of(key)?;
        self.backends.iter().find(|b| b.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_id_and_key() {
        let b: Backend = "azure=fake-key=with-equals".parse().unwrap();
        assert_eq!(b.id, "azure");
        assert_eq!(b.key, "fake-key=with-equals");
    }

    #[test]
    fn rejects_malformed_backends() {
        assert!("nokey".parse::<Backend>().is_err());
        assert!("=k".parse::<Backend>().is_err());
        assert!("id=".parse::<Backend>().is_err());
    }

    #[test]
    fn debug_hides_key() {
        let b: Backend = "x=sk-fake-secret".parse().unwrap();
        assert!(!format!("{b:?}").contains("sk-fake-secret"));
    }
}
