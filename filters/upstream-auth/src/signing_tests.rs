use crate::UpstreamAuthFactory;
use aigw_core::auth::SecretString;
use aigw_core::auth::sigv4::{self, AwsCredentials, RequestToSign, SigningScope};
use aigw_host::test_host::TestHost;
use aigw_host::{BodyStatus, FilterFactory, HeadersStatus};
use std::ffi::OsString;
use std::time::{Duration, SystemTime};

const CONFIG: &str = r#"{"backend":"bedrock","kind":"aws_sigv4","region":"us-west-2"}"#;

fn fake_env(var: &str) -> Option<OsString> {
    match var {
        "AWS_ACCESS_KEY_ID" => Some("AKIDFAKEEXAMPLE".into()),
        "AWS_SECRET_ACCESS_KEY" => Some("fake-secret-key".into()),
        "FAKE_TOKEN" => Some("fake-session-token".into()),
        _ => None,
    }
}

fn request() -> TestHost {
    let mut host = TestHost::with_request_headers(&[
        (":method", "POST"),
        (":path", "/model/m%3A0/converse"),
        (":authority", "bedrock-runtime.us-west-2.amazonaws.com"),
        ("content-type", "application/json"),
        ("authorization", "Bearer client-fake"),
        ("x-amz-security-token", "client-fake"),
    ]);
    host.time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    host
}

fn header(host: &TestHost, name: &str) -> Option<String> {
    host.request_headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

fn expected(body: &[u8], token: Option<&str>) -> String {
    let credentials = AwsCredentials::new(
        "AKIDFAKEEXAMPLE".into(),
        SecretString::from("fake-secret-key"),
        token.map(SecretString::from),
    );
    let scope = SigningScope {
        region: "us-west-2".into(),
        service: "bedrock".into(),
        content_sha256_header: false,
    };
    let request = RequestToSign {
        method: "POST",
        path: "/model/m%3A0/converse",
        host: "bedrock-runtime.us-west-2.amazonaws.com",
        content_type: Some("application/json"),
        body,
    };
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let headers = sigv4::sign(&credentials, &scope, &request, now);
    headers
        .into_iter()
        .find(|(n, _)| *n == "authorization")
        .unwrap()
        .1
}

#[test]
fn signs_the_whole_body_at_end_of_stream() {
    let factory = UpstreamAuthFactory::with_env(CONFIG, fake_env, true).unwrap();
    let mut filter = factory.create_filter();
    let mut host = request();
    let (status, body_status) = host.run_request_chunks(&mut filter, &[b"{\"a\":", b"1}"]);
    assert_eq!(status, HeadersStatus::StopIteration);
    assert_eq!(body_status, Some(BodyStatus::Continue));
    assert_eq!(host.request_body, b"{\"a\":1}");
    assert_eq!(
        header(&host, "authorization"),
        Some(expected(b"{\"a\":1}", None))
    );
    assert_eq!(
        header(&host, "x-amz-date").as_deref(),
        Some("20231114T221320Z")
    );
    assert_eq!(header(&host, "x-amz-security-token"), None);
}

#[test]
fn signs_at_headers_without_body_and_sends_session_token() {
    let config = r#"{"backend":"bedrock","kind":"aws_sigv4","region":"us-west-2",
        "session_token_env":"FAKE_TOKEN"}"#;
    let factory = UpstreamAuthFactory::with_env(config, fake_env, true).unwrap();
    let mut host = request();
    let (status, _) = host.run_request(&mut factory.create_filter(), b"");
    assert_eq!(status, HeadersStatus::Continue);
    assert_eq!(
        header(&host, "authorization"),
        Some(expected(b"", Some("fake-session-token")))
    );
    assert_eq!(
        header(&host, "x-amz-security-token").as_deref(),
        Some("fake-session-token")
    );
    assert!(!format!("{factory:?}").contains("fake-secret-key"));
    assert!(!format!("{factory:?}").contains("fake-session-token"));
}

#[test]
fn config_errors_name_the_field() {
    let err = |config: &str| UpstreamAuthFactory::with_env(config, fake_env, true).unwrap_err();
    assert!(err(r#"{"backend":"b","kind":"aws_sigv4"}"#).contains("missing field `region`"));
    assert!(
        err(r#"{"backend":"b","kind":"aws_sigv4","region":"US East"}"#)
            .contains("region must be non-empty")
    );
    assert!(
        err(r#"{"backend":"b","kind":"aws_sigv4","region":"x","key_env":"K"}"#)
            .contains("unknown field `key_env`")
    );
    assert_eq!(
        err(r#"{"backend":"b","kind":"aws_sigv4","region":"x","access_key_id_env":"FAKE_UNSET"}"#),
        "upstream-auth config (backend b): access_key_id_env: environment variable FAKE_UNSET is not set"
    );
}

#[test]
fn credentials_file_profile_native_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    std::fs::write(
        &path,
        "[bedrock]\naws_access_key_id = AKIDFAKEEXAMPLE\naws_secret_access_key = fake-secret-key\n",
    )
    .unwrap();
    let config = serde_json::json!({"backend": "bedrock", "kind": "aws_sigv4",
        "region": "us-west-2", "credentials_file": path, "profile": "bedrock"})
    .to_string();
    let factory = UpstreamAuthFactory::with_env(&config, |_| None, true).unwrap();
    let mut host = request();
    host.run_request(&mut factory.create_filter(), b"{}");
    assert_eq!(header(&host, "authorization"), Some(expected(b"{}", None)));

    let err = UpstreamAuthFactory::with_env(&config, |_| None, false).unwrap_err();
    assert_eq!(
        err,
        "upstream-auth config (backend bedrock): credentials_file is not available in the wasm build of upstream-auth; use the *_env variables or the native module"
    );
    let both = config.replace("\"profile\"", "\"access_key_id_env\":\"X\",\"profile\"");
    let err = UpstreamAuthFactory::with_env(&both, |_| None, true).unwrap_err();
    assert!(err.ends_with("set either credentials_file or the *_env variable names, not both"));
}
