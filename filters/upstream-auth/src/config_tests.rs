use super::*;

fn no_env(_: &str) -> Option<OsString> {
    None
}

fn fake_env(var: &str) -> Option<OsString> {
    (var == "FAKE_OPENAI_KEY").then(|| "sk-fake-123".into())
}

#[test]
fn parses_env_config() {
    let c =
        AuthConfig::parse(r#"{"backend":"openai","kind":"bearer","key_env":"FAKE_OPENAI_KEY"}"#)
            .unwrap();
    assert_eq!(c.kind, AuthKind::Bearer);
    let cred = c.credential(fake_env, true).unwrap();
    assert_eq!(cred.header_name(), "authorization");
    assert!(!format!("{cred:?}").contains("sk-fake-123"));
}

#[test]
fn parse_errors_name_the_field() {
    let err = |t: &str| AuthConfig::parse(t).unwrap_err();
    assert!(err(r#"{"kind":"bearer","key_env":"X"}"#).contains("missing field `backend`"));
    assert!(err(r#"{"backend":"b","key_env":"X"}"#).contains("missing field `kind`"));
    assert!(
        err(r#"{"backend":"b","kind":"basic","key_env":"X"}"#).contains("unknown variant `basic`")
    );
    assert!(err(r#"{"backend":"b","kind":"bearer","key":"X"}"#).contains("unknown field `key`"));
    assert!(err(r#"{"backend":"","kind":"bearer","key_env":"X"}"#).contains("backend must be"));
}

#[test]
fn key_source_errors() {
    let cred_err = |t: &str| {
        AuthConfig::parse(t)
            .unwrap()
            .credential(no_env, true)
            .unwrap_err()
    };
    assert_eq!(
        cred_err(r#"{"backend":"b","kind":"bearer"}"#),
        "upstream-auth config (backend b): one of key_env or key_file is required"
    );
    assert!(
        cred_err(r#"{"backend":"b","kind":"bearer","key_env":"A","key_file":"/k"}"#)
            .contains("set only one of key_env and key_file")
    );
    assert_eq!(
        cred_err(r#"{"backend":"b","kind":"bearer","key_env":"FAKE_UNSET"}"#),
        "upstream-auth config (backend b): key_env: environment variable FAKE_UNSET is not set"
    );
    assert!(
        cred_err(r#"{"backend":"b","kind":"bearer","key_env":""}"#).contains("key_env must name")
    );
    assert!(
        cred_err(r#"{"backend":"b","kind":"bearer","key_file":"/nonexistent/aigw-key"}"#)
            .contains("key_file /nonexistent/aigw-key: cannot read")
    );
}

#[test]
fn key_file_is_refused_in_wasm_builds() {
    let c = AuthConfig::parse(r#"{"backend":"b","kind":"bearer","key_file":"/k"}"#).unwrap();
    assert_eq!(
        c.credential(no_env, false).unwrap_err(),
        "upstream-auth config (backend b): key_file is not available in the wasm build of upstream-auth; use key_env or the native module"
    );
}
