//! SigV4 checks as Bedrock makes them: a missing, ill-formed, unknown-key, expired or wrong
//! signature gets Bedrock's 403. The signature is recomputed over the request as received
//! (method, path, `host`, `content-type`, `x-amz-*`, body) with the backend's secret, so a
//! body or path changed after signing is caught.
//!
//! Backends of this flavour are configured as `--backend ID=<access key id>:<secret key>`.

use aigw_core::auth::sigv4::{AwsCredentials, RequestToSign, SigningScope, sign};
use hyper::HeaderMap;
use secrecy::SecretString;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::error::AwsError;
use crate::config::{Backend, Config};

/// Largest clock skew AWS accepts between `x-amz-date` and now.
const MAX_SKEW: Duration = Duration::from_secs(15 * 60);
const MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/// The received request, as SigV4 signs it.
pub struct Received<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// Path with query, as received.
    pub path: &'a str,
    /// Request headers.
    pub headers: &'a HeaderMap,
    /// Request body.
    pub body: &'a [u8],
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn incomplete(authorization: &str) -> AwsError {
    AwsError::forbidden(
        "IncompleteSignatureException",
        format!(
            "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 {}",
            authorization.chars().take(40).collect::<String>()
        ),
    )
}

/// `YYYYMMDDTHHMMSSZ` as a time.
fn parse_amz_date(text: &str) -> Option<SystemTime> {
    let b = text.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<u32>().ok();
    let month = time::Month::try_from(num(4..6)? as u8).ok()?;
    let date = time::Date::from_calendar_date(num(0..4)? as i32, month, num(6..8)? as u8).ok()?;
    let clock =
        time::Time::from_hms(num(9..11)? as u8, num(11..13)? as u8, num(13..15)? as u8).ok()?;
    let secs = time::PrimitiveDateTime::new(date, clock)
        .assume_utc()
        .unix_timestamp();
    Some(UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).ok()?))
}

/// The backend of access key `key_id` and its secret key: a configured key pair, or
/// temporary credentials the fake STS issued (only with their session token, and only
/// until they expire).
fn signer<'c>(
    config: &'c Config,
    headers: &HeaderMap,
    key_id: &str,
) -> Result<(&'c Backend, String), AwsError> {
    let invalid = || {
        AwsError::forbidden(
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        )
    };
    if let Some(backend) = config
        .backends
        .iter()
        .find(|b| b.key.split_once(':').is_some_and(|(id, _)| id == key_id))
    {
        let secret = backend.key.split_once(':').map_or("", |(_, s)| s);
        return Ok((backend, secret.to_string()));
    }
    let issued = config
        .tokens
        .as_ref()
        .and_then(|t| t.aws_credentials(key_id))
        .ok_or_else(invalid)?;
    if header(headers, "x-amz-security-token") != Some(issued.session_token.as_str()) {
        return Err(invalid());
    }
    if SystemTime::now() >= issued.expires {
        return Err(AwsError::forbidden(
            "ExpiredTokenException",
            "The security token included in the request is expired",
        ));
    }
    let backend = config
        .backends
        .iter()
        .find(|b| b.id == issued.backend)
        .ok_or_else(invalid)?;
    Ok((backend, issued.secret))
}

/// Checks the signature and returns the backend whose access key signed the request.
pub fn authenticate<'c>(config: &'c Config, req: &Received<'_>) -> Result<&'c Backend, AwsError> {
    let Some(authorization) = header(req.headers, "authorization") else {
        return Err(AwsError::forbidden(
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ));
    };
    let Some(params) = authorization.strip_prefix("AWS4-HMAC-SHA256 ") else {
        return Err(incomplete(authorization));
    };
    let field = |name: &str| {
        params
            .split(", ")
            .find_map(|p| p.strip_prefix(name)?.strip_prefix('='))
    };
    let (Some(credential), Some(_), Some(_)) = (
        field("Credential"),
        field("SignedHeaders"),
        field("Signature"),
    ) else {
        return Err(incomplete(params));
    };
    let scope: Vec<&str> = credential.split('/').collect();
    let [key_id, date, region, service, "aws4_request"] = scope[..] else {
        return Err(incomplete(params));
    };
    if service != "bedrock" {
        return Err(AwsError::forbidden(
            "InvalidSignatureException",
            "Credential should be scoped to correct service: 'bedrock'.",
        ));
    }
    let amz_date = header(req.headers, "x-amz-date").ok_or_else(|| {
        AwsError::forbidden(
            "IncompleteSignatureException",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        )
    })?;
    let (backend, secret) = signer(config, req.headers, key_id)?;
    let signed_at = parse_amz_date(amz_date).ok_or_else(|| {
        AwsError::forbidden(
            "IncompleteSignatureException",
            format!("Date must be in ISO-8601 'basic format'. Got '{amz_date}'."),
        )
    })?;
    if !amz_date.starts_with(date) {
        return Err(AwsError::forbidden(
            "InvalidSignatureException",
            format!(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{date}' != '{}'",
                &amz_date[..8]
            ),
        ));
    }
    let now = SystemTime::now();
    let skew = now
        .duration_since(signed_at)
        .or_else(|_| signed_at.duration_since(now))
        .unwrap_or_default();
    if skew > MAX_SKEW {
        return Err(AwsError::forbidden(
            "InvalidSignatureException",
            format!(
                "Signature expired: {amz_date} is now earlier or later than 15 minutes from now."
            ),
        ));
    }
    let token = header(req.headers, "x-amz-security-token").map(SecretString::from);
    let credentials = AwsCredentials::new(key_id.to_string(), SecretString::from(secret), token);
    let scope = SigningScope {
        region: region.to_string(),
        service: service.to_string(),
        content_sha256_header: false,
    };
    let request = RequestToSign {
        method: req.method,
        path: req.path,
        host: header(req.headers, "host").unwrap_or_default(),
        content_type: header(req.headers, "content-type"),
        body: req.body,
    };
    let expected = sign(&credentials, &scope, &request, signed_at);
    let matches = expected
        .iter()
        .find(|(name, _)| *name == "authorization")
        .is_some_and(|(_, value)| value == authorization);
    if matches {
        Ok(backend)
    } else {
        Err(AwsError::forbidden("InvalidSignatureException", MISMATCH))
    }
}
