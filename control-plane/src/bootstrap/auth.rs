//! The upstream-auth filter config of a backend, and the environment variables it reads.

use serde_json::{Value, json};

use crate::config::endpoint::Endpoint;
use crate::config::{AuthKind, Backend, OverrideWhenMissing, aws_region, sts_url, token_url};

/// The Envoy cluster of a backend's token endpoint.
pub fn token_cluster_name(backend: &str) -> String {
    format!("aigw-token-{backend}")
}

/// The Envoy cluster of a backend's `generateAccessToken` endpoint (gcp_workload_identity).
pub fn impersonation_cluster_name(backend: &str) -> String {
    format!("aigw-impersonation-{backend}")
}

/// The upstream-auth JSON config for `backend` (already validated) at `endpoint`.
pub fn filter_config(backend: &Backend, endpoint: &Endpoint) -> Value {
    let mut auth = kind_config(backend, endpoint);
    let a = &backend.auth;
    if let Some(header) = &a.override_header {
        auth["override_header"] = json!(header);
        if a.override_when_missing == Some(OverrideWhenMissing::Reject) {
            auth["override_when_missing"] = json!("reject");
        }
    }
    auth
}

fn kind_config(backend: &Backend, endpoint: &Endpoint) -> Value {
    let a = &backend.auth;
    let mut auth = json!({"backend": backend.name, "kind": a.kind.as_str()});
    if a.kind.is_token() {
        auth["token_cluster"] = json!(token_cluster_name(&backend.name));
        auth["token_url"] = json!(token_url(a));
        let fields = [
            ("client_id", a.client_id.clone()),
            ("client_secret_env", a.client_secret_env.clone()),
            (
                "client_secret_file",
                a.client_secret_file
                    .as_ref()
                    .map(|f| f.display().to_string()),
            ),
            ("client_assertion_env", a.client_assertion_env.clone()),
            (
                "client_assertion_file",
                a.client_assertion_file
                    .as_ref()
                    .map(|f| f.display().to_string()),
            ),
            ("credentials_env", a.credentials_env.clone()),
            (
                "credentials_file",
                a.credentials_file.as_ref().map(|f| f.display().to_string()),
            ),
            ("audience", a.audience.clone()),
            (
                "subject_token_file",
                a.subject_token_file
                    .as_ref()
                    .map(|f| f.display().to_string()),
            ),
            ("subject_token_env", a.subject_token_env.clone()),
            (
                "impersonation_cluster",
                a.service_account_impersonation_url
                    .as_ref()
                    .map(|_| impersonation_cluster_name(&backend.name)),
            ),
            (
                "impersonation_url",
                a.service_account_impersonation_url.clone(),
            ),
        ];
        for (field, value) in fields {
            if let Some(value) = value {
                auth[field] = json!(value);
            }
        }
        if !a.scopes.is_empty() {
            auth["scopes"] = json!(a.scopes);
        }
        return auth;
    }
    if a.kind == AuthKind::AwsWebIdentity {
        auth["region"] = json!(aws_region(a, &endpoint.host));
        auth["service"] = json!(a.service.as_deref().unwrap_or("bedrock"));
        auth["role_arn"] = json!(a.role_arn);
        auth["role_session_name"] = json!(a.role_session_name.as_deref().unwrap_or("aigw"));
        if let Some(file) = &a.web_identity_token_file {
            auth["web_identity_token_file"] = json!(file.display().to_string());
        }
        if let Some(var) = &a.web_identity_token_env {
            auth["web_identity_token_env"] = json!(var);
        }
        auth["sts_cluster"] = json!(token_cluster_name(&backend.name));
        auth["sts_url"] = json!(sts_url(a, &endpoint.host));
        if let Some(d) = a.duration_seconds {
            auth["duration_seconds"] = json!(d);
        }
        return auth;
    }
    if a.kind == AuthKind::AwsSigv4 {
        auth["region"] = json!(aws_region(a, &endpoint.host));
        auth["service"] = json!(a.service.as_deref().unwrap_or("bedrock"));
        if let Some(file) = &a.credentials_file {
            auth["credentials_file"] = json!(file.display().to_string());
            auth["profile"] = json!(a.profile.as_deref().unwrap_or("default"));
            return auth;
        }
        let [id, secret, token] = a.aws_env_names();
        auth["access_key_id_env"] = json!(id);
        auth["secret_access_key_env"] = json!(secret);
        auth["session_token_env"] = json!(token);
        return auth;
    }
    if let Some(env) = &a.key_env {
        auth["key_env"] = json!(env);
    }
    if let Some(file) = &a.key_file {
        auth["key_file"] = json!(file.display().to_string());
    }
    auth
}

