use crate::test_support::{assert_length_fixed, filter, header, respond};
use aigw_core::bedrock::eventstream::{Frame, encode_frame};
use aigw_host::test_host::TestHost;
use aigw_host::{BodyStatus, HeadersStatus};
use serde_json::{Value, json};

const GEMINI: &str = r#"{"role":"backend","backend":"g","schema":"Gemini","path_prefix":"/proxy"}"#;
const VERTEX: &str = r#"{"role":"backend","backend":"vx","schema":"GCPVertexAI","path_prefix":"/v1/projects/my-proj/locations/us-east5"}"#;
const BEDROCK: &str = r#"{"role":"backend","backend":"br","schema":"AWSBedrock"}"#;
const COHERE: &str = r#"{"role":"backend","backend":"co","schema":"Cohere"}"#;

/// Sends a Messages request in two chunks; returns the host (request translated).
fn request(f: &mut crate::TranslateFilter, body: &Value, extra: &[(&str, &str)]) -> TestHost {
    let mut headers = vec![
        (":method", "POST"),
        (":path", "/anthropic/v1/messages"),
        ("content-type", "application/json"),
        ("anthropic-version", "2023-06-01"),
        ("anthropic-beta", "tools-2024-05-16"),
    ];
    headers.extend_from_slice(extra);
    let mut h = TestHost::with_request_headers(&headers);
    let bytes = body.to_string().into_bytes();
    let (hs, bs) = h.run_request_chunks(f, &[&bytes[..9], &bytes[9..]]);
    assert_eq!(hs, HeadersStatus::StopIteration);
    assert_eq!(bs, Some(BodyStatus::Continue), "{:?}", h.local_reply);
    assert_eq!(header(&h.request_headers, "anthropic-version"), None);
    assert_eq!(header(&h.request_headers, "anthropic-beta"), None);
    h
}

fn body(h: &TestHost) -> Value {
    serde_json::from_slice(&h.request_body).unwrap()
}

/// The event names of an Anthropic SSE body.
fn event_names(out: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(out)
        .lines()
        .filter_map(|l| l.strip_prefix("event: "))
        .map(str::to_string)
        .collect()
}

fn messages(model: &str, stream: bool) -> Value {
    json!({"model": model, "max_tokens": 64, "stream": stream, "system": "Be brief.",
        "stop_sequences": ["END"], "messages": [{"role": "user", "content": "hi"}]})
}

#[test]
fn vertex_gemini_streams_events_under_the_project_path() {
    let mut f = filter(VERTEX);
    let mut h = request(&mut f, &messages("gemini-2.5-flash", true), &[]);
    assert_eq!(
        header(&h.request_headers, ":path"),
        Some(
            "/v1/projects/my-proj/locations/us-east5/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
        )
    );
    let sent = body(&h);
    assert_eq!(sent["systemInstruction"]["parts"][0]["text"], "Be brief.");
    assert_eq!(sent["generationConfig"]["stopSequences"], json!(["END"]));
    respond(&mut h, "200", "text/event-stream", &[]);
    let upstream = concat!(
        "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Hel\"}]}}],\"responseId\":\"r1\"}\r\n\r\n",
        "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"lo\"}]},\"finishReason\":\"STOP\"}],",
        "\"usageMetadata\":{\"promptTokenCount\":4,\"candidatesTokenCount\":2,\"totalTokenCount\":6}}\r\n\r\n"
    )
    .as_bytes();
    let out = h.run_response(
        &mut f,
        &[&upstream[..30], &upstream[30..100], &upstream[100..]],
    );
    assert_eq!(
        header(&h.response_headers, "content-type"),
        Some("text/event-stream")
    );
    assert_eq!(header(&h.response_headers, "content-length"), None);
    assert_eq!(
        event_names(&out),
        [
            "message_start",
            "content_block_start",
            "content_block_delta",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop"
        ]
    );
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains(r#""usage":{"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"input_tokens":4,"output_tokens":2}"#), "{text}");
}

#[test]
fn gemini_answer_becomes_a_message_with_the_override_model() {
    let mut f = filter(GEMINI);
    let mut h = request(
        &mut f,
        &messages("claude-x", false),
        &[("x-aigw-model-override", "gemini-2.0-flash")],
    );
    assert_eq!(
        header(&h.request_headers, ":path"),
        Some("/proxy/v1beta/models/gemini-2.0-flash:generateContent")
    );
    respond(&mut h, "200", "application/json", &[]);
    let upstream = br#"{"candidates":[{"content":{"role":"model","parts":[{"text":"Hey"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":1,"totalTokenCount":4},"responseId":"r2"}"#;
    let out = h.run_response(&mut f, &[&upstream[..20], &upstream[20..]]);
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["type"], "message");
    assert_eq!(v["model"], "gemini-2.0-flash");
    assert_eq!(v["content"], json!([{"type": "text", "text": "Hey"}]));
    assert_eq!(v["stop_reason"], "end_turn");
    assert_length_fixed(&h, &out);
}

#[test]
fn gemini_error_keeps_its_status_in_anthropic_form() {
    let mut f = filter(GEMINI);
    let mut h = request(&mut f, &messages("gemini-2.0-flash", true), &[]);
    respond(&mut h, "429", "application/json", &[]);
    let upstream =
        br#"{"error":{"code":429,"message":"Quota exceeded.","status":"RESOURCE_EXHAUSTED"}}"#;
    let out = h.run_response(&mut f, &[&upstream[..10], &upstream[10..]]);
    assert_eq!(header(&h.response_headers, ":status"), Some("429"));
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        v,
        json!({"type":"error","error":{"type":"rate_limit_error","message":"Quota exceeded."}})
    );
}

