//! Tests of the `auth` checks, aws_sigv4 in particular.

use crate::config::{AuthKind, aws_region, from_yaml};
use std::path::Path;

fn config(endpoint: &str, auth: &str) -> String {
    format!(
        "backends:\n  - {{ name: b, schema: OpenAI, endpoint: \"{endpoint}\", auth: {auth} }}\nroutes:\n  - {{ name: r, models: [m], backend: b }}\n"
    )
}

fn problems(endpoint: &str, auth: &str) -> Vec<String> {
    from_yaml(&config(endpoint, auth), Path::new("/cfg")).unwrap_err()
}

#[test]
fn sigv4_region_from_config_or_bedrock_host() {
    let bedrock = "https://bedrock-runtime.eu-west-1.amazonaws.com";
    let c = from_yaml(&config(bedrock, "{ kind: aws_sigv4 }"), Path::new("/cfg")).unwrap();
    let auth = &c.backends[0].auth;
    assert_eq!(auth.kind, AuthKind::AwsSigv4);
    assert_eq!(
        aws_region(auth, "bedrock-runtime.eu-west-1.amazonaws.com").as_deref(),
        Some("eu-west-1")
    );
    let yaml = config(
        "http://127.0.0.1:9000",
        "{ kind: aws_sigv4, region: us-east-2, service: bedrock, access_key_id_env: FAKE_ID, secret_access_key_env: FAKE_SECRET, session_token_env: FAKE_TOKEN }",
    );
    let c = from_yaml(&yaml, Path::new("/cfg")).unwrap();
    assert_eq!(
        c.backends[0].auth.aws_env_names(),
        ["FAKE_ID", "FAKE_SECRET", "FAKE_TOKEN"]
    );
    assert_eq!(
        aws_region(&c.backends[0].auth, "127.0.0.1").as_deref(),
        Some("us-east-2")
    );
}

#[test]
fn sigv4_errors_name_the_field() {
    assert_eq!(
        problems("http://127.0.0.1:9000", "{ kind: aws_sigv4 }"),
        [
            "backends[0].auth.region: required: the endpoint host \"127.0.0.1\" does not name a region (bedrock-runtime.<region>.amazonaws.com)"
        ]
    );
    let p = problems(
        "http://127.0.0.1:9000",
        "{ kind: aws_sigv4, region: US, service: \"\", key_env: K, access_key_id_env: 1X }",
    );
    assert_eq!(p.len(), 4, "{p:?}");
    assert!(p[0].starts_with("backends[0].auth.key_env: not used by kind aws_sigv4"));
    assert!(p[1].starts_with("backends[0].auth.access_key_id_env: \"1X\" is not"));
    assert!(p[2].starts_with("backends[0].auth.service: \"\" must be an AWS signing name"));
    assert!(p[3].starts_with("backends[0].auth.region: \"US\" must be an AWS region"));
}

#[test]
fn aws_fields_are_refused_for_key_kinds() {
    assert_eq!(
        problems(
            "https://api.openai.com",
            "{ kind: bearer, key_env: K, region: us-east-1 }"
        ),
        ["backends[0].auth.region: only valid with kind aws_sigv4 (kind is bearer)"]
    );
}

#[test]
fn sigv4_credentials_file_checks() {
    let bedrock = "https://bedrock-runtime.eu-west-1.amazonaws.com";
    let yaml = config(
        bedrock,
        "{ kind: aws_sigv4, credentials_file: aws/credentials, profile: prod }",
    );
    let c = from_yaml(&yaml, Path::new("/cfg")).unwrap();
    assert_eq!(
        c.backends[0].auth.credentials_file.as_deref(),
        Some(Path::new("/cfg/aws/credentials"))
    );
    assert_eq!(
        problems(
            bedrock,
            "{ kind: aws_sigv4, credentials_file: c, session_token_env: T }"
        ),
        [
            "backends[0].auth.credentials_file: set either credentials_file or the *_env variable names, not both"
        ]
    );
    assert_eq!(
        problems(bedrock, "{ kind: aws_sigv4, profile: prod }"),
        ["backends[0].auth.profile: only used with credentials_file"]
    );
    let wasm = format!(
        "module: wasm\n{}",
        config(bedrock, "{ kind: aws_sigv4, credentials_file: c }")
    );
    assert_eq!(
        from_yaml(&wasm, Path::new("/cfg")).unwrap_err(),
        [
            "backends[0].auth.credentials_file: not available with module wasm (proxy-wasm cannot read files); use the *_env variables or module native"
        ]
    );
}

