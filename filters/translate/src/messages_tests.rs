use crate::test_support::{assert_length_fixed, filter, header, reply, respond};
use aigw_host::test_host::TestHost;
use aigw_host::{BodyStatus, HeadersStatus};
use serde_json::{Value, json};

const OPENAI: &str =
    r#"{"role":"backend","backend":"oai","schema":"OpenAI","path_prefix":"/openai/v1"}"#;
const AZURE: &str =
    r#"{"role":"backend","backend":"az","schema":"AzureOpenAI","azure_api_version":"2024-10-21"}"#;
const ANTHROPIC: &str = r#"{"role":"backend","backend":"claude","schema":"Anthropic"}"#;
const GEMINI: &str = r#"{"role":"backend","backend":"g","schema":"Gemini"}"#;
const MESSAGES: &str = r#"{"model":"claude-x","max_tokens":64,"system":"Be brief.","messages":[{"role":"user","content":"hi"}]}"#;

fn request(
    f: &mut crate::TranslateFilter,
    path: &str,
    body: &str,
    extra: &[(&str, &str)],
) -> (TestHost, HeadersStatus, Option<BodyStatus>) {
    let mut headers = vec![
        (":method", "POST"),
        (":path", path),
        ("x-ai-eg-model", "claude-x"),
    ];
    headers.extend_from_slice(extra);
    let mut h = TestHost::with_request_headers(&headers);
    let bytes = body.as_bytes();
    let (hs, bs) = h.run_request_chunks(f, &[&bytes[..7], &bytes[7..]]);
    (h, hs, bs)
}

#[test]
fn openai_backend_gets_a_chat_request() {
    let mut f = filter(OPENAI);
    let extra = [
        ("anthropic-version", "2023-06-01"),
        ("x-aigw-model-override", "gpt-4o-mini"),
    ];
    let (h, hs, bs) = request(&mut f, "/anthropic/v1/messages", MESSAGES, &extra);
    assert_eq!(
        (hs, bs),
        (HeadersStatus::StopIteration, Some(BodyStatus::Continue))
    );
    assert_eq!(
        header(&h.request_headers, ":path"),
        Some("/openai/v1/chat/completions")
    );
    assert_eq!(header(&h.request_headers, "anthropic-version"), None);
    assert_eq!(header(&h.request_headers, "x-aigw-model-override"), None);
    let body: Value = serde_json::from_slice(&h.request_body).unwrap();
    assert_eq!(
        body,
        json!({"model":"gpt-4o-mini","max_tokens":64,"messages":[
            {"role":"system","content":"Be brief."},{"role":"user","content":"hi"}]})
    );
}

#[test]
fn azure_backend_gets_the_deployment_path() {
    let mut f = filter(AZURE);
    let (h, _, bs) = request(&mut f, "/anthropic/v1/messages", MESSAGES, &[]);
    assert_eq!(bs, Some(BodyStatus::Continue));
    assert_eq!(
        header(&h.request_headers, ":path"),
        Some("/openai/deployments/claude-x/chat/completions?api-version=2024-10-21")
    );
}

