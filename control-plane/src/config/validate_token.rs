//! Checks of the token kinds of a backend's `auth` block (`oauth2`, `azure_entra`,
//! `gcp_service_account`, `gcp_workload_identity`); every error names the field path. Also where each kind's
//! token endpoint is.

use super::endpoint;
use super::model::{Auth, AuthKind};

/// Entra ID's public authority.
pub const ENTRA_AUTHORITY: &str = "https://login.microsoftonline.com";
/// Google's token endpoint (the `token_uri` of service-account keys).
pub const GOOGLE_TOKEN_URL: &str = "https://oauth2.googleapis.com/token";
/// Google's STS token exchange endpoint.
pub const GOOGLE_STS_URL: &str = "https://sts.googleapis.com/v1/token";

/// The token endpoint URL of a token kind (`None` for other kinds or invalid configs).
pub fn token_url(a: &Auth) -> Option<String> {
    match a.kind {
        AuthKind::Oauth2 => a.token_url.clone(),
        AuthKind::AzureEntra => Some(format!(
            "{}/{}/oauth2/v2.0/token",
            a.authority_host
                .as_deref()
                .unwrap_or(ENTRA_AUTHORITY)
                .trim_end_matches('/'),
            a.tenant_id.as_deref()?
        )),
        AuthKind::GcpServiceAccount => {
            Some(a.token_url.clone().unwrap_or(GOOGLE_TOKEN_URL.to_string()))
        }
        AuthKind::GcpWorkloadIdentity => {
            Some(a.token_url.clone().unwrap_or(GOOGLE_STS_URL.to_string()))
        }
        _ => None,
    }
}

