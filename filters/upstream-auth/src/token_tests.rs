use crate::filter::{UpstreamAuthFactory, UpstreamAuthFilter};
use aigw_host::test_host::TestHost;
use aigw_host::{
    BodyStatus, CalloutResponse, Filter, FilterFactory, HeadersStatus, Host, LogLevel,
};
use std::ffi::OsString;
use std::time::Duration;

const SECRET: &str = "fake-oauth-client-secret-unit";

fn env(var: &str) -> Option<OsString> {
    (var == "FAKE_CLIENT_SECRET").then(|| SECRET.into())
}

fn factory() -> UpstreamAuthFactory {
    let config = r#"{"backend":"oa","kind":"oauth2","token_cluster":"aigw-token-oa",
        "token_url":"http://idp.test:8080/oauth/token","client_id":"cid",
        "client_secret_env":"FAKE_CLIENT_SECRET","scopes":["llm"]}"#;
    UpstreamAuthFactory::with_env(config, env, true).unwrap()
}

fn request() -> TestHost {
    TestHost::with_request_headers(&[
        (":path", "/v1/chat/completions"),
        ("authorization", "Bearer client-fake"),
    ])
}

fn granted(token: &str, expires_in: u64) -> aigw_host::CalloutResult {
    Ok(CalloutResponse {
        status: 200,
        headers: vec![],
        body: format!(
            r#"{{"access_token":"{token}","expires_in":{expires_in},"token_type":"Bearer"}}"#
        )
        .into_bytes(),
    })
}

fn start(f: &UpstreamAuthFactory) -> (UpstreamAuthFilter, TestHost, HeadersStatus) {
    let mut filter = f.create_filter();
    let mut host = request();
    let status = filter.on_request_headers(&mut host, false);
    (filter, host, status)
}

