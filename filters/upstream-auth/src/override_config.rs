//! Per-request credential override (opt-in per backend): `"override_header":"x-..."` names a
//! request header whose value, when present, is sent as the backend's credential instead of
//! the configured one; the header itself never reaches the provider.
//! `"override_when_missing":"use_configured"` (default) falls back to the configured
//! credential, `"reject"` answers 401.

use aigw_core::auth::CLIENT_CREDENTIAL_HEADERS;
use serde::Deserialize;
use serde_json::Value;

/// The override settings of a backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialOverride {
    /// Lower-case request header carrying the credential.
    pub header: String,
    /// Answer 401 when the header is missing (else use the configured credential).
    pub reject_when_missing: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum WhenMissing {
    UseConfigured,
    Reject,
}

/// Splits the override fields off a filter config: the rest of the config (for the kind's
/// own parser) and the override, if configured. Errors name the field.
pub fn split(config: &str) -> Result<(String, Option<CredentialOverride>), String> {
    let mut value: Value =
        serde_json::from_str(config).map_err(|e| format!("upstream-auth config: {e}"))?;
    let Some(object) = value.as_object_mut() else {
        return Ok((config.to_string(), None));
    };
    let header = object.remove("override_header");
    let when = object.remove("override_when_missing");
    let rest = value.to_string();
    let err = |m: String| format!("upstream-auth config: {m}");
    let header = match header {
        None if when.is_some() => {
            return Err(err("override_when_missing needs override_header".into()));
        }
        None => return Ok((rest, None)),
        Some(Value::String(h)) => h,
        Some(_) => return Err(err("override_header must be a header name".into())),
    };
    let token_char = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b);
    if header.is_empty() || !header.bytes().all(token_char) {
        return Err(err(format!(
            "override_header: {header:?} must be a lower-case header name (a-z, 0-9, -, _, .)"
        )));
    }
    if CLIENT_CREDENTIAL_HEADERS.contains(&header.as_str()) || header == "host" {
        return Err(err(format!(
            "override_header: {header:?} is a credential or routing header; use a header of its own such as x-upstream-key"
        )));
    }
    let reject_when_missing = match when {
        None => false,
        Some(w) => matches!(
            serde_json::from_value::<WhenMissing>(w).map_err(|_| err(
                "override_when_missing: expected use_configured or reject".into()
            ))?,
            WhenMissing::Reject
        ),
    };
    Ok((
        rest,
        Some(CredentialOverride {
            header,
            reject_when_missing,
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_checks_the_override_fields() {
        let (rest, o) = split(r#"{"backend":"b","kind":"bearer","key_env":"K","override_header":"x-upstream-key","override_when_missing":"reject"}"#).unwrap();
        assert_eq!(rest, r#"{"backend":"b","key_env":"K","kind":"bearer"}"#);
        assert_eq!(
            o,
            Some(CredentialOverride {
                header: "x-upstream-key".into(),
                reject_when_missing: true
            })
        );
        let (_, o) = split(r#"{"kind":"bearer","override_header":"x-k"}"#).unwrap();
        assert!(!o.unwrap().reject_when_missing);
        assert_eq!(split(r#"{"kind":"bearer"}"#).unwrap().1, None);
        let bad = [
            (
                r#"{"override_when_missing":"reject"}"#,
                "override_when_missing needs override_header",
            ),
            (
                r#"{"override_header":"X-Key"}"#,
                "must be a lower-case header name",
            ),
            (
                r#"{"override_header":"authorization"}"#,
                "is a credential or routing header",
            ),
            (
                r#"{"override_header":"x-k","override_when_missing":"maybe"}"#,
                "expected use_configured or reject",
            ),
        ];
        for (config, want) in bad {
            let e = split(config).unwrap_err();
            assert!(e.contains(want), "{config}: {e}");
        }
    }
}
