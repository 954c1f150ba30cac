//! AWS access keys: from environment variables, checked once at config load.

use crate::auth::key;
use secrecy::SecretString;
use std::ffi::OsString;

/// An AWS access key pair with an optional session token. `Debug` shows the key id only.
#[derive(Debug, Clone)]
pub struct AwsCredentials {
    access_key_id: String,
    secret_access_key: SecretString,
    session_token: Option<SecretString>,
}

impl AwsCredentials {
    /// Credentials from parts already read.
    pub fn new(
        access_key_id: String,
        secret_access_key: SecretString,
        session_token: Option<SecretString>,
    ) -> Self {
        Self {
            access_key_id,
            secret_access_key,
            session_token,
        }
    }

    /// Reads the key id, secret key and (optional) session token from the environment
    /// variables named `[id_var, secret_var, token_var]`; `env` looks a variable up.
    /// Errors name the config field and the variable, never a value.
    pub fn from_env(
        [id_var, secret_var, token_var]: [&str; 3],
        env: impl Fn(&str) -> Option<OsString>,
    ) -> Result<Self, String> {
        let named = |field: &str, e: String| e.replacen("key_env", field, 1);
        let id = key::from_env(id_var, env(id_var)).map_err(|e| named("access_key_id_env", e))?;
        let secret = key::from_env(secret_var, env(secret_var))
            .map_err(|e| named("secret_access_key_env", e))?;
        let token = match env(token_var) {
            None => None,
            Some(value) => Some(
                key::from_env(token_var, Some(value)).map_err(|e| named("session_token_env", e))?,
            ),
        };
        Ok(Self::new(
            secrecy::ExposeSecret::expose_secret(&id).to_string(),
            secret,
            token,
        ))
    }

    /// The access key id (not a secret; appears in the `authorization` header).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The secret access key.
    pub fn secret_access_key(&self) -> &SecretString {
        &self.secret_access_key
    }

    /// The session token of temporary credentials.
    pub fn session_token(&self) -> Option<&SecretString> {
        self.session_token.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VARS: [&str; 3] = ["FAKE_ID", "FAKE_SECRET", "FAKE_TOKEN"];

    #[test]
    fn reads_env_and_redacts() {
        let env = |v: &str| match v {
            "FAKE_ID" => Some("AKIDFAKEEXAMPLE".into()),
            "FAKE_SECRET" => Some("fake-secret-value".into()),
            _ => None,
        };
        let creds = AwsCredentials::from_env(VARS, env).unwrap();
        assert_eq!(creds.access_key_id(), "AKIDFAKEEXAMPLE");
        assert!(creds.session_token().is_none());
        assert!(!format!("{creds:?}").contains("fake-secret-value"));
    }

    #[test]
    fn errors_name_field_and_variable() {
        let err = AwsCredentials::from_env(VARS, |_| None).unwrap_err();
        assert_eq!(
            err,
            "access_key_id_env: environment variable FAKE_ID is not set"
        );
        let env = |v: &str| (v != "FAKE_SECRET").then(|| "x".into());
        let err = AwsCredentials::from_env(VARS, env).unwrap_err();
        assert_eq!(
            err,
            "secret_access_key_env: environment variable FAKE_SECRET is not set"
        );
        let env = |v: &str| Some(if v == "FAKE_TOKEN" { "" } else { "x" }.into());
        let err = AwsCredentials::from_env(VARS, env).unwrap_err();
        assert_eq!(
            err,
            "session_token_env: environment variable FAKE_TOKEN is empty"
        );
    }
}
