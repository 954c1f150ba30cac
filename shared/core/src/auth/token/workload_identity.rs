//! Google workload identity federation: an external credential (an OIDC token from a file or
//! variable) exchanged at Google's STS (RFC 8693 token exchange) for a federated access
//! token, optionally exchanged again for a service account's access token with IAM
//! Credentials `generateAccessToken`.

use super::cache::Issued;
use super::url::TokenUrl;
use crate::auth::SecretString;
use secrecy::ExposeSecret;
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// `grant_type` of an RFC 8693 token exchange.
pub const TOKEN_EXCHANGE_GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// `requested_token_type` of the exchange.
pub const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
/// Default `subject_token_type`: an OIDC ID token.
pub const JWT_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:jwt";

/// Where the external credential comes from.
#[derive(Debug)]
pub enum SubjectToken {
    /// Read once (from an environment variable) at config load.
    Fixed(SecretString),
    /// A token file read at every exchange (so a rotated token is picked up).
    File(PathBuf),
}

/// A workload identity pool provider and what the token is for.
#[derive(Debug)]
pub struct WorkloadIdentity {
    /// The provider's audience
    /// (`//iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/providers/Q`).
    pub audience: String,
    /// The external credential.
    pub subject: SubjectToken,
    /// Its type (default [`JWT_TOKEN_TYPE`]).
    pub subject_token_type: String,
    /// OAuth scopes.
    pub scopes: Vec<String>,
    /// `generateAccessToken` URL of the service account to impersonate, when any.
    pub impersonation: Option<TokenUrl>,
}

/// The `generateAccessToken` call. `Debug` shows no secret.
pub struct ImpersonationRequest {
    /// `:authority`.
    pub authority: String,
    /// `:path`.
    pub path: String,
    /// `authorization` (the federated token).
    pub authorization: SecretString,
    /// JSON body.
    pub body: Vec<u8>,
}

impl std::fmt::Debug for ImpersonationRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImpersonationRequest")
            .field("authority", &self.authority)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl WorkloadIdentity {
    /// Appends the token-exchange parameters to `form`. Errors (an unreadable or empty
    /// token file) name the file, never the token.
    pub fn exchange_form(
        &self,
        form: &mut form_urlencoded::Serializer<'_, String>,
    ) -> Result<(), String> {
        let subject = match &self.subject {
            SubjectToken::Fixed(token) => token.expose_secret().to_string(),
            SubjectToken::File(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    format!("subject_token_file {}: cannot read: {e}", path.display())
                })?;
                let token = text.trim();
                if token.is_empty() {
                    return Err(format!("subject_token_file {} is empty", path.display()));
                }
                token.to_string()
            }
        };
        form.append_pair("grant_type", TOKEN_EXCHANGE_GRANT)
            .append_pair("audience", &self.audience)
            .append_pair("scope", &self.scopes.join(" "))
            .append_pair("requested_token_type", ACCESS_TOKEN_TYPE)
            .append_pair("subject_token", &subject)
            .append_pair("subject_token_type", &self.subject_token_type);
        Ok(())
    }

    /// The impersonation call made with the federated token's `authorization` value
    /// (`Bearer <token>`), when a service account is impersonated.
    pub fn impersonation_request(&self, federated: &SecretString) -> Option<ImpersonationRequest> {
        let url = self.impersonation.as_ref()?;
        Some(ImpersonationRequest {
            authority: url.authority.clone(),
            path: url.path.clone(),
            authorization: federated.clone(),
            body: serde_json::json!({"scope": self.scopes})
                .to_string()
                .into_bytes(),
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Generated {
    access_token: String,
    expire_time: String,
}

#[derive(Deserialize)]
struct GoogleError {
    error: GoogleErrorBody,
}

#[derive(Deserialize)]
struct GoogleErrorBody {
    status: String,
}

/// The service account's token in a `generateAccessToken` answer, received at `now`.
/// Errors give the status and Google's error status name only.
pub fn parse_impersonation_response(
    status: u16,
    body: &[u8],
    now: SystemTime,
) -> Result<Issued<SecretString>, String> {
    if status != 200 {
        let code = serde_json::from_slice::<GoogleError>(body)
            .map(|e| format!(" ({})", e.error.status.chars().take(64).collect::<String>()))
            .unwrap_or_default();
        return Err(format!("generateAccessToken answered {status}{code}"));
    }
    let ok: Generated = serde_json::from_slice(body)
        .map_err(|_| "generateAccessToken answer has no accessToken and expireTime".to_string())?;
    if ok.access_token.is_empty() || !ok.access_token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("generateAccessToken sent a token an HTTP header cannot carry".into());
    }
    let expires = OffsetDateTime::parse(&ok.expire_time, &Rfc3339)
        .ok()
        .and_then(|t| u64::try_from(t.unix_timestamp()).ok())
        .map(|s| UNIX_EPOCH + Duration::from_secs(s))
        .ok_or("generateAccessToken answer has an expireTime that is not an RFC 3339 time")?;
    if expires <= now {
        return Err("generateAccessToken sent a token that has already expired".into());
    }
    Ok(Issued {
        value: Arc::new(SecretString::from(format!("Bearer {}", ok.access_token))),
        issued_at: now,
        expires_at: expires,
    })
}

#[cfg(test)]
#[path = "workload_identity_tests.rs"]
mod tests;
