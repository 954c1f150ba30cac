//! The backend role for Claude on AWS Bedrock through InvokeModel (`AWSAnthropic`).

use crate::test_support::{
    assert_embeddings_refused, cut, filter, forwarded, forwarded_messages_stream, header,
    json_answer, request, respond,
};
use serde_json::{Value, json};

const CONFIG: &str = r#"{"role":"backend","backend":"ba","schema":"AWSAnthropic"}"#;
const CHAT: &str = r#"{"model":"m-1","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi there"}]}"#;
const STREAM: &[u8] = include_bytes!(
    "../../../testdata/bedrock_anthropic/07_stream_text_usage/upstream_response.bin"
);
const EXCEPTION: &[u8] = include_bytes!(
    "../../../testdata/bedrock_anthropic/09_stream_exception_mid_stream/upstream_response.bin"
);
const EVENT_STREAM: &str = "application/vnd.amazon.eventstream";

/// The capture cut into pieces that split frames.
fn pieces(capture: &[u8]) -> Vec<&[u8]> {
    capture.chunks(37).collect()
}

#[test]
fn chat_streams_go_to_invoke_with_response_stream_and_come_back_as_chunks() {
    let mut f = filter(CONFIG);
    let over = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    let mut h = forwarded(
        &mut f,
        "/v1/chat/completions",
        CHAT,
        &[("x-aigw-model-override", over)],
    );
    assert_eq!(
        header(&h.request_headers, ":path"),
        Some("/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke-with-response-stream")
    );
    let body: Value = serde_json::from_slice(&h.request_body).unwrap();
    assert_eq!(
        body,
        json!({"anthropic_version":"bedrock-2023-05-31","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"hi there"}]}]})
    );
    respond(&mut h, "200", EVENT_STREAM, &[]);
    let out = String::from_utf8(h.run_response(&mut f, &pieces(STREAM))).unwrap();
    assert_eq!(
        header(&h.response_headers, "content-type"),
        Some("text/event-stream")
    );
    assert!(out.contains(r#""content":"Hello""#), "{out}");
    assert!(out.contains(r#""prompt_tokens":25"#), "{out}");
    assert!(out.ends_with("data: [DONE]\n\n"), "{out}");
}

#[test]
fn chat_exception_frames_and_error_answers_become_openai_errors() {
    let mut f = filter(CONFIG);
    let (mut h, _, _) = request(&mut f, "/v1/chat/completions", CHAT, &[]);
    respond(&mut h, "200", EVENT_STREAM, &[]);
    let out = String::from_utf8(h.run_response(&mut f, &pieces(EXCEPTION))).unwrap();
    assert!(
        out.contains(r#""code":"throttlingException""#) && out.ends_with("data: [DONE]\n\n"),
        "{out}"
    );
    let mut f = filter(CONFIG);
    let body = r#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#;
    let (mut h, _, _) = request(&mut f, "/v1/chat/completions", body, &[]);
    assert_eq!(header(&h.request_headers, ":path"), Some("/model/m/invoke"));
    let (_, v) = json_answer(
        &mut h,
        &mut f,
        "400",
        &[("x-amzn-errortype", "ValidationException:http://x/")],
        &[br#"{"message":"Malformed input request"}"#],
    );
    assert_eq!(v["error"]["code"], "ValidationException");
    assert_eq!(v["error"]["message"], "Malformed input request");
    assert_eq!(header(&h.response_headers, ":status"), Some("400"));
}

#[test]
fn buffered_chat_answers_are_translated() {
    let mut f = filter(CONFIG);
    let body = r#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#;
    let (mut h, _, _) = request(&mut f, "/v1/chat/completions", body, &[]);
    let upstream = br#"{"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[{"type":"text","text":"Hi!"}],"stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":2}}"#;
    let (_, v) = json_answer(&mut h, &mut f, "200", &[], &cut(upstream, 20));
    assert_eq!(v["choices"][0]["message"]["content"], "Hi!");
    assert_eq!(v["usage"]["total_tokens"], 5);
}

#[test]
fn other_api_paths_are_refused() {
    assert_embeddings_refused(CONFIG);
}

#[test]
fn messages_clients_pass_through_with_the_body_rewritten() {
    let mut f = filter(CONFIG);
    let mut h = forwarded_messages_stream(&mut f, &[]);
    assert_eq!(
        header(&h.request_headers, ":path"),
        Some("/model/claude-x/invoke-with-response-stream")
    );
    assert!(header(&h.request_headers, "anthropic-beta").is_none());
    assert_eq!(
        String::from_utf8(h.request_body.clone()).unwrap(),
        r#"{"anthropic_beta":["context-1m-2025-08-07"],"anthropic_version":"bedrock-2023-05-31","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}"#
    );
    respond(&mut h, "200", EVENT_STREAM, &[]);
    let out = String::from_utf8(h.run_response(&mut f, &pieces(STREAM))).unwrap();
    assert!(out.starts_with("event: message_start\ndata: {"), "{out}");
    assert!(out.ends_with("event: message_stop\ndata: {\"amazon-bedrock-invocationMetrics\":{\"firstByteLatency\":210,\"inputTokenCount\":25,\"invocationLatency\":512,\"outputTokenCount\":15},\"type\":\"message_stop\"}\n\n"), "{out}");
}

#[test]
fn messages_errors() {
    let mut f = filter(CONFIG);
    let body =
        r#"{"model":"claude-x","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}"#;
    let (mut h, _, _) = request(&mut f, "/anthropic/v1/messages", body, &[]);
    assert_eq!(
        header(&h.request_headers, ":path"),
        Some("/model/claude-x/invoke")
    );
    let (_, v) = json_answer(
        &mut h,
        &mut f,
        "429",
        &[("x-amzn-errortype", "ThrottlingException")],
        &[br#"{"message":"Too many requests"}"#],
    );
    assert_eq!(
        v,
        json!({"type":"error","error":{"type":"rate_limit_error","message":"Too many requests"}})
    );
}