#[test]
fn cold_cache_makes_one_fetch_and_wakes_the_waiters() {
    let f = factory();
    let (mut first, mut first_host, status) = start(&f);
    assert_eq!(status, HeadersStatus::StopIteration);
    assert_eq!(
        first_host.request_header("authorization"),
        None,
        "client credential removed"
    );
    let callout = &first_host.callouts[0];
    assert_eq!(callout.cluster, "aigw-token-oa");
    let header = |n: &str| {
        callout
            .headers
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(header(":path"), Some("/oauth/token"));
    assert_eq!(header(":authority"), Some("idp.test:8080"));
    assert_eq!(header(":method"), Some("POST"));
    let form = String::from_utf8(callout.body.clone()).unwrap();
    assert_eq!(
        form,
        format!("grant_type=client_credentials&client_id=cid&client_secret={SECRET}&scope=llm")
    );
    assert_eq!(
        first.on_request_body(&mut first_host, false),
        BodyStatus::StopAndBuffer
    );

    let mut waiting: Vec<_> = (0..50).map(|_| start(&f)).collect();
    for (filter, host, status) in &mut waiting {
        assert_eq!(*status, HeadersStatus::StopIteration);
        assert!(host.callouts.is_empty(), "only the first request fetches");
        assert_eq!(
            filter.on_request_body(host, true),
            BodyStatus::StopAndBuffer
        );
    }
    let token = first_host.callouts[0].token;
    first.on_callout_done(&mut first_host, token, granted("fake-at-1", 3600));
    assert_eq!(
        first_host.request_header("authorization").as_deref(),
        Some("Bearer fake-at-1")
    );
    assert_eq!(first_host.request_continued, 1);
    for (filter, host, _) in &mut waiting {
        assert_eq!(host.deliver_wakes(filter), 1);
        assert_eq!(
            host.request_header("authorization").as_deref(),
            Some("Bearer fake-at-1")
        );
        assert_eq!(host.request_continued, 1);
    }
    // Warm cache: no fetch, no hold.
    let (_, host, status) = start(&f);
    assert_eq!(status, HeadersStatus::Continue);
    assert!(host.callouts.is_empty());
    assert_eq!(
        host.request_header("authorization").as_deref(),
        Some("Bearer fake-at-1")
    );
}

#[test]
fn refreshes_ahead_of_expiry_without_holding_the_request() {
    let f = factory();
    let (mut first, mut host, _) = start(&f);
    let token = host.callouts[0].token;
    let t0 = host.time;
    first.on_callout_done(&mut host, token, granted("fake-at-1", 100));
    let mut filter = f.create_filter();
    let mut late = request();
    late.time = t0 + Duration::from_secs(80);
    assert_eq!(
        filter.on_request_headers(&mut late, true),
        HeadersStatus::Continue
    );
    assert_eq!(
        late.request_header("authorization").as_deref(),
        Some("Bearer fake-at-1")
    );
    assert_eq!(late.callouts.len(), 1, "the refresh starts alongside");
    let token = late.callouts[0].token;
    filter.on_callout_done(&mut late, token, granted("fake-at-2", 100));
    assert_eq!(late.request_continued, 0, "the request was never held");
    let mut next = request();
    next.time = t0 + Duration::from_secs(81);
    f.create_filter().on_request_headers(&mut next, true);
    assert_eq!(
        next.request_header("authorization").as_deref(),
        Some("Bearer fake-at-2")
    );
}

#[test]
fn failed_fetch_answers_503_to_all_held_requests_without_the_secret() {
    let f = factory();
    let (mut first, mut first_host, _) = start(&f);
    let (mut second, mut second_host, _) = start(&f);
    let token = first_host.callouts[0].token;
    let denied = Ok(CalloutResponse {
        status: 401,
        headers: vec![],
        body: format!(r#"{{"error":"invalid_client","error_description":"bad {SECRET}"}}"#)
            .into_bytes(),
    });
    first.on_callout_done(&mut first_host, token, denied);
    second_host.deliver_wakes(&mut second);
    for host in [&first_host, &second_host] {
        let reply = host.local_reply.as_ref().expect("503 reply");
        assert_eq!(reply.status, 503);
        let body: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
        assert_eq!(body["error"]["code"], "upstream_credentials_unavailable");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("answered 401 (invalid_client)")
        );
    }
    let logs = first_host.logs.borrow();
    assert!(
        logs.iter()
            .any(|(l, m)| *l == LogLevel::Warn && m.contains("token fetch failed"))
    );
    assert!(logs.iter().all(|(_, m)| !m.contains(SECRET)));
    // The next request tries again.
    let (_, host, _) = start(&f);
    assert_eq!(host.callouts.len(), 1);
}

#[test]
fn a_fetching_stream_that_ends_hands_the_fetch_to_a_waiter() {
    let f = factory();
    let (mut first, mut first_host, _) = start(&f);
    let (mut second, mut second_host, _) = start(&f);
    first.on_stream_complete(&mut first_host);
    assert_eq!(second_host.deliver_wakes(&mut second), 1);
    assert_eq!(second_host.callouts.len(), 1, "the waiter fetches now");
    let token = second_host.callouts[0].token;
    second.on_callout_done(&mut second_host, token, granted("fake-at-3", 3600));
    assert_eq!(second_host.request_continued, 1);
    assert_eq!(
        second_host.request_header("authorization").as_deref(),
        Some("Bearer fake-at-3")
    );
}

#[test]
fn a_reset_callout_fails_the_request() {
    let f = factory();
    let mut filter = f.create_filter();
    let mut host = request();
    filter.on_request_headers(&mut host, true);
    let token = host.callouts[0].token;
    filter.on_callout_done(&mut host, token, Err("callout reset".into()));
    assert_eq!(host.local_reply.as_ref().unwrap().status, 503);
}

#[test]
fn a_fetching_filter_dropped_without_stream_complete_hands_the_fetch_over() {
    let f = factory();
    let (first, _first_host, _) = start(&f);
    let (mut second, mut second_host, _) = start(&f);
    drop(first);
    assert_eq!(second_host.deliver_wakes(&mut second), 1);
    assert_eq!(second_host.callouts.len(), 1, "the waiter fetches now");
}

#[test]
fn workload_identity_exchanges_then_impersonates_once_for_all_waiters() {
    let config = r#"{"backend":"wif","kind":"gcp_workload_identity","token_cluster":"aigw-token-wif",
        "token_url":"https://sts.googleapis.com/v1/token",
        "audience":"//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q",
        "subject_token_env":"FAKE_SUBJECT","impersonation_cluster":"aigw-impersonation-wif",
        "impersonation_url":"https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken"}"#;
    let env = |v: &str| (v == "FAKE_SUBJECT").then(|| OsString::from("fake-oidc-subject-unit"));
    let f = UpstreamAuthFactory::with_env(config, env, false).unwrap();
    let (mut first, mut host, status) = start(&f);
    assert_eq!(status, HeadersStatus::StopIteration);
    let (mut second, mut second_host, _) = start(&f);
    let exchange = &host.callouts[0];
    assert_eq!(exchange.cluster, "aigw-token-wif");
    let form = String::from_utf8(exchange.body.clone()).unwrap();
    assert!(form.starts_with(
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&audience="
    ));
    assert!(form.contains("&subject_token=fake-oidc-subject-unit&"));
    let token = exchange.token;
    first.on_callout_done(&mut host, token, granted("fake-federated-1", 3600));
    assert_eq!(
        second_host.wakes.get(),
        0,
        "waiters wait for the second step"
    );
    let call = &host.callouts[1];
    assert_eq!(call.cluster, "aigw-impersonation-wif");
    let header = |n: &str| {
        call.headers
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(
        header("authorization").as_deref(),
        Some("Bearer fake-federated-1")
    );
    assert_eq!(
        header(":path").as_deref(),
        Some("/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken")
    );
    assert_eq!(
        call.body,
        br#"{"scope":["https://www.googleapis.com/auth/cloud-platform"]}"#
    );
    let token = call.token;
    let generated = Ok(CalloutResponse {
        status: 200,
        headers: vec![],
        body: br#"{"accessToken":"fake-sa-token-1","expireTime":"2023-11-14T23:13:20Z"}"#.to_vec(),
    });
    first.on_callout_done(&mut host, token, generated);
    assert_eq!(
        host.request_header("authorization").as_deref(),
        Some("Bearer fake-sa-token-1")
    );
    assert_eq!(host.request_continued, 1);
    assert_eq!(second_host.deliver_wakes(&mut second), 1);
    assert_eq!(
        second_host.request_header("authorization").as_deref(),
        Some("Bearer fake-sa-token-1")
    );
    assert!(second_host.callouts.is_empty());
}

#[test]
fn refused_impersonation_is_a_503_naming_the_status() {
    let config = r#"{"backend":"wif","kind":"gcp_workload_identity","token_cluster":"c",
        "token_url":"https://sts.googleapis.com/v1/token","audience":"//iam/x",
        "subject_token_env":"FAKE_SUBJECT","impersonation_cluster":"i",
        "impersonation_url":"https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/x:generateAccessToken"}"#;
    let env = |v: &str| (v == "FAKE_SUBJECT").then(|| OsString::from("fake-oidc-subject-unit"));
    let f = UpstreamAuthFactory::with_env(config, env, false).unwrap();
    let (mut first, mut host, _) = start(&f);
    let token = host.callouts[0].token;
    first.on_callout_done(&mut host, token, granted("fake-federated-2", 3600));
    let token = host.callouts[1].token;
    let denied = Ok(CalloutResponse {
        status: 403,
        headers: vec![],
        body: br#"{"error":{"code":403,"message":"denied","status":"PERMISSION_DENIED"}}"#.to_vec(),
    });
    first.on_callout_done(&mut host, token, denied);
    let reply = host.local_reply.as_ref().unwrap();
    assert_eq!(reply.status, 503);
    assert!(
        String::from_utf8_lossy(&reply.body)
            .contains("generateAccessToken answered 403 (PERMISSION_DENIED)")
    );
}
