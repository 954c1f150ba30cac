//! The `aws_sigv4` kind's JSON config: signing scope and where the AWS keys come from.
//! Errors name the field; key values never appear in errors or `Debug`.

use aigw_core::auth::sigv4::{AwsCredentials, SigningScope};
use serde::Deserialize;
use std::ffi::OsString;

/// `{"backend":..,"kind":"aws_sigv4","region":..,"service":..,"access_key_id_env":..,
/// "secret_access_key_env":..,"session_token_env":..}`; the three `*_env` default to the
/// standard AWS variable names, `service` to `bedrock`.
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
    /// Environment variable holding the access key id.
    #[serde(default = "default_id_env")]
    pub access_key_id_env: String,
    /// Environment variable holding the secret access key.
    #[serde(default = "default_secret_env")]
    pub secret_access_key_env: String,
    /// Environment variable holding the session token (optional: unset means none).
    #[serde(default = "default_token_env")]
    pub session_token_env: String,
}

fn default_service() -> String {
    "bedrock".to_string()
}

fn default_id_env() -> String {
    "AWS_ACCESS_KEY_ID".to_string()
}

fn default_secret_env() -> String {
    "AWS_SECRET_ACCESS_KEY".to_string()
}

fn default_token_env() -> String {
    "AWS_SESSION_TOKEN".to_string()
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

    /// Loads the credentials from the environment (`env` looks a variable up).
    pub fn credentials(
        &self,
        env: impl Fn(&str) -> Option<OsString>,
    ) -> Result<AwsCredentials, String> {
        let vars = [
            self.access_key_id_env.as_str(),
            &self.secret_access_key_env,
            &self.session_token_env,
        ];
        AwsCredentials::from_env(vars, env)
            .map_err(|e| format!("upstream-auth config (backend {}): {e}", self.backend))
    }
}
