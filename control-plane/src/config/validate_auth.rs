//! Checks of a backend's `auth` block; every error names the field path.

use super::model::{Auth, AuthKind};
use super::validate_token;

/// Checks `a` (at field path `at`); `host` is the backend endpoint's host when it parsed.
pub(super) fn auth(
    at: &str,
    a: &Auth,
    host: Option<&str>,
    is_env_name: fn(&str) -> bool,
    errors: &mut Vec<String>,
) {
    override_fields(at, a, errors);
    if a.kind != AuthKind::AwsWebIdentity {
        for (field, set) in web_identity_fields(a) {
            if set {
                errors.push(format!(
                    "{at}.{field}: only valid with kind aws_web_identity (kind is {})",
                    a.kind.as_str()
                ));
            }
        }
    }
    if a.kind.is_token() {
        return validate_token::token(at, a, is_env_name, errors);
    }
    for (field, set) in validate_token::token_fields(a) {
        if set {
            errors.push(format!(
                "{at}.{field}: only valid with kinds oauth2, azure_entra, gcp_service_account, gcp_workload_identity (kind is {})",
                a.kind.as_str()
            ));
        }
    }
    if a.kind == AuthKind::AwsSigv4 {
        return aws_sigv4(at, a, host, is_env_name, errors);
    }
    if a.kind == AuthKind::AwsWebIdentity {
        return aws_web_identity(at, a, host, is_env_name, errors);
    }
    for (field, set) in aws_fields(a) {
        if set {
            errors.push(format!(
                "{at}.{field}: only valid with kind aws_sigv4 (kind is {})",
                a.kind.as_str()
            ));
        }
    }
    match (&a.key_env, &a.key_file) {
        (Some(_), Some(_)) => errors.push(format!("{at}: set only one of key_env and key_file")),
        (None, None) => errors.push(format!("{at}: one of key_env or key_file is required")),
        (Some(env), None) if !is_env_name(env) => errors.push(format!(
            "{at}.key_env: {env:?} is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)"
        )),
        (None, Some(file)) if file.as_os_str().is_empty() => {
            errors.push(format!("{at}.key_file: must not be empty"));
        }
        _ => {}
    }
}