/// Environment variables the upstream-auth filter of `backend` reads (the wasm VM is
/// given exactly these).
pub fn env_vars(backend: &Backend) -> Vec<String> {
    let a = &backend.auth;
    if a.kind.is_token() {
        return [
            &a.client_secret_env,
            &a.client_assertion_env,
            &a.credentials_env,
            &a.subject_token_env,
        ]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    }
    if a.kind == AuthKind::AwsWebIdentity {
        return a.web_identity_token_env.iter().cloned().collect();
    }
    if a.kind == AuthKind::AwsSigv4 && a.credentials_file.is_none() {
        return a.aws_env_names().map(str::to_string).to_vec();
    }
    a.key_env.iter().cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::endpoint;
    use crate::config::from_yaml;
    use std::path::Path;

    #[test]
    fn sigv4_filter_config_has_region_and_env_names() {
        let yaml = "backends:\n  - { name: br, schema: OpenAI, endpoint: https://bedrock-runtime.us-west-2.amazonaws.com, auth: { kind: aws_sigv4, session_token_env: FAKE_TOKEN } }\nroutes:\n  - { name: r, models: [m], backend: br }\n";
        let config = from_yaml(yaml, Path::new("/cfg")).unwrap();
        let backend = &config.backends[0];
        let ep = endpoint::parse(&backend.endpoint).unwrap();
        assert_eq!(
            filter_config(backend, &ep),
            json!({"backend": "br", "kind": "aws_sigv4", "region": "us-west-2",
                "service": "bedrock", "access_key_id_env": "AWS_ACCESS_KEY_ID",
                "secret_access_key_env": "AWS_SECRET_ACCESS_KEY",
                "session_token_env": "FAKE_TOKEN"})
        );
        assert_eq!(
            env_vars(backend),
            ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "FAKE_TOKEN"]
        );
    }

    #[test]
    fn web_identity_filter_config_names_role_token_and_sts() {
        let yaml = "backends:\n  - { name: br, schema: AWSBedrock, endpoint: https://bedrock-runtime.eu-west-1.amazonaws.com, auth: { kind: aws_web_identity, role_arn: 'arn:aws:iam::123456789012:role/aigw', web_identity_token_file: /var/run/secrets/token } }\nroutes:\n  - { name: r, models: [m], backend: br }\n";
        let config = from_yaml(yaml, Path::new("/cfg")).unwrap();
        let backend = &config.backends[0];
        let ep = endpoint::parse(&backend.endpoint).unwrap();
        assert_eq!(
            filter_config(backend, &ep),
            json!({"backend": "br", "kind": "aws_web_identity", "region": "eu-west-1",
                "service": "bedrock", "role_arn": "arn:aws:iam::123456789012:role/aigw",
                "role_session_name": "aigw",
                "web_identity_token_file": "/var/run/secrets/token",
                "sts_cluster": "aigw-token-br",
                "sts_url": "https://sts.eu-west-1.amazonaws.com/"})
        );
        assert!(env_vars(backend).is_empty());
    }

    #[test]
    fn workload_identity_filter_config_names_both_endpoints() {
        let yaml = "backends:\n  - { name: g, schema: OpenAI, endpoint: https://llm.example, auth: { kind: gcp_workload_identity, audience: '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q', subject_token_env: OIDC, service_account_impersonation_url: 'https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken' } }\nroutes:\n  - { name: r, models: [m], backend: g }\n";
        let config = from_yaml(yaml, Path::new("/cfg")).unwrap();
        let backend = &config.backends[0];
        let ep = endpoint::parse(&backend.endpoint).unwrap();
        assert_eq!(
            filter_config(backend, &ep),
            json!({"backend": "g", "kind": "gcp_workload_identity",
                "token_cluster": "aigw-token-g", "token_url": "https://sts.googleapis.com/v1/token",
                "audience": "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q",
                "subject_token_env": "OIDC", "impersonation_cluster": "aigw-impersonation-g",
                "impersonation_url": "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken"})
        );
        assert_eq!(env_vars(backend), ["OIDC"]);
    }
}
