//! Authorization with the issuer's keys fetched from `jwks_uri`: the first requests wait
//! for one fetch per worker, then go on as with inline keys.

use crate::filter::{McpRouterFactory, McpRouterFilter};
use crate::test_support::*;
use aigw_host::test_host::{TestHost, TestRegistry, complete_callout};
use aigw_host::{
    BodyStatus, CalloutResponse, CalloutResult, FilterFactory, HeadersStatus, LogLevel,
};
use aigw_test_keys::{RSA_KID, TestKey, jwks, rsa_other_key, rsa_test_key};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const RESOURCE: &str = "https://gw.test.example/mcp";
const ISSUER: &str = "https://auth.test.example";
const ROTATED_KID: &str = "test-rsa-2";

fn factory() -> McpRouterFactory {
    let mut config: Value = serde_json::from_str(CONFIG).unwrap();
    config["authorization"] = json!({
        "resource": RESOURCE, "issuer": ISSUER,
        "jwks_uri": "https://auth.test.example/.well-known/jwks.json",
        "jwks_cluster": "aigw-mcp-jwks",
        "rules": [{"name": "all", "allow": "true"}],
    });
    McpRouterFactory::with_env(&config.to_string(), env, &mut TestRegistry::default()).unwrap()
}

fn token(key: &TestKey, kid: &str, iss: &str) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = json!({"iss": iss, "aud": RESOURCE, "sub": "alice", "exp": now + 300});
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.into());
    let pem = key.private_pem.as_bytes();
    encode(&header, &claims, &EncodingKey::from_rsa_pem(pem).unwrap()).unwrap()
}

fn good() -> String {
    token(rsa_test_key(), RSA_KID, ISSUER)
}

/// A `tools/call` to the weather server carrying `token`, at `secs` after the host's epoch.
fn call(token: &str, secs: u64) -> TestHost {
    let session = session();
    let mut host = post(Some(&session));
    host.request_headers
        .push(("authorization".into(), format!("Bearer {token}")));
    host.time += Duration::from_secs(secs);
    host
}

const CALL: &str =
    r#"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"weather__forecast"}}"#;

fn keys(set: Value) -> CalloutResult {
    Ok(CalloutResponse {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: set.to_string().into_bytes(),
    })
}

/// The test JWKS plus the public half of [`rsa_other_key`] as [`ROTATED_KID`].
fn rotated() -> Value {
    let mut set = jwks();
    let mut key = rsa_other_key().public_jwk.clone();
    key["kid"] = json!(ROTATED_KID);
    key["alg"] = json!("RS256");
    set["keys"].as_array_mut().unwrap().push(key);
    set
}

/// Runs a whole call; returns the filter and whether it waits for the keys.
fn start(f: &McpRouterFactory, host: &mut TestHost) -> (McpRouterFilter, bool) {
    let mut filter = f.create_filter();
    let (hs, body) = host.run_request(&mut filter, CALL.as_bytes());
    let held = hs == HeadersStatus::StopIteration
        && body == Some(BodyStatus::StopAndBuffer)
        && host.local_reply.is_none();
    (filter, held)
}

/// Fetches the keys once with a first request; returns its host.
fn warm(f: &McpRouterFactory) -> TestHost {
    let mut host = call(&good(), 0);
    let (mut filter, _) = start(f, &mut host);
    complete_callout(&mut host, &mut filter, 1, keys(jwks()));
    assert_eq!(forwarded_to(&host), Some("weather"));
    host
}

