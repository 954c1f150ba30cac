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
    if a.kind.is_token() {
        return validate_token::token(at, a, is_env_name, errors);
    }
    for (field, set) in validate_token::token_fields(a) {
        if set {
            errors.push(format!(
                "{at}.{field}: only valid with kinds oauth2, azure_entra, gcp_service_account (kind is {})",
                a.kind.as_str()
            ));
        }
    }
    if a.kind == AuthKind::AwsSigv4 {
        return aws_sigv4(at, a, host, is_env_name, errors);
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
        Some(_) if a.kind == AuthKind::AwsSigv4 => errors.push(format!(
            "{at}.override_header: not available for kind aws_sigv4"
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

/// aws_sigv4: the region to sign for: configured, else parsed from the endpoint host.
/// `None` only for configs that failed validation.
pub fn aws_region(a: &Auth, host: &str) -> Option<String> {
    a.region
        .clone()
        .or_else(|| aigw_core::auth::sigv4::region_from_host(host).map(str::to_string))
}

#[cfg(test)]
#[path = "validate_auth_tests.rs"]
mod tests;
