//! Config of the token kinds (`oauth2`, `azure_entra`, `gcp_service_account`,
//! `gcp_workload_identity`): where the
//! token endpoint is (an Envoy cluster and the URL) and where the client's secrets come
//! from (environment variables, or files on the native build). Errors name the field.

use aigw_core::auth::SecretString;
use aigw_core::auth::token::{
    ENTRA_COGNITIVE_SCOPE, EntraSecret, Grant, JWT_TOKEN_TYPE, ServiceAccountKey, SubjectToken,
    TokenUrl, WorkloadIdentity,
};
use serde::Deserialize;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Which token grant a backend uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// OAuth2 client credentials.
    Oauth2,
    /// Azure Entra ID client credentials (secret or federated assertion).
    AzureEntra,
    /// Google service-account key (JWT bearer grant).
    GcpServiceAccount,
    /// Google workload identity federation (token exchange, optional impersonation).
    GcpWorkloadIdentity,
}

impl TokenKind {
    /// Whether `kind` (a config's `kind` field) names a token kind.
    pub fn is_token_kind(kind: &str) -> bool {
        matches!(
            kind,
            "oauth2" | "azure_entra" | "gcp_service_account" | "gcp_workload_identity"
        )
    }
}

/// The config as written (see docs/internals.md).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    /// Backend name, used in log lines and errors.
    pub backend: String,
    /// The grant.
    pub kind: TokenKind,
    /// Envoy cluster of the token endpoint.
    pub token_cluster: String,
    /// Token endpoint URL (gcp: must equal the key's `token_uri`).
    pub token_url: String,
    /// oauth2, azure_entra: the client id.
    #[serde(default)]
    pub client_id: Option<String>,
    /// oauth2, azure_entra: variable holding the client secret.
    #[serde(default)]
    pub client_secret_env: Option<String>,
    /// oauth2, azure_entra: file holding the client secret (native only; read at load).
    #[serde(default)]
    pub client_secret_file: Option<PathBuf>,
    /// azure_entra: variable holding a federated client assertion.
    #[serde(default)]
    pub client_assertion_env: Option<String>,
    /// azure_entra: federated token file, read at every fetch (native only).
    #[serde(default)]
    pub client_assertion_file: Option<PathBuf>,
    /// gcp_service_account: variable holding the JSON key.
    #[serde(default)]
    pub credentials_env: Option<String>,
    /// gcp_service_account: JSON key file (native only; read at load).
    #[serde(default)]
    pub credentials_file: Option<PathBuf>,
    /// gcp_workload_identity: the workload identity pool provider's audience.
    #[serde(default)]
    pub audience: Option<String>,
    /// gcp_workload_identity: file holding the external token, read at every exchange
    /// (native only).
    #[serde(default)]
    pub subject_token_file: Option<PathBuf>,
    /// gcp_workload_identity: variable holding the external token.
    #[serde(default)]
    pub subject_token_env: Option<String>,
    /// gcp_workload_identity: type of the external token (default: an OIDC JWT).
    #[serde(default)]
    pub subject_token_type: Option<String>,
    /// gcp_workload_identity: Envoy cluster of the `generateAccessToken` endpoint.
    #[serde(default)]
    pub impersonation_cluster: Option<String>,
    /// gcp_workload_identity: `generateAccessToken` URL of the service account to impersonate.
    #[serde(default)]
    pub impersonation_url: Option<String>,
    /// Scopes (azure_entra default: the Cognitive Services scope; gcp default: cloud-platform).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Timeout of one token fetch in milliseconds (default 10000).
    #[serde(default = "default_timeout")]
    pub fetch_timeout_ms: u64,
}

fn default_timeout() -> u64 {
    10_000
}

/// Default scope of Google tokens.
const GCP_SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";

/// A secret's source as configured: exactly one of an env variable and a file.
struct SecretField<'a> {
    env_field: &'static str,
    env: Option<&'a String>,
    file_field: &'static str,
    file: Option<&'a PathBuf>,
}

