//! Reading STS's XML answer to `AssumeRoleWithWebIdentity`.

use crate::auth::sigv4::AwsCredentials;
use crate::auth::token::Issued;
use secrecy::SecretString;
use serde::Deserialize;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Response {
    assume_role_with_web_identity_result: StsResult,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StsResult {
    credentials: Credentials,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Credentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    expiration: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ErrorResponse {
    error: StsError,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StsError {
    code: String,
}

/// The credentials in a `status` answer with XML `body`, received at `now`. Errors give
/// the status and STS's error code only (messages may quote request values).
pub fn parse_sts_response(
    status: u16,
    body: &[u8],
    now: SystemTime,
) -> Result<Issued<AwsCredentials>, String> {
    let text = std::str::from_utf8(body).map_err(|_| "STS answer is not UTF-8".to_string())?;
    if status != 200 {
        let code = quick_xml::de::from_str::<ErrorResponse>(text)
            .map(|e| format!(" ({})", e.error.code.chars().take(64).collect::<String>()))
            .unwrap_or_default();
        return Err(format!("STS answered {status}{code}"));
    }
    let answer: Response = quick_xml::de::from_str(text)
        .map_err(|_| "STS answer has no AssumeRoleWithWebIdentityResult credentials".to_string())?;
    let c = answer.assume_role_with_web_identity_result.credentials;
    let header_safe = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic());
    if !header_safe(&c.access_key_id) || !header_safe(&c.session_token) {
        return Err(
            "STS sent an access key id or session token an HTTP header cannot carry".into(),
        );
    }
    if c.secret_access_key.is_empty() {
        return Err("STS sent an empty secret access key".into());
    }
    let expires = OffsetDateTime::parse(c.expiration.trim(), &Rfc3339)
        .map_err(|_| "STS answer has an Expiration that is not an RFC 3339 time".to_string())?;
    let expires_at = u64::try_from(expires.unix_timestamp())
        .map(|s| UNIX_EPOCH + Duration::from_secs(s))
        .map_err(|_| "STS answer has an Expiration before 1970".to_string())?;
    if expires_at <= now {
        return Err("STS sent credentials that have already expired".into());
    }
    Ok(Issued {
        value: Arc::new(AwsCredentials::new(
            c.access_key_id,
            SecretString::from(c.secret_access_key),
            Some(SecretString::from(c.session_token)),
        )),
        issued_at: now,
        expires_at,
    })
}

#[cfg(test)]
#[path = "response_tests.rs"]
mod tests;