fn web_identity_fields(a: &Auth) -> [(&'static str, bool); 6] {
    [
        ("role_arn", a.role_arn.is_some()),
        ("role_session_name", a.role_session_name.is_some()),
        (
            "web_identity_token_file",
            a.web_identity_token_file.is_some(),
        ),
        ("web_identity_token_env", a.web_identity_token_env.is_some()),
        ("sts_endpoint", a.sts_endpoint.is_some()),
        ("duration_seconds", a.duration_seconds.is_some()),
    ]
}

/// `aws_web_identity`: the role, the token source, STS and the signing scope.
fn aws_web_identity(
    at: &str,
    a: &Auth,
    host: Option<&str>,
    is_env_name: fn(&str) -> bool,
    errors: &mut Vec<String>,
) {
    let unused = [
        ("key_env", a.key_env.is_some()),
        ("key_file", a.key_file.is_some()),
        ("access_key_id_env", a.access_key_id_env.is_some()),
        ("secret_access_key_env", a.secret_access_key_env.is_some()),
        ("session_token_env", a.session_token_env.is_some()),
        ("credentials_file", a.credentials_file.is_some()),
        ("profile", a.profile.is_some()),
    ];
    for (field, set) in unused {
        if set {
            errors.push(format!(
                "{at}.{field}: not used by kind aws_web_identity; its credentials come from STS"
            ));
        }
    }
    match &a.role_arn {
        None => errors.push(format!("{at}.role_arn: required for kind aws_web_identity")),
        Some(arn)
            if !arn.starts_with("arn:")
                || !arn.contains(":role/")
                || arn.contains(char::is_whitespace) =>
        {
            errors.push(format!(
                "{at}.role_arn: {arn:?} is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)"
            ));
        }
        Some(_) => {}
    }
    if let Some(name) = &a.role_session_name
        && !aigw_core::auth::sts::valid_session_name(name)
    {
        errors.push(format!(
            "{at}.role_session_name: {name:?} must be 2-64 of A-Z, a-z, 0-9 and _+=,.@-"
        ));
    }
    match (&a.web_identity_token_file, &a.web_identity_token_env) {
        (Some(_), Some(_)) => errors.push(format!(
            "{at}.web_identity_token_env: set only one of web_identity_token_file, web_identity_token_env"
        )),
        (None, None) => errors.push(format!(
            "{at}: kind aws_web_identity needs one of web_identity_token_file, web_identity_token_env"
        )),
        (Some(file), None) if file.as_os_str().is_empty() => {
            errors.push(format!("{at}.web_identity_token_file: must not be empty"));
        }
        (None, Some(var)) if !is_env_name(var) => errors.push(format!(
            "{at}.web_identity_token_env: {var:?} is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)"
        )),
        _ => {}
    }
    if let Some(url) = &a.sts_endpoint
        && let Err(e) = super::endpoint::parse(url.trim_end_matches('/'))
    {
        errors.push(format!("{at}.sts_endpoint: {e}"));
    }
    if let Some(d) = a.duration_seconds
        && !(900..=43_200).contains(&d)
    {
        errors.push(format!(
            "{at}.duration_seconds: {d} is outside 900-43200 (STS's limits)"
        ));
    }
    region_and_service(at, a, host, errors);
}

fn aws_fields(a: &Auth) -> [(&'static str, bool); 7] {
    [
        ("region", a.region.is_some()),
        ("service", a.service.is_some()),
        ("access_key_id_env", a.access_key_id_env.is_some()),
        ("secret_access_key_env", a.secret_access_key_env.is_some()),
        ("session_token_env", a.session_token_env.is_some()),
        ("credentials_file", a.credentials_file.is_some()),
        ("profile", a.profile.is_some()),
    ]
}

fn aws_sigv4(
    at: &str,
    a: &Auth,
    host: Option<&str>,
    is_env_name: fn(&str) -> bool,
    errors: &mut Vec<String>,
) {
    for (field, set) in [
        ("key_env", a.key_env.is_some()),
        ("key_file", a.key_file.is_some()),
    ] {
        if set {
            errors.push(format!(
                "{at}.{field}: not used by kind aws_sigv4; name the AWS key variables with access_key_id_env, secret_access_key_env and session_token_env"
            ));
        }
    }
    let env_set = a.access_key_id_env.is_some()
        || a.secret_access_key_env.is_some()
        || a.session_token_env.is_some();
    match (&a.credentials_file, &a.profile) {
        (Some(_), _) if env_set => errors.push(format!(
            "{at}.credentials_file: set either credentials_file or the *_env variable names, not both"
        )),
        (Some(file), _) if file.as_os_str().is_empty() => {
            errors.push(format!("{at}.credentials_file: must not be empty"));
        }
        (None, Some(_)) => errors.push(format!(
            "{at}.profile: only used with credentials_file"
        )),
        (_, Some(profile)) if profile.is_empty() || profile.contains([']', '\n']) => {
            errors.push(format!("{at}.profile: {profile:?} is not a profile name"));
        }
        _ => {}
    }
    let names = [
        "access_key_id_env",
        "secret_access_key_env",
        "session_token_env",
    ];
    for (field, var) in names.iter().zip(a.aws_env_names()) {
        if !is_env_name(var) {
            errors.push(format!(
                "{at}.{field}: {var:?} is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)"
            ));
        }
    }
    region_and_service(at, a, host, errors);
}

/// `region` (required unless the endpoint host names it) and `service` of the AWS kinds.
fn region_and_service(at: &str, a: &Auth, host: Option<&str>, errors: &mut Vec<String>) {
    let aws_name = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    if let Some(service) = &a.service
        && !aws_name(service)
    {
        errors.push(format!(
            "{at}.service: {service:?} must be an AWS signing name (a-z, 0-9, -), e.g. bedrock"
        ));
    }
    match (&a.region, host) {
        (Some(region), _) if !aws_name(region) => errors.push(format!(
            "{at}.region: {region:?} must be an AWS region (a-z, 0-9, -), e.g. us-east-1"
        )),
        (Some(_), _) => {}
        (None, Some(host)) if aigw_core::auth::sigv4::region_from_host(host).is_none() => {
            errors.push(format!(
                "{at}.region: required: the endpoint host {host:?} does not name a region (bedrock-runtime.<region>.amazonaws.com)"
            ));
        }
        (None, _) => {}
    }
}

/// `override_header` / `override_when_missing`.
fn override_fields(at: &str, a: &Auth, errors: &mut Vec<String>) {
    match &a.override_header {
        None if a.override_when_missing.is_some() => errors.push(format!(
            "{at}.override_when_missing: only used with override_header"
        )),
        None => {}
        Some(_) if a.kind.is_aws() => errors.push(format!(
            "{at}.override_header: not available for kind {}",
            a.kind.as_str()
        )),
        Some(h)
            if h.is_empty()
                || !h.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b)
                }) =>
        {
            errors.push(format!(
                "{at}.override_header: {h:?} must be a lower-case header name (a-z, 0-9, -, _, .)"
            ));
        }
        Some(h)
            if aigw_core::auth::CLIENT_CREDENTIAL_HEADERS.contains(&h.as_str()) || h == "host" =>
        {
            errors.push(format!(
                "{at}.override_header: {h:?} is a credential or routing header; use one of its own such as x-upstream-key"
            ));
        }
        Some(_) => {}
    }
}

/// aws_web_identity: the STS endpoint: configured, else the regional one. `None` only for
/// other kinds and configs that failed validation.
pub fn sts_url(a: &Auth, host: &str) -> Option<String> {
    if a.kind != AuthKind::AwsWebIdentity {
        return None;
    }
    a.sts_endpoint
        .clone()
        .or_else(|| aws_region(a, host).map(|r| aigw_core::auth::sts::regional_endpoint(&r)))
}

/// aws_sigv4, aws_web_identity: the region to sign for: configured, else parsed from the endpoint host.
/// `None` only for configs that failed validation.
pub fn aws_region(a: &Auth, host: &str) -> Option<String> {
    a.region
        .clone()
        .or_else(|| aigw_core::auth::sigv4::region_from_host(host).map(str::to_string))
}

#[cfg(test)]
#[path = "validate_auth_tests.rs"]
mod tests;