/// Token fields: (name, set).
pub(super) fn token_fields(a: &Auth) -> [(&'static str, bool); 14] {
    [
        ("token_url", a.token_url.is_some()),
        ("tenant_id", a.tenant_id.is_some()),
        ("authority_host", a.authority_host.is_some()),
        ("client_id", a.client_id.is_some()),
        ("client_secret_env", a.client_secret_env.is_some()),
        ("client_secret_file", a.client_secret_file.is_some()),
        ("client_assertion_env", a.client_assertion_env.is_some()),
        ("client_assertion_file", a.client_assertion_file.is_some()),
        ("credentials_env", a.credentials_env.is_some()),
        ("scopes", !a.scopes.is_empty()),
        ("audience", a.audience.is_some()),
        ("subject_token_file", a.subject_token_file.is_some()),
        ("subject_token_env", a.subject_token_env.is_some()),
        (
            "service_account_impersonation_url",
            a.service_account_impersonation_url.is_some(),
        ),
    ]
}

/// Checks a token-kind `auth` block at field path `at`.
pub(super) fn token(at: &str, a: &Auth, is_env_name: fn(&str) -> bool, errors: &mut Vec<String>) {
    let kind = a.kind.as_str();
    let allowed: &[&str] = match a.kind {
        AuthKind::Oauth2 => &[
            "token_url",
            "client_id",
            "client_secret_env",
            "client_secret_file",
            "scopes",
        ],
        AuthKind::AzureEntra => &[
            "tenant_id",
            "authority_host",
            "client_id",
            "client_secret_env",
            "client_secret_file",
            "client_assertion_env",
            "client_assertion_file",
            "scopes",
        ],
        AuthKind::GcpWorkloadIdentity => &[
            "token_url",
            "audience",
            "subject_token_file",
            "subject_token_env",
            "service_account_impersonation_url",
            "scopes",
        ],
        _ => &["token_url", "credentials_env", "credentials_file", "scopes"],
    };
    let other = [
        ("key_env", a.key_env.is_some()),
        ("key_file", a.key_file.is_some()),
        ("region", a.region.is_some()),
        ("service", a.service.is_some()),
        ("access_key_id_env", a.access_key_id_env.is_some()),
        ("secret_access_key_env", a.secret_access_key_env.is_some()),
        ("session_token_env", a.session_token_env.is_some()),
        ("credentials_file", a.credentials_file.is_some()),
        ("profile", a.profile.is_some()),
    ];
    for (field, set) in token_fields(a).into_iter().chain(other) {
        if set && !allowed.contains(&field) {
            errors.push(format!("{at}.{field}: not used by kind {kind}"));
        }
    }
    for (field, var) in [
        ("client_secret_env", &a.client_secret_env),
        ("client_assertion_env", &a.client_assertion_env),
        ("credentials_env", &a.credentials_env),
        ("subject_token_env", &a.subject_token_env),
    ] {
        if let Some(var) = var
            && !is_env_name(var)
        {
            errors.push(format!(
                "{at}.{field}: {var:?} is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)"
            ));
        }
    }
    let one_of = |fields: &[(&str, bool)], errors: &mut Vec<String>| {
        let set: Vec<&str> = fields.iter().filter(|(_, s)| *s).map(|(f, _)| *f).collect();
        let names = fields
            .iter()
            .map(|(f, _)| *f)
            .collect::<Vec<_>>()
            .join(", ");
        match set.len() {
            0 => errors.push(format!("{at}: kind {kind} needs one of {names}")),
            1 => {}
            _ => errors.push(format!("{at}.{}: set only one of {names}", set[1])),
        }
    };
    let url = |field: &str, value: &str, errors: &mut Vec<String>| {
        if let Err(e) = endpoint::parse(value.trim_end_matches('/')) {
            errors.push(format!("{at}.{field}: {e}"));
        }
    };
    match a.kind {
        AuthKind::Oauth2 => {
            match &a.token_url {
                None => errors.push(format!("{at}.token_url: required for kind oauth2")),
                Some(u) => url("token_url", u, errors),
            }
            one_of(
                &[
                    ("client_secret_env", a.client_secret_env.is_some()),
                    ("client_secret_file", a.client_secret_file.is_some()),
                ],
                errors,
            );
        }
        AuthKind::AzureEntra => {
            match &a.tenant_id {
                None => errors.push(format!("{at}.tenant_id: required for kind azure_entra")),
                Some(t)
                    if t.is_empty()
                        || !t
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.') =>
                {
                    errors.push(format!(
                        "{at}.tenant_id: {t:?} is not a tenant id or domain"
                    ))
                }
                Some(_) => {}
            }
            if let Some(h) = &a.authority_host {
                url("authority_host", h, errors);
            }
            one_of(
                &[
                    ("client_secret_env", a.client_secret_env.is_some()),
                    ("client_secret_file", a.client_secret_file.is_some()),
                    ("client_assertion_env", a.client_assertion_env.is_some()),
                    ("client_assertion_file", a.client_assertion_file.is_some()),
                ],
                errors,
            );
            if a.scopes.len() > 1 {
                errors.push(format!("{at}.scopes: Entra ID client credentials take exactly one scope (<resource>/.default)"));
            }
        }
        AuthKind::GcpWorkloadIdentity => {
            if let Some(u) = &a.token_url {
                url("token_url", u, errors);
            }
            if a.audience.as_deref().is_none_or(str::is_empty) {
                errors.push(format!(
                    "{at}.audience: required for kind gcp_workload_identity (//iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>)"
                ));
            }
            one_of(
                &[
                    ("subject_token_file", a.subject_token_file.is_some()),
                    ("subject_token_env", a.subject_token_env.is_some()),
                ],
                errors,
            );
            if let Some(u) = &a.service_account_impersonation_url {
                url("service_account_impersonation_url", u, errors);
                if !u.ends_with(":generateAccessToken") {
                    errors.push(format!(
                        "{at}.service_account_impersonation_url: must end with :generateAccessToken"
                    ));
                }
            }
        }
        _ => {
            if let Some(u) = &a.token_url {
                url("token_url", u, errors);
            }
            one_of(
                &[
                    ("credentials_file", a.credentials_file.is_some()),
                    ("credentials_env", a.credentials_env.is_some()),
                ],
                errors,
            );
        }
    }
    if matches!(a.kind, AuthKind::Oauth2 | AuthKind::AzureEntra)
        && a.client_id.as_deref().is_none_or(str::is_empty)
    {
        errors.push(format!("{at}.client_id: required for kind {kind}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::from_yaml;
    use std::path::Path;

    fn errors(auth: &str) -> String {
        let yaml = format!(
            "backends:\n  - {{ name: b, schema: OpenAI, endpoint: http://127.0.0.1:1, auth: {auth} }}\nroutes:\n  - {{ name: r, models: [m], backend: b }}\n"
        );
        match from_yaml(&yaml, Path::new("/cfg")) {
            Ok(_) => String::new(),
            Err(e) => e.join("\n"),
        }
    }

    #[test]
    fn token_kinds_name_the_field() {
        let cases = [
            (
                "{ kind: oauth2, client_id: a, client_secret_env: S }",
                "backends[0].auth.token_url: required for kind oauth2",
            ),
            (
                "{ kind: oauth2, token_url: 'ftp://x', client_id: a, client_secret_env: S }",
                "backends[0].auth.token_url: scheme must be http or https",
            ),
            (
                "{ kind: oauth2, token_url: 'http://x/t', client_secret_env: S }",
                "backends[0].auth.client_id: required for kind oauth2",
            ),
            (
                "{ kind: oauth2, token_url: 'http://x/t', client_id: a }",
                "backends[0].auth: kind oauth2 needs one of client_secret_env, client_secret_file",
            ),
            (
                "{ kind: oauth2, token_url: 'http://x/t', client_id: a, client_secret_env: S, tenant_id: t }",
                "backends[0].auth.tenant_id: not used by kind oauth2",
            ),
            (
                "{ kind: azure_entra, client_id: a, client_secret_env: S }",
                "backends[0].auth.tenant_id: required for kind azure_entra",
            ),
            (
                "{ kind: azure_entra, tenant_id: t, client_id: a, client_secret_env: S, client_assertion_file: f }",
                "backends[0].auth.client_assertion_file: set only one of",
            ),
            (
                "{ kind: azure_entra, tenant_id: t, client_id: a, client_secret_env: '1x' }",
                "backends[0].auth.client_secret_env: \"1x\" is not an environment variable name",
            ),
            (
                "{ kind: gcp_service_account }",
                "backends[0].auth: kind gcp_service_account needs one of credentials_file, credentials_env",
            ),
            (
                "{ kind: gcp_service_account, credentials_env: K, client_id: x }",
                "backends[0].auth.client_id: not used by kind gcp_service_account",
            ),
            (
                "{ kind: bearer, key_env: K, client_id: x }",
                "backends[0].auth.client_id: only valid with kinds oauth2, azure_entra, gcp_service_account",
            ),
        ];
        for (auth, want) in cases {
            let e = errors(auth);
            assert!(e.contains(want), "{auth}: {e}");
        }
        assert_eq!(
            errors(
                "{ kind: azure_entra, tenant_id: t-1, client_id: a, client_assertion_file: /f }"
            ),
            ""
        );
    }

    #[test]
    fn workload_identity_names_the_field() {
        let cases = [
            (
                "{ kind: gcp_workload_identity, subject_token_env: T }",
                "backends[0].auth.audience: required for kind gcp_workload_identity",
            ),
            (
                "{ kind: gcp_workload_identity, audience: '//iam/x' }",
                "backends[0].auth: kind gcp_workload_identity needs one of subject_token_file, subject_token_env",
            ),
            (
                "{ kind: gcp_workload_identity, audience: '//iam/x', subject_token_env: T, service_account_impersonation_url: 'https://iamcredentials.googleapis.com/v1/x' }",
                "backends[0].auth.service_account_impersonation_url: must end with :generateAccessToken",
            ),
            (
                "{ kind: gcp_workload_identity, audience: '//iam/x', subject_token_env: T, credentials_env: K }",
                "backends[0].auth.credentials_env: not used by kind gcp_workload_identity",
            ),
            (
                "{ kind: gcp_service_account, credentials_env: K, audience: x }",
                "backends[0].auth.audience: not used by kind gcp_service_account",
            ),
        ];
        for (auth, want) in cases {
            let e = errors(auth);
            assert!(e.contains(want), "{auth}: {e}");
        }
        assert_eq!(
            errors("{ kind: gcp_workload_identity, audience: '//iam/x', subject_token_file: /t }"),
            ""
        );
    }

    #[test]
    fn override_fields_name_the_field() {
        let cases = [
            (
                "{ kind: bearer, key_env: K, override_when_missing: reject }",
                "backends[0].auth.override_when_missing: only used with override_header",
            ),
            (
                "{ kind: bearer, key_env: K, override_header: X-Key }",
                "backends[0].auth.override_header: \"X-Key\" must be a lower-case header name",
            ),
            (
                "{ kind: bearer, key_env: K, override_header: api-key }",
                "backends[0].auth.override_header: \"api-key\" is a credential or routing header",
            ),
            (
                "{ kind: aws_sigv4, region: us-east-1, override_header: x-k }",
                "backends[0].auth.override_header: not available for kind aws_sigv4",
            ),
        ];
        for (auth, want) in cases {
            let e = errors(auth);
            assert!(e.contains(want), "{auth}: {e}");
        }
        assert_eq!(
            errors(
                "{ kind: oauth2, token_url: 'http://x/t', client_id: a, client_secret_env: S, override_header: x-upstream-key, override_when_missing: reject }"
            ),
            ""
        );
    }

    #[test]
    fn token_urls_per_kind() {
        let yaml = "backends:\n  - { name: b, schema: AzureOpenAI, azure_api_version: 2024-10-21, endpoint: https://x.openai.azure.com, auth: { kind: azure_entra, tenant_id: t1, client_id: a, client_secret_env: S } }\nroutes:\n  - { name: r, models: [m], backend: b }\n";
        let config = from_yaml(yaml, Path::new("/cfg")).unwrap();
        assert_eq!(
            token_url(&config.backends[0].auth).unwrap(),
            "https://login.microsoftonline.com/t1/oauth2/v2.0/token"
        );
    }
}
