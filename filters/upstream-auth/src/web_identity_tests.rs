use crate::filter::{UpstreamAuthFactory, UpstreamAuthFilter};
use aigw_core::auth::SecretString;
use aigw_core::auth::sigv4::{self, AwsCredentials, RequestToSign, SigningScope};
use aigw_host::test_host::TestHost;
use aigw_host::{
    BodyStatus, CalloutResponse, CalloutResult, Filter, FilterFactory, HeadersStatus, Host,
    LogLevel,
};
use std::ffi::OsString;
use std::time::Duration;

const WI_TOKEN: &str = "fake-web-identity-token-unit";
const BODY: &[u8] = br#"{"messages":[]}"#;

fn factory() -> UpstreamAuthFactory {
    let config = r#"{"backend":"br","kind":"aws_web_identity","region":"us-east-1",
        "role_arn":"arn:aws:iam::123456789012:role/aigw","role_session_name":"gw-1",
        "web_identity_token_env":"FAKE_WI","sts_cluster":"aigw-token-br",
        "sts_url":"http://sts.test:8080/"}"#;
    let env = |v: &str| (v == "FAKE_WI").then(|| OsString::from(WI_TOKEN));
    UpstreamAuthFactory::with_env(config, env, false).unwrap()
}

fn request() -> TestHost {
    TestHost::with_request_headers(&[
        (":method", "POST"),
        (":path", "/model/m/converse"),
        (":authority", "bedrock-runtime.us-east-1.amazonaws.com"),
        ("content-type", "application/json"),
        ("authorization", "Bearer client-fake"),
    ])
}

/// The test hosts' clock (1700000000) plus `secs`, as STS writes it.
fn expiration(secs: u64) -> &'static str {
    match secs {
        1000 => "2023-11-14T22:30:00Z",
        1800 => "2023-11-14T22:43:20Z",
        3600 => "2023-11-14T23:13:20Z",
        _ => unreachable!("no such test time"),
    }
}

fn granted(n: u32, expires_in: u64) -> CalloutResult {
    let body = format!(
        "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
         <AssumeRoleWithWebIdentityResult><Credentials>\
         <SessionToken>fake-session-{n}</SessionToken><SecretAccessKey>fake-secret-{n}</SecretAccessKey>\
         <Expiration>{}</Expiration><AccessKeyId>ASIAFAKE{n}</AccessKeyId>\
         </Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>",
        expiration(expires_in)
    );
    Ok(CalloutResponse {
        status: 200,
        headers: vec![],
        body: body.into_bytes(),
    })
}

/// The authorization header SigV4 gives for the test request with body `body`.
fn expected_authorization(host: &TestHost, n: u32, body: &[u8]) -> String {
    let credentials = AwsCredentials::new(
        format!("ASIAFAKE{n}"),
        SecretString::from(format!("fake-secret-{n}")),
        Some(SecretString::from(format!("fake-session-{n}"))),
    );
    let scope = SigningScope {
        region: "us-east-1".into(),
        service: "bedrock".into(),
        content_sha256_header: false,
    };
    let request = RequestToSign {
        method: "POST",
        path: "/model/m/converse",
        host: "bedrock-runtime.us-east-1.amazonaws.com",
        content_type: Some("application/json"),
        body,
    };
    sigv4::sign(&credentials, &scope, &request, host.time)
        .into_iter()
        .find(|(n, _)| *n == "authorization")
        .unwrap()
        .1
}

fn start(f: &UpstreamAuthFactory) -> (UpstreamAuthFilter, TestHost, HeadersStatus) {
    let mut filter = f.create_filter();
    let mut host = request();
    host.request_body = BODY.to_vec();
    let status = filter.on_request_headers(&mut host, false);
    (filter, host, status)
}

fn assert_signed(host: &TestHost, n: u32) {
    assert_eq!(
        host.request_header("authorization"),
        Some(expected_authorization(host, n, BODY))
    );
    assert_eq!(
        host.request_header("x-amz-security-token"),
        Some(format!("fake-session-{n}"))
    );
}