#[test]
fn anthropic_backend_passes_through_with_the_override() {
    let mut f = filter(ANTHROPIC);
    let extra = [
        ("anthropic-version", "2023-01-01"),
        ("x-aigw-model-override", "claude-y"),
    ];
    let (h, hs, bs) = request(&mut f, "/anthropic/v1/messages?beta=true", MESSAGES, &extra);
    assert_eq!(
        (hs, bs),
        (HeadersStatus::StopIteration, Some(BodyStatus::Continue))
    );
    assert_eq!(
        header(&h.request_headers, ":path"),
        Some("/v1/messages?beta=true")
    );
    assert_eq!(
        header(&h.request_headers, "anthropic-version"),
        Some("2023-01-01")
    );
    let body: Value = serde_json::from_slice(&h.request_body).unwrap();
    assert_eq!(body["model"], "claude-y");
    assert_eq!(body["system"], "Be brief.");

    // Without an override nothing is buffered; the version is set when missing.
    let mut f = filter(ANTHROPIC);
    let (mut h, hs, bs) = request(&mut f, "/anthropic/v1/messages/count_tokens", MESSAGES, &[]);
    assert_eq!(
        (hs, bs),
        (HeadersStatus::Continue, Some(BodyStatus::Continue))
    );
    assert_eq!(
        header(&h.request_headers, ":path"),
        Some("/v1/messages/count_tokens")
    );
    assert_eq!(
        header(&h.request_headers, "anthropic-version"),
        Some("2023-06-01")
    );
    assert_eq!(h.request_body, MESSAGES.as_bytes());
    let out = h.run_response(&mut f, &[br#"{"input_tokens":5}"#]);
    assert_eq!(out, br#"{"input_tokens":5}"#);
}

#[test]
fn count_tokens_gets_anthropic_404s_off_the_anthropic_api() {
    for (config, path) in [
        (OPENAI, "/anthropic/v1/messages/count_tokens"),
        (AZURE, "/anthropic/v1/messages/count_tokens"),
        (GEMINI, "/anthropic/v1/messages/count_tokens"),
        (
            r#"{"role":"backend","backend":"co","schema":"Cohere"}"#,
            "/anthropic/v1/messages/count_tokens",
        ),
    ] {
        let mut f = filter(config);
        let (h, hs, _) = request(&mut f, path, MESSAGES, &[]);
        assert_eq!(hs, HeadersStatus::StopIteration);
        let (status, body) = reply(&h);
        assert_eq!(status, 404, "{config}");
        assert_eq!(body["type"], "error");
        assert_eq!(body["error"]["type"], "not_found_error");
    }
}

#[test]
fn untranslatable_request_is_an_anthropic_400() {
    let mut f = filter(OPENAI);
    let body = r#"{"model":"m","max_tokens":5,"tools":[{"name":"x"}],"messages":[{"role":"user","content":"a"}]}"#;
    let (h, _, bs) = request(&mut f, "/anthropic/v1/messages", body, &[]);
    assert_eq!(bs, Some(BodyStatus::StopNoBuffer));
    let (status, body) = reply(&h);
    assert_eq!(status, 400);
    assert_eq!(body["error"]["type"], "invalid_request_error");
}

#[test]
fn buffered_chat_completion_becomes_a_message() {
    let mut f = filter(OPENAI);
    let (mut h, _, _) = request(&mut f, "/anthropic/v1/messages", MESSAGES, &[]);
    respond(&mut h, "200", "application/json", &[]);
    let upstream = br#"{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hey"},"finish_reason":"stop"}],"usage":{"prompt_tokens":4,"completion_tokens":1,"total_tokens":5}}"#;
    let out = h.run_response(&mut f, &[&upstream[..30], &upstream[30..]]);
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["type"], "message");
    assert_eq!(v["content"], json!([{"type":"text","text":"Hey"}]));
    assert_eq!(v["stop_reason"], "end_turn");
    assert_eq!(v["usage"]["input_tokens"], 4);
    assert_length_fixed(&h, &out);
    assert_eq!(header(&h.response_headers, "x-aigw-backend"), Some("oai"));
}

#[test]
fn streamed_chunks_become_anthropic_events() {
    let mut f = filter(OPENAI);
    let body =
        r#"{"model":"m","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"a"}]}"#;
    let (mut h, _, _) = request(&mut f, "/anthropic/v1/messages", body, &[]);
    let sent: Value = serde_json::from_slice(&h.request_body).unwrap();
    assert_eq!(sent["stream_options"], json!({"include_usage": true}));
    respond(&mut h, "200", "text/event-stream", &[]);
    let upstream = concat!(
        "data: {\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Yo\"}}]}\n\n",
        "data: {\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
        "data: {\"id\":\"c1\",\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}\n\n",
        "data: [DONE]\n\n",
    )
    .as_bytes();
    let out = h.run_response(
        &mut f,
        &[&upstream[..40], &upstream[40..200], &upstream[200..]],
    );
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("event: message_start\n"), "{text}");
    assert!(
        text.contains(r#""delta":{"type":"text_delta","text":"Yo"}"#),
        "{text}"
    );
    assert!(text.contains(r#""input_tokens":3"#), "{text}");
    assert!(
        text.ends_with("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"),
        "{text}"
    );
}

#[test]
fn provider_error_keeps_status_in_anthropic_shape() {
    let mut f = filter(OPENAI);
    let (mut h, _, _) = request(&mut f, "/anthropic/v1/messages", MESSAGES, &[]);
    h.response_headers = vec![(":status".into(), "429".into())];
    let out = h.run_response(
        &mut f,
        &[br#"{"error":{"message":"Slow down","type":"x"}}"#],
    );
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        v,
        json!({"type":"error","error":{"type":"rate_limit_error","message":"Slow down"}})
    );
    assert_eq!(header(&h.response_headers, ":status"), Some("429"));
}
