//! Fake AWS STS `AssumeRoleWithWebIdentity` (`/` with the parameters in a POST form or a
//! GET query, as the real STS takes them). The call is checked strictly: `Action`,
//! `Version`, a configured `RoleArn`, a valid `RoleSessionName`, the configured
//! `WebIdentityToken`, optional `DurationSeconds` (900-43200) and nothing else. The answer
//! is STS's XML; errors are STS's `ErrorResponse` XML. Issued credentials (`ASIA...` key id,
//! secret key, session token) expire after the shorter of `DurationSeconds` (default one
//! hour) and the issuer's `lifetime_s`; the Bedrock fake accepts requests signed with them
//! (and their session token) until then.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hyper::{HeaderMap, Method, StatusCode};
use quick_xml::escape::escape;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Path of the STS endpoint.
pub const STS_PATH: &str = "/";
const NS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";
const REQUIRED: [&str; 5] = [
    "Action",
    "Version",
    "RoleArn",
    "RoleSessionName",
    "WebIdentityToken",
];

/// A role that may be assumed with a web identity.
pub struct Role<'a> {
    /// Backend the credentials authenticate as.
    pub backend: &'a str,
    /// ARN of the role.
    pub role_arn: &'a str,
    /// The only web-identity token accepted.
    pub web_identity_token: &'a str,
}

/// An STS error: status, code, message.
pub type StsError = (StatusCode, &'static str, String);

/// A checked call: the role's index and the requested `DurationSeconds`.
pub struct Call {
    /// Index of the role in the list given to [`check`].
    pub role: usize,
    /// `DurationSeconds`, when sent.
    pub duration: Option<u64>,
    /// `RoleSessionName`.
    pub session_name: String,
}

/// Checks a call to `/` against the configured roles.
pub fn check(
    method: &Method,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
    roles: &[Role<'_>],
) -> Result<Call, StsError> {
    let bad = |code: &'static str, m: String| (StatusCode::BAD_REQUEST, code, m);
    let params = if method == Method::POST {
        let ct = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if ct.split(';').next() != Some("application/x-www-form-urlencoded") {
            return Err(bad(
                "InvalidParameterValue",
                format!("content-type must be application/x-www-form-urlencoded, got {ct:?}"),
            ));
        }
        if query.is_some_and(|q| !q.is_empty()) {
            return Err(bad(
                "InvalidParameterCombination",
                "send the parameters either in the query or in the form".into(),
            ));
        }
        body.to_vec()
    } else if method == Method::GET {
        query.unwrap_or("").as_bytes().to_vec()
    } else {
        return Err(bad("InvalidAction", format!("{method} is not supported")));
    };
    let mut form: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in form_urlencoded::parse(&params) {
        if form.insert(k.to_string(), v.to_string()).is_some() {
            return Err(bad("InvalidParameterValue", format!("{k} appears twice")));
        }
    }
    for key in REQUIRED {
        if !form.contains_key(key) {
            return Err(bad(
                "MissingParameter",
                format!("The request must contain the parameter {key}"),
            ));
        }
    }
    if let Some(extra) = form
        .keys()
        .find(|k| !REQUIRED.contains(&k.as_str()) && k.as_str() != "DurationSeconds")
    {
        return Err(bad(
            "InvalidParameterValue",
            format!("unexpected parameter {extra}"),
        ));
    }
    if form["Action"] != "AssumeRoleWithWebIdentity" {
        return Err(bad(
            "InvalidAction",
            format!("Could not find operation {}", form["Action"]),
        ));
    }
    if form["Version"] != "2011-06-15" {
        return Err(bad(
            "InvalidAction",
            format!("Version {} is not supported", form["Version"]),
        ));
    }
    let name = &form["RoleSessionName"];
    let name_ok = (2..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b));
    if !name_ok {
        return Err(bad(
            "ValidationError",
            "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*".into(),
        ));
    }
    let duration = match form.get("DurationSeconds") {
        None => None,
        Some(d) => match d.parse::<u64>() {
            Ok(d) if (900..=43_200).contains(&d) => Some(d),
            _ => {
                return Err(bad(
                    "ValidationError",
                    "DurationSeconds must be between 900 and 43200".into(),
                ));
            }
        },
    };
    let role = roles
        .iter()
        .position(|r| r.role_arn == form["RoleArn"])
        .ok_or_else(|| {
            (
                StatusCode::FORBIDDEN,
                "AccessDenied",
                "Not authorized to perform sts:AssumeRoleWithWebIdentity".to_string(),
            )
        })?;
    if form["WebIdentityToken"] != roles[role].web_identity_token {
        return Err(bad(
            "InvalidIdentityToken",
            "The web identity token that was passed could not be validated by AWS".into(),
        ));
    }
    Ok(Call {
        role,
        duration,
        session_name: name.clone(),
    })
}

/// Whole seconds `lifetime` from now, as STS states expirations.
pub fn expiry(lifetime: Duration) -> SystemTime {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    UNIX_EPOCH + Duration::from_secs(now + lifetime.as_secs())
}

/// STS's success answer.
pub fn success_xml(
    role: &Role<'_>,
    session_name: &str,
    key_id: &str,
    secret: &str,
    session_token: &str,
    expires: SystemTime,
) -> String {
    let secs = expires
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let expiration = OffsetDateTime::from_unix_timestamp(secs as i64)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default();
    let role_name = role.role_arn.rsplit('/').next().unwrap_or("role");
    format!(
        "<AssumeRoleWithWebIdentityResponse xmlns=\"{NS}\">\n  <AssumeRoleWithWebIdentityResult>\n    <SubjectFromWebIdentityToken>system:serviceaccount:aigw:gateway</SubjectFromWebIdentityToken>\n    <Audience>sts.amazonaws.com</Audience>\n    <AssumedRoleUser>\n      <Arn>arn:aws:sts::123456789012:assumed-role/{}/{}</Arn>\n      <AssumedRoleId>AROAFAKEROLEID:{}</AssumedRoleId>\n    </AssumedRoleUser>\n    <Credentials>\n      <SessionToken>{}</SessionToken>\n      <SecretAccessKey>{}</SecretAccessKey>\n      <Expiration>{expiration}</Expiration>\n      <AccessKeyId>{}</AccessKeyId>\n    </Credentials>\n    <Provider>arn:aws:iam::123456789012:oidc-provider/oidc.aigw.test</Provider>\n  </AssumeRoleWithWebIdentityResult>\n  <ResponseMetadata>\n    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>\n  </ResponseMetadata>\n</AssumeRoleWithWebIdentityResponse>\n",
        escape(role_name),
        escape(session_name),
        escape(session_name),
        escape(session_token),
        escape(secret),
        escape(key_id),
    )
}

/// STS's error answer.
pub fn error_xml(status: StatusCode, code: &str, message: &str) -> String {
    let kind = if status.is_server_error() {
        "Receiver"
    } else {
        "Sender"
    };
    format!(
        "<ErrorResponse xmlns=\"{NS}\">\n  <Error>\n    <Type>{kind}</Type>\n    <Code>{}</Code>\n    <Message>{}</Message>\n  </Error>\n  <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>\n</ErrorResponse>\n",
        escape(code),
        escape(message)
    )
}

#[cfg(test)]
#[path = "sts_tests.rs"]
mod tests;