#[test]
fn cold_cache_makes_one_sts_call_and_signs_every_held_request() {
    let f = factory();
    let (mut first, mut first_host, status) = start(&f);
    assert_eq!(status, HeadersStatus::StopIteration);
    let callout = &first_host.callouts[0];
    assert_eq!(callout.cluster, "aigw-token-br");
    let header = |n: &str| {
        callout
            .headers
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(header(":path").as_deref(), Some("/"));
    assert_eq!(header(":authority").as_deref(), Some("sts.test:8080"));
    let form = String::from_utf8(callout.body.clone()).unwrap();
    assert!(form.starts_with("Action=AssumeRoleWithWebIdentity&Version=2011-06-15&"));
    assert!(form.ends_with(&format!(
        "&RoleSessionName=gw-1&WebIdentityToken={WI_TOKEN}"
    )));
    // The first request's body ends before the credentials come: kept and signed later.
    assert_eq!(
        first.on_request_body(&mut first_host, true),
        BodyStatus::StopAndBuffer
    );
    let mut waiting: Vec<_> = (0..20).map(|_| start(&f)).collect();
    for (_, host, status) in &waiting {
        assert_eq!(*status, HeadersStatus::StopIteration);
        assert!(host.callouts.is_empty(), "only the first request calls STS");
    }
    let token = first_host.callouts[0].token;
    first.on_callout_done(&mut first_host, token, granted(1, 3600));
    assert_signed(&first_host, 1);
    assert_eq!(first_host.request_continued, 1);
    for (filter, host, _) in &mut waiting {
        assert_eq!(host.deliver_wakes(filter), 1);
        // The body has not ended yet: the body callback signs, the request goes on.
        assert_eq!(host.request_continued, 0);
        assert_eq!(
            filter.on_request_body(host, false),
            BodyStatus::StopAndBuffer
        );
        assert_eq!(filter.on_request_body(host, true), BodyStatus::Continue);
        assert_signed(host, 1);
    }
    // Warm cache, no body: signed in the headers callback.
    let mut filter = f.create_filter();
    let mut host = request();
    assert_eq!(
        filter.on_request_headers(&mut host, true),
        HeadersStatus::Continue
    );
    assert!(host.callouts.is_empty());
    assert_eq!(
        host.request_header("x-amz-security-token").as_deref(),
        Some("fake-session-1")
    );
}

#[test]
fn refreshes_ahead_of_expiry_without_holding_the_request() {
    let f = factory();
    let (mut first, mut host, _) = start(&f);
    let t0 = host.time;
    let token = host.callouts[0].token;
    first.on_callout_done(&mut host, token, granted(1, 1000));
    let (mut late, mut late_host) = (f.create_filter(), request());
    late_host.request_body = BODY.to_vec();
    late_host.time = t0 + Duration::from_secs(800);
    assert_eq!(
        late.on_request_headers(&mut late_host, false),
        HeadersStatus::StopIteration
    );
    assert_eq!(late_host.callouts.len(), 1, "the refresh starts alongside");
    assert_eq!(
        late.on_request_body(&mut late_host, true),
        BodyStatus::Continue
    );
    assert_signed(&late_host, 1);
    let token = late_host.callouts[0].token;
    let t1 = late_host.time;
    late.on_callout_done(&mut late_host, token, granted(2, 1800));
    assert_eq!(late_host.request_continued, 0, "the request was never held");
    let (mut next, mut next_host) = (f.create_filter(), request());
    next_host.time = t1;
    next.on_request_headers(&mut next_host, true);
    assert_eq!(
        next_host.request_header("x-amz-security-token").as_deref(),
        Some("fake-session-2")
    );
}

#[test]
fn failed_sts_call_answers_503_to_held_requests_without_secrets() {
    let f = factory();
    let (mut first, mut first_host, _) = start(&f);
    let (mut second, mut second_host, _) = start(&f);
    let denied = Ok(CalloutResponse {
        status: 400,
        headers: vec![],
        body: format!("<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>{WI_TOKEN} is bad</Message></Error></ErrorResponse>").into_bytes(),
    });
    let token = first_host.callouts[0].token;
    first.on_callout_done(&mut first_host, token, denied);
    second_host.deliver_wakes(&mut second);
    for host in [&first_host, &second_host] {
        let reply = host.local_reply.as_ref().expect("503 reply");
        assert_eq!(reply.status, 503);
        let body: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
        assert_eq!(body["error"]["code"], "upstream_credentials_unavailable");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("STS answered 400 (InvalidIdentityToken)"),
            "{message}"
        );
        assert!(!message.contains(WI_TOKEN));
    }
    let logs = first_host.logs.borrow();
    assert!(logs.iter().any(|(l, m)| *l == LogLevel::Warn
        && m.contains("upstream-auth backend br: STS AssumeRoleWithWebIdentity failed")));
    assert!(logs.iter().all(|(_, m)| !m.contains(WI_TOKEN)));
}

#[test]
fn a_fetching_stream_that_ends_hands_the_call_to_a_waiter() {
    let f = factory();
    let (mut first, mut first_host, _) = start(&f);
    let (mut second, mut second_host, _) = start(&f);
    first.on_stream_complete(&mut first_host);
    assert_eq!(second_host.deliver_wakes(&mut second), 1);
    assert_eq!(second_host.callouts.len(), 1, "the waiter calls STS now");
}

#[test]
fn override_header_is_refused_for_this_kind() {
    let config = r#"{"backend":"br","kind":"aws_web_identity","region":"us-east-1",
        "role_arn":"arn:aws:iam::1:role/r","web_identity_token_env":"FAKE_WI",
        "sts_cluster":"c","sts_url":"http://sts.test/","override_header":"x-k"}"#;
    let err = UpstreamAuthFactory::with_env(config, |_| None, true).unwrap_err();
    assert!(
        err.contains("override_header is not available for kind aws_web_identity"),
        "{err}"
    );
}
