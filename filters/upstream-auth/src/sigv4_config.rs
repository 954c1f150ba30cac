//! The `aws_sigv4` kind's JSON config: signing scope and where the AWS keys come from.
//! Errors name the field; key values never appear in errors or `Debug`.

use aigw_core::auth::sigv4::{AwsCredentials, ProfileFile, SigningScope};
use serde::Deserialize;
use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

/// `{"backend":..,"kind":"aws_sigv4","region":..,"service":..,"access_key_id_env":..,
/// "secret_access_key_env":..,"session_token_env":..}`; the three `*_env` default to the
/// standard AWS variable names, `service` to `bedrock`. Instead of the variables:
/// `"credentials_file":..,"profile":..` (native builds only).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigV4Config {
    /// Backend name, used in log lines.
    pub backend: String,
    /// Always `aws_sigv4`.
    pub kind: String,
    /// AWS region the signature is scoped to.
    pub region: String,
    /// Signing name of the service.
    #[serde(default = "default_service")]
    pub service: String,
    /// Environment variable holding the access key id (default `AWS_ACCESS_KEY_ID`).
    #[serde(default)]
    pub access_key_id_env: Option<String>,
    /// Environment variable holding the secret access key (default `AWS_SECRET_ACCESS_KEY`).
    #[serde(default)]
    pub secret_access_key_env: Option<String>,
    /// Environment variable holding the session token, used when set
    /// (default `AWS_SESSION_TOKEN`).
    #[serde(default)]
    pub session_token_env: Option<String>,
    /// Shared credentials file (re-read when it changes), instead of the variables.
    #[serde(default)]
    pub credentials_file: Option<PathBuf>,
    /// Profile of `credentials_file` (default `default`).
    #[serde(default)]
    pub profile: Option<String>,
}

/// Where the AWS keys come from.
#[derive(Debug)]
pub enum AwsKeys {
    /// Read once from environment variables.
    Fixed(Arc<AwsCredentials>),
    /// A credentials file profile, re-read when the file changes.
    File(ProfileFile),
}

fn default_service() -> String {
    "bedrock".to_string()
}

impl SigV4Config {
    /// Parses the JSON config text and checks its fields.
    pub fn parse(text: &str) -> Result<Self, String> {
        let config: Self =
            serde_json::from_str(text).map_err(|e| format!("upstream-auth config: {e}"))?;
        let fail = |e: &str| Err(format!("upstream-auth config: {e}"));
        if config.backend.is_empty() {
            return fail("backend must be a non-empty name");
        }
        if config.kind != "aws_sigv4" {
            return fail("kind must be aws_sigv4");
        }
        for (field, value) in [("region", &config.region), ("service", &config.service)] {
            let valid = !value.is_empty()
                && value
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !valid {
                return fail(&format!(
                    "{field} must be non-empty and hold only a-z, 0-9 and -"
                ));
            }
        }
        Ok(config)
    }

    /// The signing scope.
    pub fn scope(&self) -> SigningScope {
        SigningScope {
            region: self.region.clone(),
            service: self.service.clone(),
            content_sha256_header: self.service == "s3",
        }
    }

    /// Loads the keys: from the environment (`env` looks a variable up) or from the
    /// credentials file, which only builds with a filesystem support (`file_supported`).
    pub fn keys(
        &self,
        env: impl Fn(&str) -> Option<OsString>,
        file_supported: bool,
    ) -> Result<AwsKeys, String> {
        let env_set = self.access_key_id_env.is_some()
            || self.secret_access_key_env.is_some()
            || self.session_token_env.is_some();
        let keys = match &self.credentials_file {
            Some(_) if env_set => Err(
                "set either credentials_file or the *_env variable names, not both".to_string(),
            ),
            Some(_) if !file_supported => Err(
                "credentials_file is not available in the wasm build of upstream-auth; use the *_env variables or the native module"
                    .to_string(),
            ),
            Some(path) => {
                let profile = self.profile.clone().unwrap_or_else(|| "default".into());
                ProfileFile::load(path.clone(), profile).map(AwsKeys::File)
            }
            None if self.profile.is_some() => {
                Err("profile is only used with credentials_file".to_string())
            }
            None => {
                let vars = [
                    self.access_key_id_env.as_deref().unwrap_or("AWS_ACCESS_KEY_ID"),
                    self.secret_access_key_env
                        .as_deref()
                        .unwrap_or("AWS_SECRET_ACCESS_KEY"),
                    self.session_token_env.as_deref().unwrap_or("AWS_SESSION_TOKEN"),
                ];
                AwsCredentials::from_env(vars, env).map(|c| AwsKeys::Fixed(Arc::new(c)))
            }
        };
        keys.map_err(|e| format!("upstream-auth config (backend {}): {e}", self.backend))
    }
}

impl AwsKeys {
    /// The credentials to sign with at `now`, and a warning (without keys) when a due
    /// re-read of the credentials file failed and the last good credentials are used.
    pub fn current(&self, now: SystemTime) -> (Arc<AwsCredentials>, Option<String>) {
        match self {
            Self::Fixed(credentials) => (credentials.clone(), None),
            Self::File(file) => file.current(now),
        }
    }
}
