//! AWS Signature Version 4 request signing (for Bedrock and other AWS services).
//!
//! The HMAC-SHA256 and SHA-256 primitives come from the RustCrypto `hmac` and `sha2` crates.
//! The official `aws-sigv4` crate is not used: it pulls in the AWS smithy runtime (HTTP
//! types, async plumbing, `time` formatting) which would multiply the size of the wasm
//! module for what is a few string joins around those primitives.

mod canonical;
mod credentials;
mod profile_file;
mod region;

pub use credentials::AwsCredentials;
pub use profile_file::ProfileFile;
pub use region::region_from_host;

use hmac::{Hmac, Mac};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use std::time::{SystemTime, UNIX_EPOCH};

const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// Where signatures are scoped: region, service, and whether the service wants the
/// payload hash in an `x-amz-content-sha256` header (S3 does; Bedrock does not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningScope {
    /// AWS region, e.g. `us-east-1`.
    pub region: String,
    /// Signing name of the service, e.g. `bedrock`.
    pub service: String,
    /// Send and sign `x-amz-content-sha256`.
    pub content_sha256_header: bool,
}

/// The parts of the final upstream request that are signed.
#[derive(Debug, Clone, Copy)]
pub struct RequestToSign<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// Path with query, as sent (`:path`).
    pub path: &'a str,
    /// Host as sent (`:authority`).
    pub host: &'a str,
    /// `content-type`, signed when present.
    pub content_type: Option<&'a str>,
    /// The request body as sent.
    pub body: &'a [u8],
}

/// Signs `request` at time `now` and returns the headers to set on it: `x-amz-date`,
/// `x-amz-security-token` (session credentials), `x-amz-content-sha256` (when the scope
/// asks for it) and `authorization`. Signed headers: `content-type` (when present),
/// `host` and those `x-amz-*` headers.
pub fn sign(
    credentials: &AwsCredentials,
    scope: &SigningScope,
    request: &RequestToSign<'_>,
    now: SystemTime,
) -> Vec<(&'static str, String)> {
    let (amz_date, date) = timestamps(now);
    let payload_hash = hex::encode(Sha256::digest(request.body));
    let mut added: Vec<(&'static str, String)> = vec![("x-amz-date", amz_date.clone())];
    if scope.content_sha256_header {
        added.push(("x-amz-content-sha256", payload_hash.clone()));
    }
    if let Some(token) = credentials.session_token() {
        added.push(("x-amz-security-token", token.expose_secret().to_string()));
    }

    let mut signed: Vec<(&str, String)> = Vec::with_capacity(added.len() + 2);
    if let Some(content_type) = request.content_type {
        signed.push(("content-type", canonical::header_value(content_type)));
    }
    signed.push(("host", canonical::header_value(request.host)));
    signed.extend(added.iter().map(|(n, v)| (*n, canonical::header_value(v))));
    signed.sort();
    let signed_names: Vec<&str> = signed.iter().map(|(n, _)| *n).collect();
    let signed_names = signed_names.join(";");

    let (path, query) = request.path.split_once('?').unwrap_or((request.path, ""));
    let mut canonical_request = format!(
        "{}\n{}\n{}\n",
        request.method,
        canonical::uri(path),
        canonical::query(query)
    );
    for (name, value) in &signed {
        canonical_request.push_str(&format!("{name}:{value}\n"));
    }
    canonical_request.push_str(&format!("\n{signed_names}\n{payload_hash}"));

    let credential_scope = format!("{date}/{}/{}/aws4_request", scope.region, scope.service);
    let string_to_sign = format!(
        "{ALGORITHM}\n{amz_date}\n{credential_scope}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let signing_key = [date.as_str(), &scope.region, &scope.service, "aws4_request"]
        .iter()
        .fold(
            format!("AWS4{}", credentials.secret_access_key().expose_secret()).into_bytes(),
            |key, part| hmac(&key, part.as_bytes()),
        );
    let signature = hex::encode(hmac(&signing_key, string_to_sign.as_bytes()));
    added.push((
        "authorization",
        format!(
            "{ALGORITHM} Credential={}/{credential_scope}, SignedHeaders={signed_names}, Signature={signature}",
            credentials.access_key_id()
        ),
    ));
    added
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// `(YYYYMMDDTHHMMSSZ, YYYYMMDD)` in UTC for `now` (clamped to the epoch).
fn timestamps(now: SystemTime) -> (String, String) {
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let t = time::OffsetDateTime::from_unix_timestamp(secs as i64)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let date = format!("{:04}{:02}{:02}", t.year(), u8::from(t.month()), t.day());
    let amz_date = format!("{date}T{:02}{:02}{:02}Z", t.hour(), t.minute(), t.second());
    (amz_date, date)
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
