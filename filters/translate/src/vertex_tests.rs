//! The backend role for the Vertex AI schemas (`GCPVertexAI`, `GCPAnthropic`).

use crate::test_support::{
    assert_embeddings_refused, cut, filter, forwarded, forwarded_messages_stream, header,
    json_answer, request, respond,
};
use aigw_host::{BodyStatus, HeadersStatus};
use serde_json::{Value, json};

const PREFIX: &str = "/v1/projects/my-proj/locations/us-east5";
const GEMINI: &str = r#"{"role":"backend","backend":"vx","schema":"GCPVertexAI","path_prefix":"/v1/projects/my-proj/locations/us-east5"}"#;
const CLAUDE: &str = r#"{"role":"backend","backend":"vc","schema":"GCPAnthropic","path_prefix":"/v1/projects/my-proj/locations/us-east5"}"#;
const CHAT: &str = r#"{"model":"m-1","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi there"}]}"#;

#[test]
fn gemini_chat_goes_to_the_publisher_model_path() {
    let mut f = filter(GEMINI);
    let h = forwarded(
        &mut f,
        "/v1/chat/completions",
        CHAT,
        &[("x-aigw-model-override", "gemini-2.5-flash")],
    );
    assert_eq!(
        header(&h.request_headers, ":path").unwrap(),
        format!("{PREFIX}/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse")
    );
    let body: Value = serde_json::from_slice(&h.request_body).unwrap();
    assert_eq!(
        body,
        json!({"contents":[{"role":"user","parts":[{"text":"hi there"}]}]})
    );
}

#[test]
fn gemini_embeddings_use_predict_and_report_tokens() {
    let mut f = filter(GEMINI);
    let (mut h, _, bs) = request(
        &mut f,
        "/v1/embeddings",
        r#"{"model":"text-embedding-005","input":["a b","c"],"dimensions":2}"#,
        &[],
    );
    assert_eq!(bs, Some(BodyStatus::Continue));
    assert_eq!(
        header(&h.request_headers, ":path").unwrap(),
        format!("{PREFIX}/publishers/google/models/text-embedding-005:predict")
    );
    let body: Value = serde_json::from_slice(&h.request_body).unwrap();
    assert_eq!(
        body,
        json!({"instances":[{"content":"a b"},{"content":"c"}],"parameters":{"outputDimensionality":2}})
    );
    let upstream = br#"{"predictions":[{"embeddings":{"statistics":{"token_count":2,"truncated":false},"values":[0.5,1]}},{"embeddings":{"statistics":{"token_count":1,"truncated":false},"values":[1,0]}}]}"#;
    let (_, v) = json_answer(&mut h, &mut f, "200", &[], &cut(upstream, 30));
    assert_eq!(v["data"][1]["embedding"], json!([1, 0]));
    assert_eq!(v["usage"], json!({"prompt_tokens": 3, "total_tokens": 3}));
}