#[test]
fn web_identity_errors_name_the_field() {
    let bedrock = "https://bedrock-runtime.us-east-1.amazonaws.com";
    let role = "role_arn: 'arn:aws:iam::123456789012:role/aigw'";
    let cases = [
        (
            "{ kind: aws_web_identity, web_identity_token_env: T }".to_string(),
            "backends[0].auth.role_arn: required for kind aws_web_identity",
        ),
        (
            "{ kind: aws_web_identity, role_arn: aigw, web_identity_token_env: T }".to_string(),
            "backends[0].auth.role_arn: \"aigw\" is not an IAM role ARN",
        ),
        (
            format!("{{ kind: aws_web_identity, {role} }}"),
            "backends[0].auth: kind aws_web_identity needs one of web_identity_token_file, web_identity_token_env",
        ),
        (
            format!(
                "{{ kind: aws_web_identity, {role}, web_identity_token_env: T, web_identity_token_file: /t }}"
            ),
            "backends[0].auth.web_identity_token_env: set only one of",
        ),
        (
            format!("{{ kind: aws_web_identity, {role}, web_identity_token_env: '1T' }}"),
            "backends[0].auth.web_identity_token_env: \"1T\" is not an environment variable name",
        ),
        (
            format!(
                "{{ kind: aws_web_identity, {role}, web_identity_token_env: T, role_session_name: 'a b' }}"
            ),
            "backends[0].auth.role_session_name: \"a b\" must be 2-64 of",
        ),
        (
            format!(
                "{{ kind: aws_web_identity, {role}, web_identity_token_env: T, duration_seconds: 60 }}"
            ),
            "backends[0].auth.duration_seconds: 60 is outside 900-43200",
        ),
        (
            format!(
                "{{ kind: aws_web_identity, {role}, web_identity_token_env: T, sts_endpoint: 'ftp://x' }}"
            ),
            "backends[0].auth.sts_endpoint: scheme must be http or https",
        ),
        (
            format!(
                "{{ kind: aws_web_identity, {role}, web_identity_token_env: T, access_key_id_env: A }}"
            ),
            "backends[0].auth.access_key_id_env: not used by kind aws_web_identity",
        ),
        (
            format!(
                "{{ kind: aws_web_identity, {role}, web_identity_token_env: T, override_header: x-k }}"
            ),
            "backends[0].auth.override_header: not available for kind aws_web_identity",
        ),
        (
            "{ kind: aws_sigv4, role_arn: x }".to_string(),
            "backends[0].auth.role_arn: only valid with kind aws_web_identity (kind is aws_sigv4)",
        ),
    ];
    for (auth, want) in cases {
        let e = problems(bedrock, &auth).join("\n");
        assert!(e.contains(want), "{auth}: {e}");
    }
    let e = problems(
        "http://127.0.0.1:9",
        &format!("{{ kind: aws_web_identity, {role}, web_identity_token_env: T }}"),
    )
    .join("\n");
    assert!(e.contains("backends[0].auth.region: required"), "{e}");
    let ok = config(
        bedrock,
        &format!(
            "{{ kind: aws_web_identity, {role}, web_identity_token_env: T, sts_endpoint: 'http://127.0.0.1:9/' }}"
        ),
    );
    let c = from_yaml(&ok, Path::new("/cfg")).unwrap();
    assert_eq!(
        crate::config::sts_url(
            &c.backends[0].auth,
            "bedrock-runtime.us-east-1.amazonaws.com"
        )
        .as_deref(),
        Some("http://127.0.0.1:9/")
    );
}
