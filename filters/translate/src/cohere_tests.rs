use crate::test_support::{
    LEGACY_COMPLETION, UNKNOWN_TOOL, assert_error_answer, assert_other_paths_pass, assert_refused,
    assert_request_length_fixed, assert_sent, assert_untranslatable_answer_is_502,
    buffered_chat_answer, embeddings_answer, filter, header, streamed_events, translated,
};
use serde_json::{Value, json};

const CONFIG: &str = r#"{"role":"backend","backend":"co","schema":"Cohere"}"#;
const CHAT: &str = r#"{"model":"command-a-03-2025","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}]}"#;

#[test]
fn chat_request_becomes_v2_chat() {
    let mut f =
        filter(r#"{"role":"backend","backend":"co","schema":"Cohere","path_prefix":"/proxy"}"#);
    let h = translated(
        &mut f,
        "/v1/chat/completions",
        CHAT,
        &[("x-aigw-model-override", "command-r-plus")],
    );
    let body = json!({"model":"command-r-plus","messages":[{"role":"system","content":"Be brief."},
                      {"role":"user","content":"hi"}]});
    assert_sent(&h, "/proxy/v2/chat", &body);
    assert_request_length_fixed(&h);
}

#[test]
fn buffered_response_is_openai_with_length_fixed() {
    let upstream = br#"{"id":"r1","finish_reason":"COMPLETE","message":{"role":"assistant","content":[{"type":"text","text":"Hey"}]},"usage":{"billed_units":{"input_tokens":3,"output_tokens":1},"tokens":{"input_tokens":3,"output_tokens":1}}}"#;
    let v = buffered_chat_answer(CONFIG, CHAT, upstream, "co");
    assert_eq!(v["id"], "chatcmpl-r1");
    assert_eq!(v["model"], "command-a-03-2025");
    assert_eq!(v["created"], 1_700_000_000);
}

#[test]
fn stream_is_translated_chunk_by_chunk() {
    let mut f = filter(CONFIG);
    let body = r#"{"model":"command-a-03-2025","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}"#;
    let mut h = translated(&mut f, "/v1/chat/completions", body, &[]);
    assert_eq!(header(&h.request_headers, ":path"), Some("/v2/chat"));
    let sent: Value = serde_json::from_slice(&h.request_body).unwrap();
    assert_eq!(sent["stream"], true);
    assert!(sent.get("stream_options").is_none());
    let upstream = concat!(
        "event: message-start\ndata: {\"id\":\"s1\",\"type\":\"message-start\",\"delta\":{\"message\":{\"role\":\"assistant\"}}}\n\n",
        "event: content-delta\ndata: {\"type\":\"content-delta\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"text\":\"Hello\"}}}}\n\n",
        "event: message-end\ndata: {\"type\":\"message-end\",\"delta\":{\"finish_reason\":\"COMPLETE\",",
        "\"usage\":{\"tokens\":{\"input_tokens\":2,\"output_tokens\":2}}}}\n\n"
    )
    .as_bytes();
    let pieces = [&upstream[..30], &upstream[30..150], &upstream[150..]];
    let events = streamed_events(&mut h, &mut f, &pieces);
    assert_eq!(events.len(), 4);
    assert_eq!(
        events[0]["choices"][0]["delta"],
        json!({"role":"assistant","content":""})
    );
    assert_eq!(events[2]["choices"][0]["finish_reason"], "stop");
    assert_eq!(events[3]["usage"]["total_tokens"], 4);
}

#[test]
fn embeddings_round_trip() {
    let mut f = filter(CONFIG);
    let body = r#"{"model":"embed-v4.0","input":["a","b"],"encoding_format":"float"}"#;
    let mut h = translated(&mut f, "/v1/embeddings", body, &[]);
    assert_eq!(header(&h.request_headers, ":path"), Some("/v2/embed"));
    let sent: Value = serde_json::from_slice(&h.request_body).unwrap();
    assert_eq!(
        sent,
        json!({"model":"embed-v4.0","texts":["a","b"],"input_type":"search_document",
               "embedding_types":["float"]})
    );
    let upstream =
        br#"{"embeddings":{"float":[[0.5],[-0.5]]},"meta":{"billed_units":{"input_tokens":2}}}"#;
    let v = embeddings_answer(&mut h, &mut f, upstream, "embed-v4.0");
    assert_eq!(v["usage"]["prompt_tokens"], 2);
}

#[test]
fn cohere_error_becomes_openai_error_with_status_kept() {
    let upstream = br#"{"message":"invalid api token"}"#;
    let expected = json!({"error":{"message":"invalid api token","type":"authentication_error","param":null,"code":null}});
    assert_error_answer(CONFIG, CHAT, "401", upstream, &expected);
}

#[test]
fn unreadable_or_failed_success_body_becomes_502() {
    let failed =
        br#"{"id":"x","finish_reason":"ERROR","message":{"role":"assistant","content":[]}}"#;
    for body in [&b"not json"[..], failed] {
        assert_untranslatable_answer_is_502(CONFIG, CHAT, body);
    }
}

#[test]
fn refusals_are_openai_errors() {
    let cases = [
        LEGACY_COMPLETION,
        (
            "/v1/images/generations",
            r#"{"model":"m","prompt":"x"}"#,
            404,
        ),
        (
            "/v1/chat/completions",
            r#"{"messages":[{"role":"user","content":"x"}]}"#,
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
