use crate::test_support::{
    STREAM_CHAT, assert_error_answer, assert_request_length_fixed, assert_sent, assert_yo_stream,
    buffered_chat_answer, filter, header, translated,
};
use aigw_host::test_host::TestHost;
use aigw_host::{BodyStatus, HeadersStatus};
use serde_json::{Value, json};

const CONFIG: &str = r#"{"role":"backend","backend":"claude","schema":"Anthropic"}"#;
const CHAT: &str = r#"{"model":"claude-x","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}],"stream":false}"#;

#[test]
fn chat_request_becomes_messages_request() {
    let mut f = filter(CONFIG);
    let h = translated(
        &mut f,
        "/v1/chat/completions",
        CHAT,
        &[("x-aigw-model-override", "claude-y")],
    );
    assert_eq!(
        header(&h.request_headers, "anthropic-version"),
        Some("2023-06-01")
    );
    let body = json!({"model":"claude-y","max_tokens":4096,"system":[{"type":"text","text":"Be brief."}],
                      "messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]});
    assert_sent(&h, "/v1/messages", &body);
    assert_request_length_fixed(&h);
}

#[test]
fn buffered_response_is_openai_with_length_fixed() {
    let upstream = br#"{"id":"msg_1","type":"message","role":"assistant","model":"claude-x-1","content":[{"type":"text","text":"Hey"}],"stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":1}}"#;
    buffered_chat_answer(CONFIG, CHAT, upstream, "claude");
}

#[test]
fn streamed_response_is_translated_chunk_by_chunk() {
    let mut f = filter(CONFIG);
    let mut h = translated(&mut f, "/v1/chat/completions", STREAM_CHAT, &[]);
    let body: Value = serde_json::from_slice(&h.request_body).unwrap();
    assert_eq!(body["stream"], true);
    let upstream = concat!(
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_s\",\"model\":\"m-1\",\"usage\":{\"input_tokens\":2,\"output_tokens\":1}}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Yo\"}}\n\n",
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":2}}\n\n",
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
    )
    .as_bytes();
    assert_yo_stream(&mut h, &mut f, "text/event-stream", upstream);
}

#[test]
fn provider_error_keeps_status_in_openai_shape() {
    let upstream = br#"{"type":"error","error":{"type":"rate_limit_error","message":"Slow down"}}"#;
    let expected =
        json!({"error":{"message":"Slow down","type":"rate_limit_error","param":null,"code":null}});
    assert_error_answer(CONFIG, CHAT, "429", upstream, &expected);
}

#[test]
fn unreadable_message_is_502() {
    let mut f = filter(CONFIG);
    let mut h = translated(&mut f, "/v1/chat/completions", CHAT, &[]);
    h.response_headers = vec![(":status".into(), "200".into())];
    let out = h.run_response(&mut f, &[b"<html>"]);
    assert_eq!(header(&h.response_headers, ":status"), Some("502"));
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unreadable")
    );
}

#[test]
fn invalid_request_is_400_before_the_backend() {
    let mut f = filter(CONFIG);
    let mut h = TestHost::with_request_headers(&[(":path", "/v1/chat/completions")]);
    let (_, bs) = h.run_request(&mut f, br#"{"model":"m","messages":[],"n":3}"#);
    assert_eq!(bs, Some(BodyStatus::StopNoBuffer));
    let reply = h.local_reply.unwrap();
    assert_eq!(reply.status, 400);
    let v: Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(v["error"]["param"], "n");
}

#[test]
fn other_apis_are_refused_and_other_paths_pass() {
    let mut f = filter(CONFIG);
    let mut h = TestHost::with_request_headers(&[(":path", "/v1/embeddings")]);
    let (hs, _) = h.run_request(&mut f, b"{}");
    assert_eq!(hs, HeadersStatus::StopIteration);
    assert_eq!(h.local_reply.unwrap().status, 404);

    let mut f =
        filter(r#"{"role":"backend","backend":"c","schema":"Anthropic","path_prefix":"/proxy"}"#);
    let mut h = TestHost::with_request_headers(&[(":method", "GET"), (":path", "/v1/models")]);
    let (hs, _) = h.run_request(&mut f, b"");
    assert_eq!(hs, HeadersStatus::Continue);
    assert_eq!(
        header(&h.request_headers, ":path"),
        Some("/proxy/v1/models")
    );
    let out = h.run_response(&mut f, &[b"{\"data\":[]}"]);
    assert_eq!(out, b"{\"data\":[]}");
}

#[test]
fn path_prefix_goes_before_messages_path() {
    let mut f = filter(
        r#"{"role":"backend","backend":"c","schema":"Anthropic","path_prefix":"/anthropic"}"#,
    );
    let h = translated(&mut f, "/v1/chat/completions", CHAT, &[]);
    assert_eq!(
        header(&h.request_headers, ":path"),
        Some("/anthropic/v1/messages")
    );
}
