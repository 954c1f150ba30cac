use crate::TranslateFactory;
use aigw_host::test_host::TestHost;
use aigw_host::{BodyStatus, Filter, FilterFactory, HeadersStatus};

const CHAT: &str = r#"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"#;

fn factory(config: &str) -> TranslateFactory {
    TestHost::factory::<TranslateFactory>(config).unwrap().0
}

fn host(method: &str, path: &str) -> TestHost {
    TestHost::with_request_headers(&[(":method", method), (":path", path)])
}

fn error_of(host: &TestHost) -> (u16, serde_json::Value) {
    let reply = host.local_reply.as_ref().expect("a local reply");
    assert_eq!(
        reply.headers,
        vec![("content-type".to_string(), "application/json".to_string())]
    );
    (reply.status, serde_json::from_slice(&reply.body).unwrap())
}

#[test]
fn sets_model_header_and_reroutes() {
    let mut filter = factory(r#"{"role":"router"}"#).create_filter();
    let mut h = host("POST", "/v1/chat/completions");
    let (hs, bs) = h.run_request(&mut filter, CHAT.as_bytes());
    assert_eq!(hs, HeadersStatus::StopIteration);
    assert_eq!(bs, Some(BodyStatus::Continue));
    assert_eq!(h.request_header_value("x-ai-eg-model"), Some("gpt-4o-mini"));
    assert_eq!(h.route_cache_cleared, 1);
    assert_eq!(h.request_body, CHAT.as_bytes());
    assert!(h.local_reply.is_none());
}

#[test]
fn reservation_header_only_when_configured_and_replaces_the_clients() {
    let body = r#"{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":20}"#;
    let mut filter = factory(r#"{"role":"router"}"#).create_filter();
    let mut h = host("POST", "/v1/chat/completions");
    h.run_request(&mut filter, body.as_bytes());
    assert!(h.request_header_value("x-aigw-reserved-tokens").is_none());

    let mut filter = factory(r#"{"role":"router","reserve_tokens":true}"#).create_filter();
    let mut h = host("POST", "/v1/chat/completions");
    h.request_headers
        .push(("x-aigw-reserved-tokens".into(), "1".into()));
    h.run_request(&mut filter, body.as_bytes());
    // o200k_base: "hi" and "user" 1 token each, 3 per message, 3 to prime the reply; plus
    // max_tokens.
    assert_eq!(h.request_header_value("x-aigw-reserved-tokens"), Some("28"));

    let config = r#"{"role":"router","reserve_tokens":true,"default_output_tokens":1000}"#;
    let mut filter = factory(config).create_filter();
    let mut h = host("POST", "/v1/chat/completions");
    let uncapped = r#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#;
    h.run_request(&mut filter, uncapped.as_bytes());
    assert_eq!(
        h.request_header_value("x-aigw-reserved-tokens"),
        Some("1008")
    );
}

#[test]
fn anthropic_messages_are_reserved_and_a_clients_reservation_never_passes() {
    let config = r#"{"role":"router","reserve_tokens":true}"#;
    let body = r#"{"model":"claude-x","max_tokens":7,"messages":[{"role":"user","content":"hi"}]}"#;
    let mut filter = factory(config).create_filter();
    let mut h = host("POST", "/anthropic/v1/messages");
    h.request_headers
        .push(("x-aigw-reserved-tokens".into(), "0".into()));
    h.run_request(&mut filter, body.as_bytes());
    // "hi" and "user" 1 token each, 3 per message, 3 to prime the reply, plus max_tokens.
    assert_eq!(h.request_header_value("x-aigw-reserved-tokens"), Some("15"));
    // count_tokens generates nothing: no reservation, and the client's is gone.
    let mut filter = factory(config).create_filter();
    let mut h = host("POST", "/anthropic/v1/messages/count_tokens");
    h.request_headers
        .push(("x-aigw-reserved-tokens".into(), "0".into()));
    h.run_request(&mut filter, body.as_bytes());
    assert!(h.request_header_value("x-aigw-reserved-tokens").is_none());
}

#[test]
fn responses_requests_are_reserved_and_other_passthroughs_are_not() {
    let config = r#"{"role":"router","reserve_tokens":true,"default_output_tokens":100}"#;
    let mut filter = factory(config).create_filter();
    let mut h = host("POST", "/v1/responses");
    h.request_headers
        .push(("x-aigw-reserved-tokens".into(), "0".into()));
    let body = r#"{"model":"gpt-4.1","instructions":"hi","input":"hi","max_output_tokens":20}"#;
    h.run_request(&mut filter, body.as_bytes());
    // 3 to prime the reply; instructions and input 3 + 1 each; plus max_output_tokens.
    assert_eq!(h.request_header_value("x-aigw-reserved-tokens"), Some("31"));
    assert_eq!(h.request_body, body.as_bytes());

    let mut filter = factory(config).create_filter();
    let mut h = host("POST", "/v1/responses");
    h.run_request(&mut filter, br#"{"model":"gpt-4.1","input":"hi"}"#);
    assert_eq!(
        h.request_header_value("x-aigw-reserved-tokens"),
        Some("107")
    );

    let mut filter = factory(r#"{"role":"router"}"#).create_filter();
    let mut h = host("POST", "/v1/responses");
    h.run_request(&mut filter, body.as_bytes());
    assert!(h.request_header_value("x-aigw-reserved-tokens").is_none());

    let mut filter = factory(config).create_filter();
    let mut h = host("POST", "/v1/images/generations");
    h.request_headers
        .push(("x-aigw-reserved-tokens".into(), "0".into()));
    h.run_request(&mut filter, br#"{"model":"gpt-image-1","prompt":"a cat"}"#);
    assert!(h.request_header_value("x-aigw-reserved-tokens").is_none());
}

#[test]
fn api_key_id_replaces_the_clients_and_only_when_configured() {
    let mut filter = factory(r#"{"role":"router","api_key_id":true}"#).create_filter();
    let mut h = host("POST", "/v1/chat/completions");
    h.request_headers
        .push(("authorization".into(), "Bearer sk-test-a".into()));
    h.request_headers
        .push(("x-aigw-api-key-id".into(), "someone-else".into()));
    h.run_request(&mut filter, CHAT.as_bytes());
    assert_eq!(
        h.request_header_value("x-aigw-api-key-id"),
        Some(aigw_core::api_key_id::api_key_id("sk-test-a").as_str())
    );

    let mut filter = factory(r#"{"role":"router"}"#).create_filter();
    let mut h = host("POST", "/v1/chat/completions");
    h.request_headers
        .push(("x-aigw-api-key-id".into(), "someone-else".into()));
    h.run_request(&mut filter, CHAT.as_bytes());
    assert!(h.request_header_value("x-aigw-api-key-id").is_none());
}

#[test]
fn drops_client_supplied_model_override() {
    let mut filter = factory(r#"{"role":"router"}"#).create_filter();
    let mut h = host("POST", "/v1/chat/completions");
    h.request_headers
        .push(("x-aigw-model-override".into(), "expensive-model".into()));
    h.run_request(&mut filter, CHAT.as_bytes());
    assert!(h.request_header_value("x-aigw-model-override").is_none());
}

#[test]
fn buffers_chunks_until_end_of_stream() {
    let mut filter = factory(r#"{"role":"router"}"#).create_filter();
    let mut h = host("POST", "/v1/embeddings");
    let (_, bs) = h.run_request_chunks(
        &mut filter,
        &[br#"{"model":"text-"#, br#"embedding-3-small","input":"a"}"#],
    );
    assert_eq!(bs, Some(BodyStatus::Continue));
    assert_eq!(
        h.request_header_value("x-ai-eg-model"),
        Some("text-embedding-3-small")
    );
}

#[test]
fn other_paths_and_methods_pass_through() {
    let f = factory(r#"{"role":"router"}"#);
    for (method, path) in [
        ("POST", "/v1/files"),
        ("GET", "/v1/chat/completions"),
        ("POST", "/healthz"),
    ] {
        let mut filter = f.create_filter();
        let mut h = host(method, path);
        let (hs, bs) = h.run_request(&mut filter, b"not json");
        assert_eq!(hs, HeadersStatus::Continue);
        assert_eq!(bs, Some(BodyStatus::Continue));
        assert!(h.local_reply.is_none());
        assert_eq!(h.request_body, b"not json");
        assert_eq!(h.route_cache_cleared, 0);
    }
}

#[test]
fn missing_body_is_400() {
    let mut filter = factory(r#"{"role":"router"}"#).create_filter();
    let mut h = host("POST", "/v1/completions");
    let (hs, _) = h.run_request(&mut filter, b"");
    assert_eq!(hs, HeadersStatus::StopIteration);
    let (status, v) = error_of(&h);
    assert_eq!(status, 400);
    assert_eq!(
        v["error"]["message"],
        "The request body is empty; expected a JSON object."
    );
    assert_eq!(v["error"]["type"], "invalid_request_error");
}

#[test]
fn invalid_bodies_are_400_naming_the_param() {
    let cases: [(&str, &str, serde_json::Value); 7] = [
        (
            "/v1/chat/completions",
            "{\"model\":",
            serde_json::Value::Null,
        ),
        ("/v1/chat/completions", "[]", serde_json::Value::Null),
        (
            "/v1/chat/completions",
            r#"{"messages":[{}]}"#,
            "model".into(),
        ),
        (
            "/v1/chat/completions",
            r#"{"model":"m","messages":[]}"#,
            "messages".into(),
        ),
        ("/v1/completions", r#"{"model":"m"}"#, "prompt".into()),
        ("/v1/embeddings", r#"{"model":"m"}"#, "input".into()),
        (
            "/v1/chat/completions",
            r#"{"model":"m","messages":[{}],"stream":1}"#,
            "stream".into(),
        ),
    ];
    let f = factory(r#"{"role":"router"}"#);
    for (path, body, param) in cases {
        let mut filter = f.create_filter();
        let mut h = host("POST", path);
        let (_, bs) = h.run_request(&mut filter, body.as_bytes());
        assert_eq!(bs, Some(BodyStatus::StopNoBuffer), "{body}");
        let (status, v) = error_of(&h);
        assert_eq!(status, 400, "{body}");
        assert_eq!(v["error"]["param"], param, "{body}");
        assert_eq!(v["error"]["code"], serde_json::Value::Null);
        assert!(h.request_header_value("x-ai-eg-model").is_none());
    }
}

#[test]
fn malformed_json_reports_position() {
    let mut filter = factory(r#"{"role":"router"}"#).create_filter();
    let mut h = host("POST", "/v1/chat/completions");
    h.run_request(&mut filter, b"{\"model\":\"m\",\n\"messages\":[}");
    let (_, v) = error_of(&h);
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains("at line 2 column 13"), "{message}");
}

#[test]
fn declared_oversize_body_is_413_before_buffering() {
    let mut filter = factory(r#"{"role":"router","max_request_bytes":16}"#).create_filter();
    let mut h = host("POST", "/v1/chat/completions");
    h.request_headers
        .push(("content-length".into(), "17".into()));
    let (hs, bs) = h.run_request(&mut filter, CHAT.as_bytes());
    assert_eq!(hs, HeadersStatus::StopIteration);
    assert_eq!(bs, None);
    let (status, v) = error_of(&h);
    assert_eq!(status, 413);
    assert_eq!(v["error"]["type"], "invalid_request_error");
}

#[test]
fn undeclared_oversize_body_is_413_at_end_of_stream() {
    let mut filter = factory(r#"{"role":"router","max_request_bytes":16}"#).create_filter();
    let mut h = host("POST", "/v1/chat/completions");
    let (_, bs) = h.run_request_chunks(
        &mut filter,
        &[&CHAT.as_bytes()[..10], &CHAT.as_bytes()[10..]],
    );
    assert_eq!(bs, Some(BodyStatus::StopNoBuffer));
    assert_eq!(error_of(&h).0, 413);
}

#[test]
fn too_many_messages_or_tools_is_400_naming_the_param() {
    let mut filter = factory(r#"{"role":"router","max_messages":1,"max_tools":0}"#).create_filter();
    let two =
        r#"{"model":"m","messages":[{"role":"user","content":"a"},{"role":"user","content":"b"}]}"#;
    let mut h = host("POST", "/v1/chat/completions");
    h.run_request_chunks(&mut filter, &[two.as_bytes()]);
    let (status, body) = error_of(&h);
    assert_eq!(
        (status, body["error"]["param"].as_str()),
        (400, Some("messages"))
    );
    let tool = r#"{"model":"m","messages":[{"role":"user","content":"a"}],"tools":[{"type":"function","function":{"name":"f"}}]}"#;
    let mut filter = factory(r#"{"role":"router","max_tools":0}"#).create_filter();
    let mut h = host("POST", "/v1/chat/completions");
    h.run_request_chunks(&mut filter, &[tool.as_bytes()]);
    let (status, body) = error_of(&h);
    assert_eq!(
        (status, body["error"]["param"].as_str()),
        (400, Some("tools"))
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("maximum length 0"),
        "{body}"
    );
}

#[test]
fn forces_include_usage_on_streams_and_fixes_length() {
    let mut filter = factory(r#"{"role":"router","force_include_usage":true}"#).create_filter();
    let mut h = host("POST", "/v1/chat/completions");
    h.request_headers
        .push(("content-length".into(), "999".into()));
    let body = r#"{"model":"m","messages":[{"role":"user","content":"x"}],"stream":true}"#;
    h.run_request(&mut filter, body.as_bytes());
    let sent = h.request_body.clone();
    assert_eq!(
        String::from_utf8(sent.clone()).unwrap(),
        r#"{"model":"m","messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_usage":true}}"#
    );
    assert_eq!(
        h.request_header_value("content-length"),
        Some(sent.len().to_string().as_str())
    );
}

#[test]
fn leaves_body_alone_without_force_or_stream() {
    let body = r#"{"model":"m","messages":[{}],"stream":true}"#;
    for (config, body) in [
        (r#"{"role":"router"}"#, body),
        (r#"{"role":"router","force_include_usage":true}"#, CHAT),
    ] {
        let mut filter = factory(config).create_filter();
        let mut h = host("POST", "/v1/chat/completions");
        h.run_request(&mut filter, body.as_bytes());
        assert_eq!(h.request_body, body.as_bytes());
        assert!(h.request_header_value("content-length").is_none());
    }
}

/// Test helper: a request header's value as `&str`.
trait HeaderValue {
    fn request_header_value(&self, name: &str) -> Option<&str>;
}

impl HeaderValue for TestHost {
    fn request_header_value(&self, name: &str) -> Option<&str> {
        self.request_headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

const MODELS_CONFIG: &str = r#"{"role":"router","models_created":1735689600,"models":[{"id":"gpt-4o","owned_by":"openai"},{"id":"demo","owned_by":"local"}]}"#;

#[test]
fn get_models_lists_the_configured_models() {
    let mut filter = factory(MODELS_CONFIG).create_filter();
    let mut h = host("GET", "/v1/models?limit=5");
    let (hs, _) = h.run_request(&mut filter, b"");
    assert_eq!(hs, HeadersStatus::StopIteration);
    let (status, body) = error_of(&h);
    assert_eq!(status, 200);
    assert_eq!(
        body,
        serde_json::json!({"object": "list", "data": [
            {"id": "gpt-4o", "object": "model", "created": 1735689600, "owned_by": "openai"},
            {"id": "demo", "object": "model", "created": 1735689600, "owned_by": "local"},
        ]})
    );
}

#[test]
fn other_methods_on_models_get_405() {
    let mut filter = factory(MODELS_CONFIG).create_filter();
    let mut h = host("POST", "/v1/models");
    h.run_request(&mut filter, b"{}");
    let reply = h.local_reply.as_ref().expect("a local reply");
    assert_eq!(reply.status, 405);
    assert!(
        reply
            .headers
            .contains(&("allow".to_string(), "GET".to_string()))
    );
    let body: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(
        body["error"]["message"],
        "Method POST is not allowed on /v1/models; use GET."
    );
    assert_eq!(body["error"]["type"], "invalid_request_error");
}

#[test]
fn models_without_config_is_an_empty_list() {
    let mut filter = factory(r#"{"role":"router"}"#).create_filter();
    let mut h = host("GET", "/v1/models");
    h.run_request(&mut filter, b"");
    let (status, body) = error_of(&h);
    assert_eq!(status, 200);
    assert_eq!(body, serde_json::json!({"object": "list", "data": []}));
}

#[test]
fn anthropic_messages_set_the_model_header() {
    let mut filter = factory(r#"{"role":"router"}"#).create_filter();
    let body =
        br#"{"model":"claude-x","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}"#;
    for path in [
        "/anthropic/v1/messages?beta=true",
        "/anthropic/v1/messages/count_tokens",
    ] {
        let mut h = host("POST", path);
        h.request_headers
            .push(("x-aigw-model-override".into(), "expensive-model".into()));
        let (hs, bs) = h.run_request(&mut filter, body);
        assert_eq!(
            (hs, bs),
            (HeadersStatus::StopIteration, Some(BodyStatus::Continue))
        );
        assert_eq!(h.request_header_value("x-ai-eg-model"), Some("claude-x"));
        assert!(h.request_header_value("x-aigw-model-override").is_none());
        assert_eq!(h.route_cache_cleared, 1);
        assert!(h.local_reply.is_none());
    }
}

#[test]
fn anthropic_errors_use_anthropic_schema() {
    let config = r#"{"role":"router","max_request_bytes":64}"#;
    let cases: [(&[u8], u16, &str); 3] = [
        (b"{not json", 400, "invalid_request_error"),
        (
            br#"{"model":"m","messages":[{"role":"user","content":"x"}]}"#,
            400,
            "invalid_request_error",
        ),
        (&[b' '; 100], 413, "request_too_large"),
    ];
    for (body, status, kind) in cases {
        let mut filter = factory(config).create_filter();
        let mut h = host("POST", "/anthropic/v1/messages");
        h.run_request(&mut filter, body);
        let (got, v) = error_of(&h);
        assert_eq!(
            (got, v["type"].as_str(), v["error"]["type"].as_str()),
            (status, Some("error"), Some(kind))
        );
    }
    // A declared length over the limit is refused before the body arrives.
    let mut filter = factory(config).create_filter();
    let mut h = host("POST", "/anthropic/v1/messages");
    h.request_headers
        .push(("content-length".into(), "1000".into()));
    let hs = filter.on_request_headers(&mut h, false);
    assert_eq!(hs, HeadersStatus::StopIteration);
    assert_eq!(error_of(&h).1["error"]["type"], "request_too_large");
    // Other methods pass.
    let mut filter = factory(config).create_filter();
    let mut h = host("GET", "/anthropic/v1/messages");
    assert_eq!(
        filter.on_request_headers(&mut h, true),
        HeadersStatus::Continue
    );
}
