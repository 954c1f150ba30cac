//! Google workload identity federation endpoints of the [`Issuer`]: the STS token exchange
//! (RFC 8693, `POST /v1/token`, a form) and IAM Credentials `generateAccessToken` (JSON, with
//! the federated token as bearer), both checked strictly.

use super::{Client, Issuer, Refusal, TOKEN_PREFIX, expect, expect_keys};
use bytes::Bytes;
use hyper::{HeaderMap, Method, StatusCode};
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Path of Google's STS token exchange.
pub const STS_PATH: &str = "/v1/token";
const SA_PREFIX: &str = "/v1/projects/-/serviceAccounts/";
const SA_SUFFIX: &str = ":generateAccessToken";
const EXCHANGE_GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
const JWT_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:jwt";
const SCOPE_PREFIX: &str = "https://www.googleapis.com/auth/";

/// The service account email of a `generateAccessToken` path.
pub fn service_account_of(path: &str) -> Option<&str> {
    let email = path.strip_prefix(SA_PREFIX)?.strip_suffix(SA_SUFFIX)?;
    (!email.is_empty() && !email.contains('/')).then_some(email)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GenerateRequest {
    scope: Vec<String>,
    #[serde(default)]
    lifetime: Option<String>,
}

fn google_error(status: StatusCode, name: &str, message: &str) -> (StatusCode, Vec<u8>) {
    eprintln!("testupstream: generateAccessToken refused: {name}: {message}");
    let body = json!({"error": {"code": status.as_u16(), "message": message, "status": name}});
    (status, body.to_string().into_bytes())
}

impl Issuer {
    /// Checks a token exchange form; returns the client it authenticates.
    pub(super) fn token_exchange(
        &self,
        form: &BTreeMap<String, String>,
    ) -> Result<&Client, Refusal> {
        expect_keys(
            form,
            &[
                "grant_type",
                "audience",
                "scope",
                "requested_token_type",
                "subject_token",
                "subject_token_type",
            ],
            &[],
        )?;
        expect(form, "grant_type", EXCHANGE_GRANT)?;
        expect(form, "requested_token_type", ACCESS_TOKEN_TYPE)?;
        expect(form, "subject_token_type", JWT_TOKEN_TYPE)?;
        let scopes_ok = form["scope"]
            .split(' ')
            .all(|s| s.len() > SCOPE_PREFIX.len() && s.starts_with(SCOPE_PREFIX));
        if !scopes_ok {
            return Err((
                StatusCode::BAD_REQUEST,
                "invalid_scope",
                "scope must be Google OAuth scopes".into(),
            ));
        }
        let client = self
            .clients()
            .find(|c| matches!(c, Client::GcpWorkloadIdentity { audience, .. } if *audience == form["audience"]))
            .ok_or_else(|| {
                (
                    StatusCode::BAD_REQUEST,
                    "invalid_target",
                    "The target service indicated by the audience parameter is invalid".into(),
                )
            })?;
        let Client::GcpWorkloadIdentity { subject_token, .. } = client else {
            unreachable!("matched above")
        };
        if form["subject_token"] != *subject_token {
            return Err((
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                "The subject token could not be validated".into(),
            ));
        }
        Ok(client)
    }

    /// Answers `generateAccessToken` for `account`: (status, JSON body).
    pub(super) fn generate_access_token(
        &self,
        method: &Method,
        account: &str,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> (StatusCode, Vec<u8>) {
        if method != Method::POST {
            return google_error(
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                "POST only",
            );
        }
        let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("");
        if header("content-type").split(';').next() != Some("application/json") {
            return google_error(
                StatusCode::BAD_REQUEST,
                "INVALID_ARGUMENT",
                "content-type must be application/json",
            );
        }
        let Some(token) = header("authorization").strip_prefix("Bearer ") else {
            return google_error(
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                "missing bearer token",
            );
        };
        let request: GenerateRequest = match serde_json::from_slice(body) {
            Ok(r) => r,
            Err(e) => {
                return google_error(
                    StatusCode::BAD_REQUEST,
                    "INVALID_ARGUMENT",
                    &format!("invalid body: {e}"),
                );
            }
        };
        if request.scope.is_empty() || !request.scope.iter().all(|s| s.starts_with(SCOPE_PREFIX)) {
            return google_error(
                StatusCode::BAD_REQUEST,
                "INVALID_ARGUMENT",
                "scope must be non-empty Google OAuth scopes",
            );
        }
        if request
            .lifetime
            .as_deref()
            .is_some_and(|l| !l.ends_with('s'))
        {
            return google_error(
                StatusCode::BAD_REQUEST,
                "INVALID_ARGUMENT",
                "lifetime must be a duration like 3600s",
            );
        }
        let Ok(mut state) = self.state.lock() else {
            return google_error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "state");
        };
        let valid_for = match state.federated.get(token) {
            Some((sa, expiry)) if Instant::now() < *expiry => sa.clone(),
            _ => {
                return google_error(
                    StatusCode::UNAUTHORIZED,
                    "UNAUTHENTICATED",
                    "Request had invalid authentication credentials",
                );
            }
        };
        if valid_for != account {
            return google_error(
                StatusCode::FORBIDDEN,
                "PERMISSION_DENIED",
                "Permission 'iam.serviceAccounts.getAccessToken' denied on resource",
            );
        }
        let backend = self
            .clients()
            .find_map(|c| match c {
                Client::GcpWorkloadIdentity {
                    backend,
                    service_account: Some(sa),
                    ..
                } if sa == account => Some(backend.clone()),
                _ => None,
            })
            .unwrap_or_default();
        *state
            .fetches
            .entry(format!("{backend}{SA_SUFFIX}"))
            .or_default() += 1;
        state.counter += 1;
        let n = state.counter;
        let hash = xxhash_rust::xxh3::xxh3_64(format!("{:?}{n}", Instant::now()).as_bytes());
        let issued = format!("{TOKEN_PREFIX}{backend}-sa-{n}-{hash:016x}");
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let expires = now + self.config.lifetime_s;
        let expire_time = OffsetDateTime::from_unix_timestamp(expires as i64)
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok())
            .unwrap_or_default();
        let left = Duration::from_secs(expires).saturating_sub(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default(),
        );
        state
            .issued
            .insert(issued.clone(), (backend.clone(), Instant::now() + left));
        eprintln!("testupstream: generated a service-account token for backend {backend}");
        let body = json!({"accessToken": issued, "expireTime": expire_time});
        (StatusCode::OK, body.to_string().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::super::TokenConfig;
    use super::*;
    use hyper::header::HeaderValue;

    const AUDIENCE: &str =
        "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q";
    const SUBJECT: &str = "fake-oidc-unit";
    const ACCOUNT: &str = "sa@p.iam.gserviceaccount.com";

    fn issuer() -> Issuer {
        Issuer::new(TokenConfig {
            lifetime_s: 60,
            delay_ms: 0,
            clients: vec![Client::GcpWorkloadIdentity {
                backend: "g".into(),
                audience: AUDIENCE.into(),
                subject_token: SUBJECT.into(),
                service_account: Some(ACCOUNT.into()),
            }],
        })
    }

    fn exchange(i: &Issuer, subject: &str) -> (StatusCode, serde_json::Value) {
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", EXCHANGE_GRANT)
            .append_pair("audience", AUDIENCE)
            .append_pair("scope", "https://www.googleapis.com/auth/cloud-platform")
            .append_pair("requested_token_type", ACCESS_TOKEN_TYPE)
            .append_pair("subject_token", subject)
            .append_pair("subject_token_type", JWT_TOKEN_TYPE)
            .finish();
        let mut h = HeaderMap::new();
        h.insert(
            "content-type",
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        let (status, body) = i.answer(&Method::POST, STS_PATH, &h, &Bytes::from(form));
        (status, serde_json::from_slice(&body).unwrap())
    }

    fn generate(i: &Issuer, account: &str, bearer: &str) -> (StatusCode, serde_json::Value) {
        let mut h = HeaderMap::new();
        h.insert("content-type", HeaderValue::from_static("application/json"));
        h.insert(
            "authorization",
            HeaderValue::from_str(&format!("Bearer {bearer}")).unwrap(),
        );
        let path = format!("{SA_PREFIX}{account}{SA_SUFFIX}");
        let body = Bytes::from(r#"{"scope":["https://www.googleapis.com/auth/cloud-platform"]}"#);
        let (status, body) = i.answer(&Method::POST, &path, &h, &body);
        (status, serde_json::from_slice(&body).unwrap())
    }

    #[test]
    fn exchange_then_impersonate() {
        let i = issuer();
        let (status, body) = exchange(&i, "fake-wrong-subject");
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_grant"))
        );
        let (status, body) = exchange(&i, SUBJECT);
        assert_eq!(status, StatusCode::OK, "{body}");
        let federated = body["access_token"].as_str().unwrap().to_string();
        assert_eq!(
            i.backend_of(&federated),
            None,
            "the federated token alone is not accepted"
        );
        let (status, body) = generate(&i, "other@p.iam.gserviceaccount.com", &federated);
        assert_eq!(
            (status, body["error"]["status"].as_str()),
            (StatusCode::FORBIDDEN, Some("PERMISSION_DENIED"))
        );
        let (status, _) = generate(&i, ACCOUNT, "fake-not-issued");
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, body) = generate(&i, ACCOUNT, &federated);
        assert_eq!(status, StatusCode::OK, "{body}");
        let token = body["accessToken"].as_str().unwrap();
        assert_eq!(i.backend_of(token).as_deref(), Some("g"));
        assert!(body["expireTime"].as_str().unwrap().ends_with('Z'));
    }
}
