use super::*;

fn config(extra: &str) -> String {
    format!(
        r#"{{"backend":"br","kind":"aws_web_identity","region":"us-east-1",
        "role_arn":"arn:aws:iam::123456789012:role/aigw","sts_cluster":"aigw-token-br",
        "sts_url":"https://sts.us-east-1.amazonaws.com/"{extra}}}"#
    )
}

fn no_env(_: &str) -> Option<OsString> {
    None
}

#[test]
fn defaults_and_token_sources() {
    let c = WebIdentityConfig::parse(&config(r#","web_identity_token_file":"/t""#)).unwrap();
    assert_eq!(
        (c.service.as_str(), c.role_session_name.as_str()),
        ("bedrock", "aigw")
    );
    let role = c.assume_role(no_env, true).unwrap();
    assert!(matches!(role.token, WebIdentityToken::File(_)));
    let err = c.assume_role(no_env, false).unwrap_err();
    assert!(
        err.contains("web_identity_token_file /t: files are not available in the wasm build"),
        "{err}"
    );
    let c = WebIdentityConfig::parse(&config(r#","web_identity_token_env":"FAKE_WI""#)).unwrap();
    let env = |v: &str| (v == "FAKE_WI").then(|| OsString::from("fake-wi-token\n"));
    let role = c.assume_role(env, false).unwrap();
    assert!(!format!("{role:?}").contains("fake-wi-token"));
    let err = c.assume_role(no_env, false).unwrap_err();
    assert_eq!(
        err,
        "upstream-auth config (backend br): web_identity_token_env: environment variable FAKE_WI is not set"
    );
}

#[test]
fn errors_name_the_field() {
    let cases = [
        (r#","role_session_name":"x y""#, "role_session_name must be"),
        (
            r#","duration_seconds":60"#,
            "duration_seconds must be between 900 and 43200",
        ),
        (
            r#","fetch_timeout_ms":0"#,
            "fetch_timeout_ms must be positive",
        ),
        (r#","region":"US""#, "duplicate field"),
        (r#","surprise":1"#, "unknown field `surprise`"),
    ];
    for (extra, want) in cases {
        let err = WebIdentityConfig::parse(&config(extra)).unwrap_err();
        assert!(err.contains(want), "{extra}: {err}");
    }
    let bad_arn = config("").replace("arn:aws:iam::123456789012:role/aigw", "aigw");
    let err = WebIdentityConfig::parse(&bad_arn).unwrap_err();
    assert!(err.contains("role_arn must be an IAM role ARN"), "{err}");
    let bad_url = config("").replace("https://sts.us-east-1.amazonaws.com/", "sts");
    let err = WebIdentityConfig::parse(&bad_url).unwrap_err();
    assert!(err.contains("sts_url:"), "{err}");
    let c = WebIdentityConfig::parse(&config(
        r#","web_identity_token_env":"A","web_identity_token_file":"/t""#,
    ))
    .unwrap();
    let err = c.assume_role(no_env, true).unwrap_err();
    assert!(err.contains("set only one of web_identity_token_file and web_identity_token_env"));
}