#[test]
fn the_first_requests_wait_for_one_fetch_then_go_on() {
    let f = factory();
    let mut first = call(&good(), 0);
    let (mut a, held) = start(&f, &mut first);
    assert!(held, "the request waits for the keys");
    assert_eq!(first.callouts.len(), 1);
    let fetch = &first.callouts[0];
    assert_eq!(fetch.cluster, "aigw-mcp-jwks");
    assert_eq!(header(&fetch.headers, ":method"), Some("GET"));
    assert_eq!(
        header(&fetch.headers, ":path"),
        Some("/.well-known/jwks.json")
    );
    assert_eq!(
        header(&fetch.headers, ":authority"),
        Some("auth.test.example")
    );

    let mut second = call(&good(), 0);
    let (mut b, held) = start(&f, &mut second);
    assert!(held && second.callouts.is_empty(), "one fetch per worker");

    complete_callout(&mut first, &mut a, 1, keys(jwks()));
    // The body that arrived meanwhile is processed: the call is forwarded.
    assert_eq!(forwarded_to(&first), Some("weather"));
    assert_eq!(first.request_continued, 1);
    assert_eq!(second.deliver_wakes(&mut b), 1);
    assert_eq!(forwarded_to(&second), Some("weather"));
    assert_eq!(second.request_continued, 1);

    let mut third = call(&good(), 10);
    let (_, held) = start(&f, &mut third);
    assert!(
        !held && third.callouts.is_empty(),
        "cached keys serve at once"
    );
    assert_eq!(forwarded_to(&third), Some("weather"));
}

#[test]
fn a_body_arriving_after_the_keys_is_read_as_usual() {
    use aigw_host::Filter;
    let f = factory();
    let mut host = call(&good(), 0);
    let mut filter = f.create_filter();
    assert_eq!(
        filter.on_request_headers(&mut host, false),
        HeadersStatus::StopIteration
    );
    complete_callout(&mut host, &mut filter, 1, keys(jwks()));
    assert_eq!(host.request_continued, 0, "the body is still to come");
    host.request_body = CALL.as_bytes().to_vec();
    assert_eq!(
        filter.on_request_body(&mut host, true),
        BodyStatus::Continue
    );
    assert_eq!(forwarded_to(&host), Some("weather"));
}

#[test]
fn bad_tokens_are_challenged_with_fetched_keys() {
    let f = factory();
    warm(&f);
    for bad in [
        token(rsa_other_key(), RSA_KID, ISSUER),
        token(rsa_test_key(), RSA_KID, "https://evil.example"),
    ] {
        let mut host = call(&bad, 5);
        start(&f, &mut host);
        let reply = host.local_reply.as_ref().expect("a 401");
        assert_eq!(reply.status, 401);
        assert!(header(&reply.headers, "www-authenticate").is_some());
        assert!(host.callouts.is_empty());
    }
}

#[test]
fn a_failed_fetch_answers_503_to_every_waiter_and_a_later_request_retries() {
    let f = factory();
    let mut first = call(&good(), 0);
    let (mut a, _) = start(&f, &mut first);
    let mut second = call(&good(), 0);
    let (mut b, _) = start(&f, &mut second);
    complete_callout(&mut first, &mut a, 1, Err("connection refused".into()));
    second.deliver_wakes(&mut b);
    for host in [&first, &second] {
        let (status, body) = reply_json(host);
        assert_eq!(status, 503);
        assert_eq!(body["error"], "temporarily_unavailable");
        assert!(!body.to_string().contains("auth.test.example"), "{body}");
    }
    let warnings = |host: &TestHost| {
        host.logs
            .borrow()
            .iter()
            .filter(|(level, _)| *level == LogLevel::Warn)
            .map(|(_, line)| line.clone())
            .collect::<Vec<_>>()
    };
    let logged = warnings(&first);
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert!(logged[0].contains("connection refused"), "{logged:?}");
    assert!(!logged[0].contains(&good()));
    assert!(warnings(&second).is_empty(), "the cause is logged once");

    let mut later = call(&good(), 1);
    let (mut c, held) = start(&f, &mut later);
    assert!(
        held && later.callouts.len() == 1,
        "a later request fetches again"
    );
    let not_jwks = Ok(CalloutResponse {
        status: 200,
        headers: Vec::new(),
        body: b"<html>".to_vec(),
    });
    complete_callout(&mut later, &mut c, 1, not_jwks);
    assert_eq!(reply_json(&later).0, 503);
}

