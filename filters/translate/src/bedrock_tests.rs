use crate::test_support::{
    STREAM_CHAT, assert_sent, assert_yo_stream, cut, filter, header, json_answer, translated,
};
use aigw_core::bedrock::eventstream::{Frame, encode_frame};
use aigw_host::test_host::TestHost;
use aigw_host::{BodyStatus, HeadersStatus};
use serde_json::{Value, json};

const CONFIG: &str = r#"{"role":"backend","backend":"aws","schema":"AWSBedrock"}"#;
const CHAT: &str = r#"{"model":"amazon.nova-lite-v1:0","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}]}"#;

fn request(f: &mut crate::TranslateFilter, body: &str, extra: &[(&str, &str)]) -> TestHost {
    let mut headers = vec![("content-type", "application/json; charset=utf-8")];
    headers.extend_from_slice(extra);
    translated(f, "/v1/chat/completions", body, &headers)
}

#[test]
fn chat_request_becomes_converse() {
    let mut f = filter(
        r#"{"role":"backend","backend":"aws","schema":"AWSBedrock","path_prefix":"/proxy"}"#,
    );
    let h = request(
        &mut f,
        CHAT,
        &[("x-aigw-model-override", "us.amazon.nova-pro-v1:0")],
    );
    assert_eq!(
        header(&h.request_headers, "content-type"),
        Some("application/json")
    );
    let body = json!({"system":[{"text":"Be brief."}],"messages":[{"role":"user","content":[{"text":"hi"}]}]});
    assert_sent(&h, "/proxy/model/us.amazon.nova-pro-v1%3A0/converse", &body);
}

#[test]
fn buffered_response_is_openai_with_request_id_and_model() {
    let mut f = filter(CONFIG);
    let mut h = request(&mut f, CHAT, &[]);
    let upstream = br#"{"output":{"message":{"role":"assistant","content":[{"text":"Hey"}]}},"stopReason":"end_turn","usage":{"inputTokens":3,"outputTokens":1,"totalTokens":4}}"#;
    let (_, v) = json_answer(
        &mut h,
        &mut f,
        "200",
        &[("x-amzn-requestid", "req-1")],
        &cut(upstream, 40),
    );
    assert_eq!(v["id"], "chatcmpl-req-1");
    assert_eq!(v["model"], "amazon.nova-lite-v1:0");
    assert_eq!(v["choices"][0]["message"]["content"], "Hey");
    assert_eq!(v["usage"]["total_tokens"], 4);
    assert_eq!(header(&h.response_headers, "x-aigw-backend"), Some("aws"));
}

fn event(kind: &str, payload: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let headers = [
        (":event-type", kind),
        (":content-type", "application/json"),
        (":message-type", "event"),
    ];
    encode_frame(&Frame::with_strings(&headers, payload.as_bytes()), &mut out);
    out
}

#[test]
fn event_stream_becomes_sse_frame_by_frame() {
    let mut f = filter(CONFIG);
    let mut h = request(&mut f, STREAM_CHAT, &[]);
    assert_eq!(
        header(&h.request_headers, ":path"),
        Some("/model/m/converse-stream")
    );
    let mut upstream = event("messageStart", r#"{"role":"assistant"}"#);
    upstream.extend(event(
        "contentBlockDelta",
        r#"{"contentBlockIndex":0,"delta":{"text":"Yo"}}"#,
    ));
    upstream.extend(event("messageStop", r#"{"stopReason":"end_turn"}"#));
    upstream.extend(event(
        "metadata",
        r#"{"usage":{"inputTokens":2,"outputTokens":2,"totalTokens":4}}"#,
    ));
    assert_yo_stream(
        &mut h,
        &mut f,
        "application/vnd.amazon.eventstream",
        &upstream,
    );
    assert_eq!(
        header(&h.response_headers, "content-type"),
        Some("text/event-stream")
    );
    assert!(header(&h.response_headers, "content-length").is_none());
}

#[test]
fn provider_error_keeps_status_and_names_the_aws_error() {
    let mut f = filter(CONFIG);
    let mut h = request(&mut f, CHAT, &[]);
    let (_, v) = json_answer(
        &mut h,
        &mut f,
        "429",
        &[(
            "x-amzn-errortype",
            "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/",
        )],
        &[br#"{"message":"Too many requests"}"#],
    );
    assert_eq!(
        v,
        json!({"error":{"message":"Too many requests","type":"rate_limit_error","param":null,"code":"ThrottlingException"}})
    );
    assert_eq!(header(&h.response_headers, ":status"), Some("429"));
}

#[test]
fn refused_requests_get_openai_errors() {
    let mut f = filter(CONFIG);
    let mut h =
        TestHost::with_request_headers(&[(":method", "POST"), (":path", "/v1/completions")]);
    let (hs, _) = h.run_request_chunks(&mut f, &[b"{}"]);
    assert_eq!(hs, HeadersStatus::StopIteration);
    assert_eq!(h.local_reply.as_ref().unwrap().status, 404);

    let mut f = filter(CONFIG);
    let mut h =
        TestHost::with_request_headers(&[(":method", "POST"), (":path", "/v1/chat/completions")]);
    let body = br#"{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x/y.png"}}]}]}"#;
    h.run_request_chunks(&mut f, &[body]);
    let reply = h.local_reply.clone().unwrap();
    assert_eq!(reply.status, 400);
    assert!(String::from_utf8_lossy(&reply.body).contains("base64 data URLs"));
}

#[test]
fn embeddings_go_to_titan_and_come_back_as_openai() {
    let mut f = filter(CONFIG);
    let mut h = TestHost::with_request_headers(&[
        (":method", "POST"),
        (":path", "/v1/embeddings"),
        ("content-length", "999"),
    ]);
    let body = br#"{"model":"amazon.titan-embed-text-v2:0","input":"hello there","encoding_format":"float"}"#;
    let (hs, bs) = h.run_request_chunks(&mut f, &[&body[..12], &body[12..]]);
    assert_eq!(
        (hs, bs),
        (HeadersStatus::StopIteration, Some(BodyStatus::Continue))
    );
    assert_eq!(
        header(&h.request_headers, ":path"),
        Some("/model/amazon.titan-embed-text-v2%3A0/invoke")
    );
    let sent: Value = serde_json::from_slice(&h.request_body).unwrap();
    assert_eq!(sent, json!({"inputText": "hello there"}));
    let (_, v) = json_answer(
        &mut h,
        &mut f,
        "200",
        &[],
        &[br#"{"embedding":[0.5,-1.0],"inputTextTokenCount":2}"#],
    );
    assert_eq!(v["data"][0]["embedding"], json!([0.5, -1.0]));
    assert_eq!(v["usage"], json!({"prompt_tokens": 2, "total_tokens": 2}));
    assert_eq!(v["model"], "amazon.titan-embed-text-v2:0");
}