impl TokenConfig {
    /// Parses and checks the config text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let config: Self =
            serde_json::from_str(text).map_err(|e| format!("upstream-auth config: {e}"))?;
        let err = |m: String| format!("upstream-auth config (backend {}): {m}", config.backend);
        if config.backend.is_empty() {
            return Err("upstream-auth config: backend must be a non-empty name".into());
        }
        if config.token_cluster.is_empty() {
            return Err(err("token_cluster must name an Envoy cluster".into()));
        }
        TokenUrl::parse(&config.token_url).map_err(|e| err(format!("token_url: {e}")))?;
        if config.fetch_timeout_ms == 0 {
            return Err(err("fetch_timeout_ms must be positive".into()));
        }
        Ok(config)
    }

    /// The token endpoint.
    pub fn url(&self) -> TokenUrl {
        TokenUrl::parse(&self.token_url).expect("checked by parse")
    }

    /// Builds the grant, reading secrets through `env` and (when `files` is true) files.
    pub fn grant(
        &self,
        env: impl Fn(&str) -> Option<OsString>,
        files: bool,
    ) -> Result<Grant, String> {
        self.build(&env, files)
            .map_err(|m| format!("upstream-auth config (backend {}): {m}", self.backend))
    }

    fn build(&self, env: &dyn Fn(&str) -> Option<OsString>, files: bool) -> Result<Grant, String> {
        let unused = |fields: &[(&str, bool)]| -> Result<(), String> {
            match fields.iter().find(|(_, set)| *set) {
                Some((name, _)) => Err(format!("{name} is not used by this kind")),
                None => Ok(()),
            }
        };
        let secret = SecretField {
            env_field: "client_secret_env",
            env: self.client_secret_env.as_ref(),
            file_field: "client_secret_file",
            file: self.client_secret_file.as_ref(),
        };
        let assertion = SecretField {
            env_field: "client_assertion_env",
            env: self.client_assertion_env.as_ref(),
            file_field: "client_assertion_file",
            file: self.client_assertion_file.as_ref(),
        };
        if self.kind != TokenKind::GcpWorkloadIdentity {
            unused(&[
                ("audience", self.audience.is_some()),
                ("subject_token_file", self.subject_token_file.is_some()),
                ("subject_token_env", self.subject_token_env.is_some()),
                ("subject_token_type", self.subject_token_type.is_some()),
                (
                    "impersonation_cluster",
                    self.impersonation_cluster.is_some(),
                ),
                ("impersonation_url", self.impersonation_url.is_some()),
            ])?;
        }
        match self.kind {
            TokenKind::GcpWorkloadIdentity => {
                unused(&[
                    ("client_id", self.client_id.is_some()),
                    ("client_secret_env", secret.env.is_some()),
                    ("client_secret_file", secret.file.is_some()),
                    ("client_assertion_env", assertion.env.is_some()),
                    ("client_assertion_file", assertion.file.is_some()),
                    ("credentials_env", self.credentials_env.is_some()),
                    ("credentials_file", self.credentials_file.is_some()),
                ])?;
                let audience = match &self.audience {
                    Some(a) if !a.is_empty() => a.clone(),
                    _ => return Err("audience is required".into()),
                };
                let subject =
                    match (&self.subject_token_file, &self.subject_token_env) {
                        (Some(path), None) if !files => {
                            return Err(no_files("subject_token_file", path));
                        }
                        (Some(path), None) => SubjectToken::File(path.clone()),
                        _ => {
                            let field = SecretField {
                                env_field: "subject_token_env",
                                env: self.subject_token_env.as_ref(),
                                file_field: "subject_token_file",
                                file: self.subject_token_file.as_ref(),
                            };
                            SubjectToken::Fixed(read_secret(&field, env, files)?.ok_or(
                                "one of subject_token_file or subject_token_env is required",
                            )?)
                        }
                    };
                let impersonation = match (&self.impersonation_cluster, &self.impersonation_url) {
                    (None, None) => None,
                    (Some(c), Some(url)) if !c.is_empty() => {
                        Some(TokenUrl::parse(url).map_err(|e| format!("impersonation_url: {e}"))?)
                    }
                    _ => {
                        return Err(
                            "impersonation_cluster and impersonation_url go together".into()
                        );
                    }
                };
                Ok(Grant::WorkloadIdentity(WorkloadIdentity {
                    audience,
                    subject,
                    subject_token_type: self
                        .subject_token_type
                        .clone()
                        .unwrap_or_else(|| JWT_TOKEN_TYPE.to_string()),
                    scopes: if self.scopes.is_empty() {
                        vec![GCP_SCOPE.to_string()]
                    } else {
                        self.scopes.clone()
                    },
                    impersonation,
                }))
            }
            TokenKind::Oauth2 => {
                unused(&[
                    ("client_assertion_env", assertion.env.is_some()),
                    ("client_assertion_file", assertion.file.is_some()),
                    ("credentials_env", self.credentials_env.is_some()),
                    ("credentials_file", self.credentials_file.is_some()),
                ])?;
                Ok(Grant::ClientCredentials {
                    client_id: self.client_id()?,
                    client_secret: read_secret(&secret, env, files)?
                        .ok_or("one of client_secret_env or client_secret_file is required")?,
                    scopes: self.scopes.clone(),
                })
            }
            TokenKind::AzureEntra => {
                unused(&[
                    ("credentials_env", self.credentials_env.is_some()),
                    ("credentials_file", self.credentials_file.is_some()),
                ])?;
                let has_secret = secret.env.is_some() || secret.file.is_some();
                let has_assertion = assertion.env.is_some() || assertion.file.is_some();
                let secret = match (has_secret, has_assertion) {
                    (true, true) => {
                        return Err("set a client secret or a client assertion, not both".into());
                    }
                    (false, false) => return Err(
                        "one of client_secret_env, client_secret_file, client_assertion_env or client_assertion_file is required".into(),
                    ),
                    (true, false) => EntraSecret::ClientSecret(
                        read_secret(&secret, env, files)?.expect("one is set"),
                    ),
                    (false, true) => match assertion.file {
                        Some(path) if !files => return Err(no_files(assertion.file_field, path)),
                        Some(path) => EntraSecret::AssertionFile(path.clone()),
                        None => EntraSecret::Assertion(
                            read_secret(&assertion, env, files)?.expect("env is set"),
                        ),
                    },
                };
                let scope = match self.scopes.as_slice() {
                    [] => ENTRA_COGNITIVE_SCOPE.to_string(),
                    [one] => one.clone(),
                    _ => return Err("scopes: Entra ID client credentials take exactly one scope (<resource>/.default)".into()),
                };
                Ok(Grant::Entra {
                    client_id: self.client_id()?,
                    secret,
                    scope,
                })
            }
            TokenKind::GcpServiceAccount => {
                unused(&[
                    ("client_id", self.client_id.is_some()),
                    ("client_secret_env", secret.env.is_some()),
                    ("client_secret_file", secret.file.is_some()),
                    ("client_assertion_env", assertion.env.is_some()),
                    ("client_assertion_file", assertion.file.is_some()),
                ])?;
                let source = SecretField {
                    env_field: "credentials_env",
                    env: self.credentials_env.as_ref(),
                    file_field: "credentials_file",
                    file: self.credentials_file.as_ref(),
                };
                let json = read_secret(&source, env, files)?
                    .ok_or("one of credentials_env or credentials_file is required")?;
                let what = match (&self.credentials_env, &self.credentials_file) {
                    (Some(var), _) => format!("credentials_env {var}"),
                    (_, Some(path)) => format!("credentials_file {}", path.display()),
                    _ => unreachable!("read_secret returned a value"),
                };
                let key = ServiceAccountKey::parse(&json, &what)?;
                if key.token_uri != self.token_url {
                    return Err(format!(
                        "token_url {:?} differs from the key's token_uri {:?}",
                        self.token_url, key.token_uri
                    ));
                }
                let scopes = if self.scopes.is_empty() {
                    vec![GCP_SCOPE.to_string()]
                } else {
                    self.scopes.clone()
                };
                Ok(Grant::ServiceAccount { key, scopes })
            }
        }
    }

    fn client_id(&self) -> Result<String, String> {
        match &self.client_id {
            Some(id) if !id.is_empty() => Ok(id.clone()),
            _ => Err("client_id is required".into()),
        }
    }
}

