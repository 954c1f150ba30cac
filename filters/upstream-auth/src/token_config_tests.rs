use super::*;

fn parse(extra: &str) -> Result<Grant, String> {
    let text = format!(
        r#"{{"backend":"b","token_cluster":"c","token_url":"https://login.example/t/oauth2/v2.0/token",{extra}}}"#
    );
    let env = |v: &str| match v {
        "FAKE_SECRET" => Some(OsString::from("fake-secret")),
        "FAKE_EMPTY" => Some(OsString::from(" ")),
        _ => None,
    };
    TokenConfig::parse(&text)?.grant(env, false)
}

#[test]
fn errors_name_the_field() {
    let cases = [
        (
            r#""kind":"oauth2","client_secret_env":"FAKE_SECRET""#,
            "client_id is required",
        ),
        (
            r#""kind":"oauth2","client_id":"a""#,
            "one of client_secret_env or client_secret_file is required",
        ),
        (
            r#""kind":"oauth2","client_id":"a","client_secret_env":"NOPE""#,
            "client_secret_env: environment variable NOPE is not set",
        ),
        (
            r#""kind":"oauth2","client_id":"a","client_secret_env":"FAKE_EMPTY""#,
            "client_secret is empty",
        ),
        (
            r#""kind":"oauth2","client_id":"a","client_secret_file":"/s""#,
            "client_secret_file /s: files are not available in the wasm build",
        ),
        (
            r#""kind":"azure_entra","client_id":"a""#,
            "one of client_secret_env, client_secret_file, client_assertion_env or client_assertion_file is required",
        ),
        (
            r#""kind":"azure_entra","client_id":"a","client_secret_env":"FAKE_SECRET","client_assertion_env":"FAKE_SECRET""#,
            "not both",
        ),
        (
            r#""kind":"azure_entra","client_id":"a","client_secret_env":"FAKE_SECRET","scopes":["a","b"]"#,
            "exactly one scope",
        ),
        (
            r#""kind":"gcp_service_account","client_id":"a""#,
            "client_id is not used by this kind",
        ),
        (
            r#""kind":"gcp_service_account","credentials_env":"FAKE_SECRET""#,
            "credentials_env FAKE_SECRET: not a service-account JSON key",
        ),
    ];
    for (extra, want) in cases {
        let err = parse(extra).unwrap_err();
        assert!(
            err.starts_with("upstream-auth config (backend b): "),
            "{err}"
        );
        assert!(err.contains(want), "{extra}: {err}");
        assert!(!err.contains("fake-secret"), "{err}");
    }
    let err = TokenConfig::parse(
        r#"{"backend":"b","kind":"oauth2","token_cluster":"c","token_url":"ftp://x"}"#,
    )
    .unwrap_err();
    assert!(
        err.contains("token_url: \"ftp://x\" must start with https:// or http://"),
        "{err}"
    );
    let err = TokenConfig::parse(
        r#"{"backend":"b","kind":"oauth2","token_cluster":"c","token_url":"http://x","bogus":1}"#,
    )
    .unwrap_err();
    assert!(err.contains("unknown field `bogus`"), "{err}");
}

#[test]
fn entra_defaults_to_the_cognitive_services_scope() {
    let grant =
        parse(r#""kind":"azure_entra","client_id":"a","client_secret_env":"FAKE_SECRET""#).unwrap();
    match grant {
        Grant::Entra {
            scope,
            secret: EntraSecret::ClientSecret(_),
            ..
        } => {
            assert_eq!(scope, ENTRA_COGNITIVE_SCOPE)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn gcp_key_token_uri_must_match_token_url() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("service-account.json");
    std::fs::write(&key, aigw_test_keys::service_account_json()).unwrap();
    let text = format!(
        r#"{{"backend":"g","kind":"gcp_service_account","token_cluster":"c","token_url":"http://127.0.0.1:1/token","credentials_file":"{}"}}"#,
        key.display()
    );
    let err = TokenConfig::parse(&text)
        .unwrap()
        .grant(|_| None, true)
        .unwrap_err();
    assert!(
        err.contains("differs from the key's token_uri \"https://oauth2.googleapis.com/token\""),
        "{err}"
    );
    let ok = text.replace(
        "http://127.0.0.1:1/token",
        "https://oauth2.googleapis.com/token",
    );
    assert!(matches!(
        TokenConfig::parse(&ok).unwrap().grant(|_| None, true),
        Ok(Grant::ServiceAccount { .. })
    ));
}

#[test]
fn workload_identity_fields_are_checked() {
    let cases = [
        (
            r#""kind":"gcp_workload_identity","subject_token_env":"FAKE_SECRET""#,
            "audience is required",
        ),
        (
            r#""kind":"gcp_workload_identity","audience":"//iam/x""#,
            "one of subject_token_file or subject_token_env is required",
        ),
        (
            r#""kind":"gcp_workload_identity","audience":"//iam/x","subject_token_file":"/t""#,
            "subject_token_file /t: files are not available in the wasm build",
        ),
        (
            r#""kind":"gcp_workload_identity","audience":"//iam/x","subject_token_env":"FAKE_SECRET","impersonation_cluster":"c""#,
            "impersonation_cluster and impersonation_url go together",
        ),
        (
            r#""kind":"gcp_workload_identity","audience":"//iam/x","subject_token_env":"FAKE_SECRET","client_id":"a""#,
            "client_id is not used by this kind",
        ),
        (
            r#""kind":"oauth2","client_id":"a","client_secret_env":"FAKE_SECRET","audience":"x""#,
            "audience is not used by this kind",
        ),
    ];
    for (extra, want) in cases {
        let err = parse(extra).unwrap_err();
        assert!(err.contains(want), "{extra}: {err}");
    }
    assert!(matches!(
        parse(
            r#""kind":"gcp_workload_identity","audience":"//iam/x","subject_token_env":"FAKE_SECRET""#
        ),
        Ok(Grant::WorkloadIdentity(_))
    ));
}
