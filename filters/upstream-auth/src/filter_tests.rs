use super::*;
use aigw_host::test_host::TestHost;
use std::time::{Duration, SystemTime};

fn fake_env(var: &str) -> Option<OsString> {
    (var == "FAKE_KEY").then(|| "sk-fake-env-key".into())
}

fn factory(kind: &str) -> UpstreamAuthFactory {
    let config = format!(r#"{{"backend":"b1","kind":"{kind}","key_env":"FAKE_KEY"}}"#);
    UpstreamAuthFactory::with_env(&config, fake_env, true).unwrap()
}

fn client_request() -> TestHost {
    TestHost::with_request_headers(&[
        (":path", "/v1/chat/completions"),
        ("authorization", "Bearer client-fake"),
        ("api-key", "client-fake"),
        ("x-api-key", "client-fake"),
        ("x-goog-api-key", "client-fake"),
        ("content-type", "application/json"),
    ])
}

fn credential_headers(host: &TestHost) -> Vec<(String, String)> {
    host.request_headers
        .iter()
        .filter(|(k, _)| CLIENT_CREDENTIAL_HEADERS.contains(&k.as_str()))
        .cloned()
        .collect()
}

#[test]
fn each_kind_replaces_client_credentials() {
    let cases = [
        ("bearer", "authorization", "Bearer sk-fake-env-key"),
        ("azure_api_key", "api-key", "sk-fake-env-key"),
        ("anthropic_api_key", "x-api-key", "sk-fake-env-key"),
        ("gemini_api_key", "x-goog-api-key", "sk-fake-env-key"),
    ];
    for (kind, name, value) in cases {
        let mut filter = factory(kind).create_filter();
        let mut host = client_request();
        let (status, _) = host.run_request(&mut filter, b"{}");
        assert_eq!(status, HeadersStatus::Continue);
        assert_eq!(
            credential_headers(&host),
            vec![(name.to_string(), value.to_string())],
            "{kind}"
        );
        assert!(
            host.request_headers
                .iter()
                .any(|(k, _)| k == "content-type")
        );
        assert_eq!(host.request_body, b"{}");
    }
}

#[test]
fn rotates_file_key_on_mtime_change() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("openai.key");
    let write = |key: &str, secs: u64| {
        std::fs::write(&path, key).unwrap();
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
            .unwrap();
    };
    write("sk-fake-first\n", 1_600_000_000);
    let config = serde_json::json!({"backend":"b1","kind":"azure_api_key","key_file":path});
    let factory = UpstreamAuthFactory::with_env(&config.to_string(), fake_env, true).unwrap();
    let mut host = client_request();
    host.run_request(&mut factory.create_filter(), b"");
    assert_eq!(
        credential_headers(&host),
        vec![("api-key".into(), "sk-fake-first".into())]
    );

    write("sk-fake-second\n", 1_600_000_100);
    let mut later = client_request();
    later.time = host.time + Duration::from_secs(1);
    later.run_request(&mut factory.create_filter(), b"");
    assert_eq!(
        credential_headers(&later),
        vec![("api-key".into(), "sk-fake-second".into())]
    );
    assert!(later.logs.borrow().is_empty());

    std::fs::remove_file(&path).unwrap();
    let mut broken = client_request();
    broken.time = later.time + Duration::from_secs(2);
    broken.run_request(&mut factory.create_filter(), b"");
    assert_eq!(
        credential_headers(&broken),
        vec![("api-key".into(), "sk-fake-second".into())]
    );
    let logs = broken.logs.borrow();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].0, LogLevel::Warn);
    assert!(logs[0].1.starts_with("upstream-auth backend b1: key_file "));
    assert!(!logs[0].1.contains("sk-fake"));
}

#[test]
fn debug_never_shows_the_key() {
    let factory = factory("bearer");
    let debug = format!("{factory:?} {:?}", factory.create_filter());
    assert!(!debug.contains("sk-fake-env-key"), "{debug}");
    assert!(debug.contains("b1"));
}

#[test]
fn override_header_replaces_the_configured_key_and_is_removed() {
    let config = r#"{"backend":"b1","kind":"anthropic_api_key","key_env":"FAKE_KEY","override_header":"x-upstream-key"}"#;
    let f = UpstreamAuthFactory::with_env(config, fake_env, true).unwrap();
    let mut host = client_request();
    host.request_headers
        .push(("x-upstream-key".into(), "sk-fake-client-own".into()));
    assert_eq!(
        f.create_filter().on_request_headers(&mut host, true),
        HeadersStatus::Continue
    );
    assert_eq!(
        credential_headers(&host),
        [("x-api-key".to_string(), "sk-fake-client-own".to_string())]
    );
    assert_eq!(host.request_header("x-upstream-key"), None);
    // Missing: the configured key.
    let mut host = client_request();
    f.create_filter().on_request_headers(&mut host, true);
    assert_eq!(
        credential_headers(&host),
        [("x-api-key".to_string(), "sk-fake-env-key".to_string())]
    );
}

#[test]
fn override_on_a_token_backend_skips_the_fetch_and_reject_answers_401() {
    let env = |v: &str| (v == "FAKE_SECRET").then(|| OsString::from("fake-s"));
    let config = r#"{"backend":"t","kind":"oauth2","token_cluster":"c","token_url":"http://idp/t",
        "client_id":"a","client_secret_env":"FAKE_SECRET","override_header":"x-upstream-key",
        "override_when_missing":"reject"}"#;
    let f = UpstreamAuthFactory::with_env(config, env, true).unwrap();
    let mut host = client_request();
    host.request_headers
        .push(("x-upstream-key".into(), "fake-client-token".into()));
    let mut filter = f.create_filter();
    assert_eq!(
        filter.on_request_headers(&mut host, false),
        HeadersStatus::Continue
    );
    assert_eq!(
        filter.on_request_body(&mut host, true),
        BodyStatus::Continue
    );
    assert!(host.callouts.is_empty());
    assert_eq!(
        host.request_header("authorization").as_deref(),
        Some("Bearer fake-client-token")
    );
    let mut host = client_request();
    assert_eq!(
        f.create_filter().on_request_headers(&mut host, true),
        HeadersStatus::StopIteration
    );
    let reply = host.local_reply.unwrap();
    assert_eq!(reply.status, 401);
    assert!(
        String::from_utf8(reply.body)
            .unwrap()
            .contains("x-upstream-key")
    );
    let sigv4 =
        r#"{"backend":"a","kind":"aws_sigv4","region":"us-east-1","override_header":"x-k"}"#;
    let err = UpstreamAuthFactory::with_env(sigv4, env, true).unwrap_err();
    assert!(err.contains("not available for kind aws_sigv4"), "{err}");
}