fn no_files(field: &str, path: &Path) -> String {
    format!(
        "{field} {}: files are not available in the wasm build of upstream-auth; use the *_env field or the native module",
        path.display()
    )
}

/// Reads the secret of `field`: `None` when neither source is set.
fn read_secret(
    field: &SecretField<'_>,
    env: &dyn Fn(&str) -> Option<OsString>,
    files: bool,
) -> Result<Option<SecretString>, String> {
    let text = match (field.env, field.file) {
        (Some(_), Some(_)) => {
            return Err(format!(
                "set only one of {} and {}",
                field.env_field, field.file_field
            ));
        }
        (None, None) => return Ok(None),
        (Some(var), None) => env(var)
            .ok_or_else(|| format!("{}: environment variable {var} is not set", field.env_field))?
            .into_string()
            .map_err(|_| {
                format!(
                    "{}: environment variable {var} is not UTF-8",
                    field.env_field
                )
            })?,
        (None, Some(path)) if !files => return Err(no_files(field.file_field, path)),
        (None, Some(path)) => std::fs::read_to_string(path)
            .map_err(|e| format!("{} {}: cannot read: {e}", field.file_field, path.display()))?,
    };
    let text = text.trim();
    if text.is_empty() {
        return Err(format!(
            "{} is empty",
            field.env_field.trim_end_matches("_env")
        ));
    }
    Ok(Some(SecretString::from(text.to_string())))
}

#[cfg(test)]
#[path = "token_config_tests.rs"]
mod tests;