fn frame(message_type: &str, kind: &str, payload: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let type_header = if message_type == "exception" {
        ":exception-type"
    } else {
        ":event-type"
    };
    let headers = [
        (type_header, kind),
        (":content-type", "application/json"),
        (":message-type", message_type),
    ];
    encode_frame(&Frame::with_strings(&headers, payload.as_bytes()), &mut out);
    out
}

#[test]
fn bedrock_event_stream_becomes_anthropic_events() {
    let mut f = filter(BEDROCK);
    let mut h = request(&mut f, &messages("amazon.nova-lite-v1:0", true), &[]);
    assert_eq!(
        header(&h.request_headers, ":path"),
        Some("/model/amazon.nova-lite-v1%3A0/converse-stream")
    );
    assert_eq!(
        header(&h.request_headers, "content-type"),
        Some("application/json")
    );
    assert_eq!(body(&h)["system"], json!([{"text": "Be brief."}]));
    respond(
        &mut h,
        "200",
        "application/vnd.amazon.eventstream",
        &[("x-amzn-requestid", "req-9")],
    );
    let mut upstream = frame("event", "messageStart", r#"{"role":"assistant"}"#);
    upstream.extend(frame(
        "event",
        "contentBlockDelta",
        r#"{"contentBlockIndex":0,"delta":{"text":"Hi"}}"#,
    ));
    upstream.extend(frame(
        "exception",
        "throttlingException",
        r#"{"message":"Slow down."}"#,
    ));
    let out = h.run_response(&mut f, &[&upstream[..50], &upstream[50..]]);
    assert_eq!(
        header(&h.response_headers, "content-type"),
        Some("text/event-stream")
    );
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains(r#""id":"msg_req-9""#), "{text}");
    assert!(
        text.ends_with("event: error\ndata: {\"error\":{\"message\":\"Slow down.\",\"type\":\"rate_limit_error\"},\"type\":\"error\"}\n\n"),
        "{text}"
    );
}

#[test]
fn bedrock_error_names_the_aws_type_and_keeps_the_status() {
    let mut f = filter(BEDROCK);
    let mut h = request(&mut f, &messages("amazon.nova-lite-v1:0", false), &[]);
    respond(
        &mut h,
        "403",
        "application/json",
        &[("x-amzn-errortype", "AccessDeniedException:http://internal")],
    );
    let out = h.run_response(&mut f, &[br#"{"message":"No access."}"#]);
    assert_eq!(header(&h.response_headers, ":status"), Some("403"));
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["error"]["type"], "permission_error");
    assert_eq!(v["error"]["message"], "No access.");
}

#[test]
fn cohere_tool_calls_become_tool_use_blocks() {
    let mut f = filter(COHERE);
    let tools = json!({"model": "command-r", "max_tokens": 64,
        "tools": [{"name": "get_weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}],
        "messages": [{"role": "user", "content": "Weather in Paris?"}]});
    let mut h = request(&mut f, &tools, &[]);
    assert_eq!(header(&h.request_headers, ":path"), Some("/v2/chat"));
    assert_eq!(body(&h)["tools"][0]["function"]["name"], "get_weather");
    respond(&mut h, "200", "application/json", &[]);
    let upstream = br#"{"id":"c1","finish_reason":"TOOL_CALL","message":{"role":"assistant","tool_calls":[{"id":"get_weather_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},"usage":{"tokens":{"input_tokens":9,"output_tokens":4}}}"#;
    let out = h.run_response(&mut f, &[upstream]);
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["stop_reason"], "tool_use");
    assert_eq!(
        v["content"],
        json!([{"type": "tool_use", "id": "get_weather_1", "name": "get_weather", "input": {"city": "Paris"}}])
    );
    assert_eq!(v["usage"]["input_tokens"], 9);
}

#[test]
fn unreadable_answer_is_an_anthropic_502() {
    let mut f = filter(COHERE);
    let mut h = request(&mut f, &messages("command-r", false), &[]);
    respond(&mut h, "200", "application/json", &[]);
    let out = h.run_response(&mut f, &[b"not json"]);
    assert_eq!(header(&h.response_headers, ":status"), Some("502"));
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["error"]["type"], "api_error");
}

#[test]
fn untranslatable_request_is_an_anthropic_400() {
    let mut f = filter(BEDROCK);
    let body = json!({"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": [
        {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}}]}]});
    let mut h =
        TestHost::with_request_headers(&[(":method", "POST"), (":path", "/anthropic/v1/messages")]);
    let (_, bs) = h.run_request(&mut f, body.to_string().as_bytes());
    assert_eq!(bs, Some(BodyStatus::StopNoBuffer));
    let reply = h.local_reply.as_ref().unwrap();
    let v: Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(
        (reply.status, v["error"]["type"].as_str()),
        (400, Some("invalid_request_error"))
    );
}

#[test]
fn count_tokens_names_the_backend_api() {
    let mut f = filter(BEDROCK);
    let mut h = TestHost::with_request_headers(&[
        (":method", "POST"),
        (":path", "/anthropic/v1/messages/count_tokens"),
    ]);
    h.run_request(&mut f, messages("m", false).to_string().as_bytes());
    let reply = h.local_reply.as_ref().unwrap();
    let v: Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(reply.status, 404);
    assert_eq!(
        v["error"]["message"],
        "Token counting (/v1/messages/count_tokens) is served only by Anthropic backends; this route's backend speaks the AWS Bedrock Converse API."
    );
}