#[test]
fn an_unknown_kid_refetches_once_then_is_refused_for_a_while() {
    let f = factory();
    warm(&f);
    let rotated_token = token(rsa_other_key(), ROTATED_KID, ISSUER);
    let mut host = call(&rotated_token, 1);
    let (mut filter, held) = start(&f, &mut host);
    assert!(held && host.callouts.len() == 1, "an unknown kid refetches");
    complete_callout(&mut host, &mut filter, 1, keys(rotated()));
    assert_eq!(forwarded_to(&host), Some("weather"));

    let stranger = token(rsa_other_key(), "never-published", ISSUER);
    let mut host = call(&stranger, 10);
    start(&f, &mut host);
    assert_eq!(host.local_reply.as_ref().map(|r| r.status), Some(401));
    assert!(host.callouts.is_empty(), "at most one refetch per 30 s");
    let mut host = call(&stranger, 31);
    let (mut filter, held) = start(&f, &mut host);
    assert!(held && host.callouts.len() == 1);
    complete_callout(&mut host, &mut filter, 1, keys(rotated()));
    assert_eq!(host.local_reply.as_ref().map(|r| r.status), Some(401));
}

#[test]
fn keys_are_refreshed_after_the_cache_duration_and_kept_when_that_fails() {
    let f = factory();
    warm(&f);
    let mut host = call(&good(), 601);
    let (mut filter, held) = start(&f, &mut host);
    assert!(!held, "the cached keys serve while they are refreshed");
    assert_eq!(forwarded_to(&host), Some("weather"));
    assert_eq!(host.callouts.len(), 1, "a refresh is fetched");
    complete_callout(&mut host, &mut filter, 1, Err("timeout".into()));
    let mut later = call(&good(), 602);
    let (_, held) = start(&f, &mut later);
    assert!(
        !held && later.callouts.is_empty(),
        "stale keys keep serving"
    );
    assert_eq!(forwarded_to(&later), Some("weather"));
}

#[test]
fn a_fetching_stream_that_ends_hands_the_fetch_to_a_waiter() {
    use aigw_host::Filter;
    let f = factory();
    let mut first = call(&good(), 0);
    let (mut a, _) = start(&f, &mut first);
    let mut second = call(&good(), 0);
    let (mut b, _) = start(&f, &mut second);
    a.on_stream_complete(&mut first);
    second.deliver_wakes(&mut b);
    assert_eq!(second.callouts.len(), 1, "the waiter fetches");
    complete_callout(&mut second, &mut b, 1, keys(jwks()));
    assert_eq!(forwarded_to(&second), Some("weather"));
}

#[test]
fn requests_without_a_token_are_challenged_without_fetching() {
    let f = factory();
    let mut host = post(None);
    start(&f, &mut host);
    assert_eq!(host.local_reply.as_ref().map(|r| r.status), Some(401));
    assert!(host.callouts.is_empty());
}

#[test]
fn the_key_source_is_checked_at_load() {
    let base: Value = serde_json::from_str(CONFIG).unwrap();
    let with = |authz: Value| {
        let mut config = base.clone();
        config["authorization"] = authz;
        config["authorization"]["resource"] = json!(RESOURCE);
        config["authorization"]["issuer"] = json!(ISSUER);
        config["authorization"]["rules"] = json!([{"name": "all", "allow": "true"}]);
        McpRouterFactory::with_env(&config.to_string(), env, &mut TestRegistry::default())
            .unwrap_err()
    };
    let uri = "https://auth.test.example/jwks";
    for (authz, want) in [
        (
            json!({"jwks": jwks(), "jwks_uri": uri, "jwks_cluster": "c"}),
            "authorization.jwks_uri: give jwks or jwks_uri, not both",
        ),
        (json!({}), "authorization.jwks: give the issuer's keys"),
        (
            json!({"jwks_uri": uri}),
            "authorization.jwks_cluster: required with jwks_uri",
        ),
        (
            json!({"jwks_uri": "ftp://x/y", "jwks_cluster": "c"}),
            "authorization.jwks_uri:",
        ),
        (
            json!({"jwks_uri": uri, "jwks_cluster": "c", "jwks_cache_seconds": 0}),
            "authorization.jwks_cache_seconds: 0 must be between 1 and 86400",
        ),
    ] {
        let err = with(authz);
        assert!(err.contains(want), "{err}");
    }
}
