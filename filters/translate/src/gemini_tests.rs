use crate::test_support::{
    LEGACY_COMPLETION, UNKNOWN_TOOL, assert_error_answer, assert_other_paths_pass, assert_refused,
    assert_request_length_fixed, assert_sent, assert_untranslatable_answer_is_502,
    buffered_chat_answer, embeddings_answer, filter, header, streamed_events, translated,
};
use serde_json::json;

const CONFIG: &str = r#"{"role":"backend","backend":"gem","schema":"Gemini"}"#;
const CHAT: &str = r#"{"model":"gemini-2.0-flash","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}]}"#;

#[test]
fn chat_request_becomes_generate_content() {
    let mut f =
        filter(r#"{"role":"backend","backend":"gem","schema":"Gemini","path_prefix":"/proxy"}"#);
    let h = translated(
        &mut f,
        "/v1/chat/completions",
        CHAT,
        &[("x-aigw-model-override", "gemini-1.5-pro")],
    );
    let body = json!({"systemInstruction":{"parts":[{"text":"Be brief."}]},
                      "contents":[{"role":"user","parts":[{"text":"hi"}]}]});
    assert_sent(
        &h,
        "/proxy/v1beta/models/gemini-1.5-pro:generateContent",
        &body,
    );
    assert_request_length_fixed(&h);
}

#[test]
fn buffered_response_is_openai_with_length_fixed() {
    let upstream = br#"{"candidates":[{"content":{"role":"model","parts":[{"text":"Hey"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":1,"totalTokenCount":4},"modelVersion":"gemini-2.0-flash-001"}"#;
    let v = buffered_chat_answer(CONFIG, CHAT, upstream, "gem");
    assert_eq!(v["model"], "gemini-2.0-flash-001");
    assert_eq!(v["created"], 1_700_000_000);
}

#[test]
fn stream_is_translated_chunk_by_chunk() {
    let mut f = filter(CONFIG);
    let body = r#"{"model":"gemini-2.0-flash","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}"#;
    let mut h = translated(&mut f, "/v1/chat/completions", body, &[]);
    assert_eq!(
        header(&h.request_headers, ":path"),
        Some("/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse")
    );
    let upstream = concat!(
        "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hel\"}]}}]}\r\n\r\n",
        "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"lo\"}]},\"finishReason\":\"STOP\"}],",
        "\"usageMetadata\":{\"promptTokenCount\":2,\"candidatesTokenCount\":2,\"totalTokenCount\":4}}\r\n\r\n"
    )
    .as_bytes();
    let pieces = [&upstream[..30], &upstream[30..90], &upstream[90..]];
    let events = streamed_events(&mut h, &mut f, &pieces);
    assert_eq!(events.len(), 3);
    assert_eq!(
        events[0]["choices"][0]["delta"],
        json!({"role":"assistant","content":"Hel"})
    );
    assert_eq!(events[2]["usage"]["total_tokens"], 4);
}

#[test]
fn embeddings_round_trip() {
    let mut f = filter(CONFIG);
    let body = r#"{"model":"text-embedding-004","input":["a","b"],"encoding_format":"float"}"#;
    let mut h = translated(&mut f, "/v1/embeddings", body, &[]);
    assert_eq!(
        header(&h.request_headers, ":path"),
        Some("/v1beta/models/text-embedding-004:batchEmbedContents")
    );
    let upstream = br#"{"embeddings":[{"values":[0.5]},{"values":[-0.5]}]}"#;
    embeddings_answer(&mut h, &mut f, upstream, "text-embedding-004");
}

#[test]
fn google_error_becomes_openai_error_with_status_kept() {
    let upstream =
        br#"{"error":{"code":429,"message":"Quota exceeded.","status":"RESOURCE_EXHAUSTED"}}"#;
    let expected = json!({"error":{"message":"Quota exceeded.","type":"rate_limit_error","param":null,"code":"RESOURCE_EXHAUSTED"}});
    assert_error_answer(CONFIG, CHAT, "429", upstream, &expected);
}

#[test]
fn unreadable_success_body_becomes_502() {
    assert_untranslatable_answer_is_502(CONFIG, CHAT, b"not json");
}

#[test]
fn refusals_are_openai_errors() {
    let cases = [
        LEGACY_COMPLETION,
        (
            "/v1/chat/completions",
            r#"{"model":"a/b","messages":[{"role":"user","content":"x"}]}"#,
            400,
        ),
        UNKNOWN_TOOL,
    ];
    assert_refused(CONFIG, &cases);
}

#[test]
fn other_paths_pass_through() {
    assert_other_paths_pass(CONFIG);
}
