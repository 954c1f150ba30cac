use crate::TranslateFactory;
use aigw_host::test_host::TestHost;
use aigw_host::{FilterFactory, HeadersStatus};

const CHAT: &str = r#"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#;
const OPENAI_OVERRIDE: &str = r#"{"role":"backend","backend":"a","schema":"OpenAI","path_prefix":"/openai/v1","model_override":"a-much-longer-model-name","retried":true}"#;
const OPENAI_PLAIN: &str =
    r#"{"role":"backend","backend":"c","schema":"OpenAI","path_prefix":"/c/v1","retried":true}"#;
const ANTHROPIC: &str = r#"{"role":"backend","backend":"b","schema":"Anthropic","model_override":"claude-x","retried":true}"#;
/// A backend of single-backend routes only: Envoy never retries it.
const OPENAI_NEVER_RETRIED: &str =
    r#"{"role":"backend","backend":"d","schema":"OpenAI","path_prefix":"/d/v1"}"#;

fn header<'a>(h: &'a TestHost, name: &str) -> Option<&'a str> {
    h.request_headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Runs one attempt through a fresh filter of `config`; the host carries what earlier
/// attempts left in the shared header map and filter state, and the client's body.
fn attempt(config: &str, host: &mut TestHost, backend: &str) {
    let mut f = TestHost::factory::<TranslateFactory>(config)
        .unwrap()
        .0
        .create_filter();
    host.request_headers
        .retain(|(k, _)| k != "x-aigw-attempt-backend");
    host.request_headers
        .push(("x-aigw-attempt-backend".into(), backend.into()));
    host.local_reply = None;
    host.run_request(&mut f, CHAT.as_bytes());
}

fn client() -> TestHost {
    TestHost::with_request_headers(&[
        (":method", "POST"),
        (":path", "/v1/chat/completions"),
        (":authority", "gateway.local"),
        ("content-type", "application/json"),
        ("content-length", &CHAT.len().to_string()),
        ("x-envoy-expected-rq-timeout-ms", "5000"),
    ])
}

#[test]
fn retry_after_a_rewritten_body_starts_from_the_client_request() {
    let mut h = client();
    attempt(OPENAI_OVERRIDE, &mut h, "a");
    assert_eq!(header(&h, ":path"), Some("/openai/v1/chat/completions"));
    let first_len: usize = header(&h, "content-length").unwrap().parse().unwrap();
    assert_eq!(first_len, h.request_body.len());
    assert!(first_len > CHAT.len());
    assert_eq!(header(&h, "x-aigw-attempt-backend"), Some("a"));

    // Envoy resends the client's body with the header map attempt one left behind.
    h.request_headers
        .push(("authorization".into(), "Bearer fake-a".into()));
    attempt(OPENAI_PLAIN, &mut h, "c");
    assert_eq!(header(&h, ":path"), Some("/c/v1/chat/completions"));
    assert_eq!(h.request_body, CHAT.as_bytes());
    assert_eq!(header(&h, "content-length"), Some(&*CHAT.len().to_string()));
    assert_eq!(header(&h, "authorization"), None);
    assert_eq!(header(&h, "x-envoy-expected-rq-timeout-ms"), Some("5000"));
    assert_eq!(header(&h, "x-aigw-attempt-backend"), Some("c"));
}

#[test]
fn fallback_to_another_schema_translates_the_client_request() {
    let mut h = client();
    attempt(OPENAI_OVERRIDE, &mut h, "a");
    attempt(ANTHROPIC, &mut h, "b");
    assert_eq!(header(&h, ":path"), Some("/v1/messages"));
    assert_eq!(header(&h, "anthropic-version"), Some("2023-06-01"));
    let body: serde_json::Value = serde_json::from_slice(&h.request_body).unwrap();
    assert_eq!(body["model"], "claude-x");
    assert_eq!(
        header(&h, "content-length"),
        Some(&*h.request_body.len().to_string())
    );

    // A third attempt back on an OpenAI backend loses the Anthropic header again.
    attempt(OPENAI_PLAIN, &mut h, "c");
    assert_eq!(header(&h, ":path"), Some("/c/v1/chat/completions"));
    assert_eq!(header(&h, "anthropic-version"), None);
    assert_eq!(h.request_body, CHAT.as_bytes());
}

#[test]
fn first_attempt_keeps_the_client_headers_once() {
    let mut h = client();
    let mut f = TestHost::factory::<TranslateFactory>(OPENAI_PLAIN)
        .unwrap()
        .0
        .create_filter();
    assert_eq!(
        aigw_host::Filter::on_request_headers(&mut f, &mut h, false),
        HeadersStatus::Continue
    );
    let saved: Vec<(String, String)> =
        serde_json::from_slice(&h.filter_state[super::CLIENT_HEADERS_KEY]).unwrap();
    let names: Vec<&str> = saved.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [":path", ":authority", "content-type", "content-length"]
    );
}

#[test]
fn a_backend_envoy_never_retries_saves_nothing() {
    let mut h = client();
    let mut f = TestHost::factory::<TranslateFactory>(OPENAI_NEVER_RETRIED)
        .unwrap()
        .0
        .create_filter();
    assert_eq!(
        aigw_host::Filter::on_request_headers(&mut f, &mut h, false),
        HeadersStatus::Continue
    );
    assert!(!h.filter_state.contains_key(super::CLIENT_HEADERS_KEY));
    assert_eq!(header(&h, ":path"), Some("/d/v1/chat/completions"));
}
