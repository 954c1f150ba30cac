//! Reading a token endpoint's answer (RFC 6749 section 5).

use super::cache::Issued;
use crate::auth::SecretString;
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

#[derive(Deserialize)]
struct Success {
    access_token: String,
    /// Seconds; Entra's v1 endpoint sends a string.
    expires_in: Value,
}

#[derive(Deserialize)]
struct Failure {
    error: String,
}

/// The token in a `status` answer with `body`, received at `now`. Errors give the status
/// and the OAuth `error` code only (descriptions may quote request values).
pub fn parse_token_response(
    status: u16,
    body: &[u8],
    now: SystemTime,
) -> Result<Issued<SecretString>, String> {
    if status != 200 {
        let code = serde_json::from_slice::<Failure>(body)
            .map(|f| format!(" ({})", f.error.chars().take(64).collect::<String>()))
            .unwrap_or_default();
        return Err(format!("token endpoint answered {status}{code}"));
    }
    let ok: Success = serde_json::from_slice(body)
        .map_err(|_| "token endpoint answer has no access_token and expires_in".to_string())?;
    let seconds = match &ok.expires_in {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
    .filter(|s| *s > 0)
    .ok_or("token endpoint answer has no positive expires_in")?;
    if ok.access_token.is_empty() || !ok.access_token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("token endpoint sent an access_token an HTTP header cannot carry".into());
    }
    Ok(Issued {
        value: Arc::new(SecretString::from(format!("Bearer {}", ok.access_token))),
        issued_at: now,
        expires_at: now + Duration::from_secs(seconds),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn reads_token_and_lifetime_as_number_or_string() {
        let now = SystemTime::UNIX_EPOCH;
        for body in [
            r#"{"access_token":"fake-at","expires_in":3599,"token_type":"Bearer"}"#,
            r#"{"access_token":"fake-at","expires_in":"3599","token_type":"Bearer"}"#,
        ] {
            let t = parse_token_response(200, body.as_bytes(), now).unwrap();
            assert_eq!(t.value.expose_secret(), "Bearer fake-at");
            assert_eq!(t.expires_at, now + Duration::from_secs(3599));
        }
    }

    #[test]
    fn errors_carry_status_and_code_only() {
        let body = br#"{"error":"invalid_client","error_description":"secret fake-s is wrong"}"#;
        let err = parse_token_response(401, body, SystemTime::UNIX_EPOCH).unwrap_err();
        assert_eq!(err, "token endpoint answered 401 (invalid_client)");
        let err = parse_token_response(200, b"{}", SystemTime::UNIX_EPOCH).unwrap_err();
        assert!(err.contains("no access_token"));
        let err = parse_token_response(
            200,
            br#"{"access_token":"a b","expires_in":5}"#,
            SystemTime::UNIX_EPOCH,
        )
        .unwrap_err();
        assert!(err.contains("header cannot carry"));
    }
}
