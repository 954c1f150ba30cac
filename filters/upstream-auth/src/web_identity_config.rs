//! Config of the `aws_web_identity` kind: SigV4 signing with temporary credentials from
//! AWS STS `AssumeRoleWithWebIdentity`, called through an Envoy cluster. Errors name the
//! field; the token never appears in errors or `Debug`.

use aigw_core::auth::SecretString;
use aigw_core::auth::sigv4::SigningScope;
use aigw_core::auth::sts::{AssumeRole, WebIdentityToken, valid_session_name};
use aigw_core::auth::token::TokenUrl;
use serde::Deserialize;
use std::ffi::OsString;
use std::path::PathBuf;

/// `{"backend":..,"kind":"aws_web_identity","region":..,"service":..,"role_arn":..,
/// "role_session_name":..,"web_identity_token_file":..|"web_identity_token_env":..,
/// "sts_cluster":..,"sts_url":..,"duration_seconds":..,"fetch_timeout_ms":..}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebIdentityConfig {
    /// Backend name, used in log lines and errors.
    pub backend: String,
    /// Always `aws_web_identity`.
    pub kind: String,
    /// AWS region the signature is scoped to.
    pub region: String,
    /// Signing name of the service (default `bedrock`).
    #[serde(default = "default_service")]
    pub service: String,
    /// ARN of the role to assume.
    pub role_arn: String,
    /// `RoleSessionName` (default `aigw`).
    #[serde(default = "default_session_name")]
    pub role_session_name: String,
    /// Web-identity token file, read at every STS call (native only).
    #[serde(default)]
    pub web_identity_token_file: Option<PathBuf>,
    /// Environment variable holding the web-identity token (read at load).
    #[serde(default)]
    pub web_identity_token_env: Option<String>,
    /// Envoy cluster of the STS endpoint.
    pub sts_cluster: String,
    /// STS endpoint URL.
    pub sts_url: String,
    /// `DurationSeconds` of the credentials (900-43200; default: STS's one hour).
    #[serde(default)]
    pub duration_seconds: Option<u32>,
    /// Timeout of one STS call in milliseconds (default 10000).
    #[serde(default = "default_timeout")]
    pub fetch_timeout_ms: u64,
}

fn default_service() -> String {
    "bedrock".to_string()
}

fn default_session_name() -> String {
    "aigw".to_string()
}

fn default_timeout() -> u64 {
    10_000
}

impl WebIdentityConfig {
    /// Parses and checks the config text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let config: Self =
            serde_json::from_str(text).map_err(|e| format!("upstream-auth config: {e}"))?;
        if config.backend.is_empty() {
            return Err("upstream-auth config: backend must be a non-empty name".into());
        }
        let err = |m: String| format!("upstream-auth config (backend {}): {m}", config.backend);
        if config.kind != "aws_web_identity" {
            return Err(err("kind must be aws_web_identity".into()));
        }
        for (field, value) in [("region", &config.region), ("service", &config.service)] {
            let valid = !value.is_empty()
                && value
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !valid {
                return Err(err(format!(
                    "{field} must be non-empty and hold only a-z, 0-9 and -"
                )));
            }
        }
        if !config.role_arn.starts_with("arn:") || config.role_arn.contains(char::is_whitespace) {
            return Err(err("role_arn must be an IAM role ARN (arn:...)".into()));
        }
        if !valid_session_name(&config.role_session_name) {
            return Err(err(
                "role_session_name must be 2-64 of A-Z, a-z, 0-9 and _+=,.@-".into(),
            ));
        }
        if config.sts_cluster.is_empty() {
            return Err(err("sts_cluster must name an Envoy cluster".into()));
        }
        TokenUrl::parse(&config.sts_url).map_err(|e| err(format!("sts_url: {e}")))?;
        if let Some(d) = config.duration_seconds
            && !(900..=43_200).contains(&d)
        {
            return Err(err("duration_seconds must be between 900 and 43200".into()));
        }
        if config.fetch_timeout_ms == 0 {
            return Err(err("fetch_timeout_ms must be positive".into()));
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

    /// The STS call, reading the token variable through `env`; the token file is only
    /// available when `files` is true (not in the wasm sandbox).
    pub fn assume_role(
        &self,
        env: impl Fn(&str) -> Option<OsString>,
        files: bool,
    ) -> Result<AssumeRole, String> {
        let token = match (&self.web_identity_token_file, &self.web_identity_token_env) {
            (Some(_), Some(_)) => Err(
                "set only one of web_identity_token_file and web_identity_token_env".to_string(),
            ),
            (None, None) => Err(
                "one of web_identity_token_file or web_identity_token_env is required".to_string(),
            ),
            (Some(path), None) if !files => Err(format!(
                "web_identity_token_file {}: files are not available in the wasm build of upstream-auth; use web_identity_token_env or the native module",
                path.display()
            )),
            (Some(path), None) => Ok(WebIdentityToken::File(path.clone())),
            (None, Some(var)) => match env(var).map(OsString::into_string) {
                None => Err(format!(
                    "web_identity_token_env: environment variable {var} is not set"
                )),
                Some(Err(_)) => Err(format!(
                    "web_identity_token_env: environment variable {var} is not UTF-8"
                )),
                Some(Ok(t)) if t.trim().is_empty() => Err(format!(
                    "web_identity_token_env: environment variable {var} is empty"
                )),
                Some(Ok(t)) => Ok(WebIdentityToken::Fixed(SecretString::from(
                    t.trim().to_string(),
                ))),
            },
        };
        Ok(AssumeRole {
            role_arn: self.role_arn.clone(),
            session_name: self.role_session_name.clone(),
            token: token
                .map_err(|e| format!("upstream-auth config (backend {}): {e}", self.backend))?,
            duration_seconds: self.duration_seconds,
            url: TokenUrl::parse(&self.sts_url).expect("checked by parse"),
        })
    }
}

#[cfg(test)]
#[path = "web_identity_config_tests.rs"]
mod tests;