#[test]
fn claude_chat_moves_the_model_into_the_path() {
    let mut f = filter(CLAUDE);
    let mut h = forwarded(
        &mut f,
        "/v1/chat/completions",
        CHAT,
        &[("x-aigw-model-override", "claude-sonnet-4-5@20250929")],
    );
    assert_eq!(
        header(&h.request_headers, ":path").unwrap(),
        format!("{PREFIX}/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict")
    );
    assert!(header(&h.request_headers, "anthropic-version").is_none());
    let body: Value = serde_json::from_slice(&h.request_body).unwrap();
    assert_eq!(body["anthropic_version"], "vertex-2023-10-16");
    assert!(body.get("model").is_none());
    assert_eq!(body["stream"], true);
    respond(&mut h, "200", "text/event-stream", &[]);
    let sse = b"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude-sonnet-4-5\",\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\nevent: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hey\"}}\n\n";
    let out = String::from_utf8(h.run_response(&mut f, &[&sse[..50], &sse[50..]])).unwrap();
    assert!(out.contains(r#""content":"Hey""#), "{out}");
}

#[test]
fn claude_google_error_becomes_an_openai_error() {
    let mut f = filter(CLAUDE);
    let body = r#"{"model":"claude-x","messages":[{"role":"user","content":"hi"}]}"#;
    let (mut h, _, _) = request(&mut f, "/v1/chat/completions", body, &[]);
    let upstream = br#"{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}"#;
    let (_, v) = json_answer(&mut h, &mut f, "401", &[], &[upstream]);
    assert_eq!(v["error"]["code"], "UNAUTHENTICATED");
    assert_eq!(v["error"]["type"], "authentication_error");
    assert_eq!(header(&h.response_headers, ":status"), Some("401"));
}

#[test]
fn claude_refuses_other_api_paths_and_bad_models() {
    assert_embeddings_refused(CLAUDE);
    let mut f = filter(CLAUDE);
    let body = r#"{"model":"a/b","messages":[{"role":"user","content":"hi"}]}"#;
    let (h, _, bs) = request(&mut f, "/v1/chat/completions", body, &[]);
    assert_eq!(bs, Some(BodyStatus::StopNoBuffer));
    let reply = h.local_reply.as_ref().unwrap();
    let v: Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(
        (reply.status, v["error"]["param"].as_str()),
        (400, Some("model"))
    );
}

#[test]
fn messages_clients_pass_through_with_the_body_rewritten() {
    let mut f = filter(CLAUDE);
    let over = [("x-aigw-model-override", "claude-haiku-4-5@20251001")];
    let mut h = forwarded_messages_stream(&mut f, &over);
    assert_eq!(
        header(&h.request_headers, ":path").unwrap(),
        format!("{PREFIX}/publishers/anthropic/models/claude-haiku-4-5@20251001:streamRawPredict")
    );
    assert_eq!(
        header(&h.request_headers, "anthropic-beta"),
        Some("context-1m-2025-08-07")
    );
    assert_eq!(
        String::from_utf8(h.request_body.clone()).unwrap(),
        r#"{"anthropic_version":"vertex-2023-10-16","max_tokens":16,"messages":[{"role":"user","content":"hi"}],"stream":true}"#
    );
    respond(&mut h, "200", "text/event-stream", &[]);
    let sse = b"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    assert_eq!(h.run_response(&mut f, &[sse]), sse.to_vec());
}

#[test]
fn messages_errors_reach_clients_in_anthropic_shape() {
    for (upstream, kind) in [
        (
            &br#"{"error":{"code":429,"message":"Quota exceeded.","status":"RESOURCE_EXHAUSTED"}}"#
                [..],
            "rate_limit_error",
        ),
        (
            &br#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#[..],
            "overloaded_error",
        ),
    ] {
        let mut f = filter(CLAUDE);
        let body =
            r#"{"model":"claude-x","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}"#;
        let (mut h, _, _) = request(&mut f, "/anthropic/v1/messages", body, &[]);
        let (_, v) = json_answer(&mut h, &mut f, "429", &[], &[upstream]);
        assert_eq!(
            (v["type"].as_str(), v["error"]["type"].as_str()),
            (Some("error"), Some(kind))
        );
    }
}

#[test]
fn claude_count_tokens_goes_to_the_count_tokens_endpoint() {
    let mut f = filter(CLAUDE);
    let body = r#"{"model":"claude-x","messages":[{"role":"user","content":"hi"}]}"#;
    let mut h = forwarded(
        &mut f,
        "/anthropic/v1/messages/count_tokens",
        body,
        &[
            ("anthropic-version", "2023-06-01"),
            ("x-aigw-model-override", "claude-y@1"),
        ],
    );
    assert_eq!(
        header(&h.request_headers, ":path"),
        Some(
            "/v1/projects/my-proj/locations/us-east5/publishers/anthropic/models/count-tokens:rawPredict"
        )
    );
    assert_eq!(header(&h.request_headers, "anthropic-version"), None);
    let sent: Value = serde_json::from_slice(&h.request_body).unwrap();
    assert_eq!(sent["model"], "claude-y@1");
    let (_, v) = json_answer(&mut h, &mut f, "403", &[], &[br#"{"error":{"code":403,"message":"Permission denied.","status":"PERMISSION_DENIED"}}"#]);
    assert_eq!(v["error"]["type"], "permission_error");
}

#[test]
fn gemini_count_tokens_gets_an_anthropic_404() {
    let mut f = filter(GEMINI);
    let body = r#"{"model":"claude-x","messages":[{"role":"user","content":"hi"}]}"#;
    let (h, hs, _) = request(&mut f, "/anthropic/v1/messages/count_tokens", body, &[]);
    assert_eq!(hs, HeadersStatus::StopIteration);
    let reply = h.local_reply.as_ref().unwrap();
    let v: Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(
        (reply.status, v["error"]["type"].as_str()),
        (404, Some("not_found_error"))
    );
}
