//! Non-streaming responses.

use crate::common::*;
use aigw_core::metrics::{REQUEST_DURATION, TOKEN_USAGE};
use aigw_host::{Host, LogLevel};

#[test]
fn chat_completion_writes_metadata_costs_and_metrics() {
    let mut s = Stream::request("/v1/chat/completions", "gpt-4o");
    s.advance(40);
    s.response_headers(&json_headers("openai-east"), false);
    assert_eq!(s.host.response_header("x-aigw-backend"), None);
    let (a, b) = CHAT.split_at(100);
    s.chunk(a, false);
    assert!(
        s.host.metadata.is_empty(),
        "nothing reported before the end"
    );
    s.advance(210);
    s.chunk(b, true);

    assert_eq!(s.num("input_tokens"), 1220.0);
    assert_eq!(s.num("output_tokens"), 12.0);
    assert_eq!(s.num("total_tokens"), 1232.0);
    assert_eq!(s.num("cached_input_tokens"), 1024.0);
    assert_eq!(s.str("request_model"), "gpt-4o");
    assert_eq!(s.str("response_model"), "gpt-4o-2024-08-06");
    assert_eq!(s.str("backend"), "openai-east");
    assert_eq!(s.num("llm_total_token"), 1232.0);
    assert_eq!(s.num("llm_cached"), 1024.0);
    assert_eq!(s.num("cache_creation_input_tokens"), 0.0);
    assert_eq!(s.num("reasoning_tokens"), 0.0);
    assert_eq!(s.host.metadata.len(), 11);

    let base = ["chat", "gpt-4o", "gpt-4o-2024-08-06", "openai-east"];
    assert_eq!(s.records(REQUEST_DURATION), vec![(labels(&base), 250)]);
    let with = |t: &str| {
        let mut l = labels(&base);
        l.push(t.to_string());
        l
    };
    assert_eq!(
        s.records(TOKEN_USAGE),
        vec![
            (with("input"), 1220),
            (with("output"), 12),
            (with("cached_input"), 1024)
        ]
    );
    assert!(s.records("gen_ai.server.time_to_first_token").is_empty());
    assert!(s.records("gen_ai.server.time_per_output_token").is_empty());
}

#[test]
fn completion_uses_text_completion_operation() {
    let mut s = Stream::request("/v1/completions?x=1", "gpt-3.5-turbo-instruct");
    s.response_headers(&json_headers("b"), false);
    s.chunk(COMPLETION, true);
    assert_eq!(s.num("total_tokens"), 12.0);
    let records = s.records(TOKEN_USAGE);
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].0[0], "text_completion");
    assert_eq!((records[1].0[4].as_str(), records[1].1), ("output", 7));
}

#[test]
fn embeddings_record_input_tokens_only() {
    let mut s = Stream::request("/v1/embeddings", "text-embedding-3-small");
    s.response_headers(&json_headers("b"), false);
    s.chunk(EMBEDDINGS, true);
    assert_eq!(s.num("input_tokens"), 8.0);
    assert_eq!(s.num("output_tokens"), 0.0);
    assert_eq!(s.num("total_tokens"), 8.0);
    let records = s.records(TOKEN_USAGE);
    assert_eq!(
        records,
        vec![(
            labels(&[
                "embeddings",
                "text-embedding-3-small",
                "text-embedding-3-small",
                "b",
                "input"
            ]),
            8
        )]
    );
}

#[test]
fn malformed_body_writes_zeros_and_no_token_metrics() {
    let mut s = Stream::request("/v1/chat/completions", "m");
    s.response_headers(&json_headers("b"), false);
    s.chunk(b"{\"usage\": {\"prompt_tokens\": 1", true);
    assert_eq!(s.num("input_tokens"), 0.0);
    assert_eq!(s.num("llm_total_token"), 0.0);
    assert_eq!(s.str("response_model"), "");
    assert!(s.records(TOKEN_USAGE).is_empty());
    assert_eq!(s.records(REQUEST_DURATION).len(), 1);
}

#[test]
fn missing_headers_and_usage_are_empty_and_zero() {
    let mut s = Stream::request("/v1/chat/completions", "");
    s.host.request_headers.retain(|(k, _)| k != "x-ai-eg-model");
    s.response_headers(&[(":status", "200")], false);
    s.chunk(br#"{"choices":[]}"#, true);
    assert_eq!(s.str("request_model"), "");
    assert_eq!(s.str("backend"), "");
    assert_eq!(s.num("total_tokens"), 0.0);
    assert_eq!(
        s.records(REQUEST_DURATION),
        vec![(labels(&["chat", "", "", ""]), 0)]
    );
}

#[test]
fn compressed_body_is_not_parsed() {
    let mut s = Stream::request("/v1/chat/completions", "m");
    let mut headers = json_headers("b");
    headers.push(("content-encoding", "gzip"));
    s.response_headers(&headers, false);
    s.chunk(CHAT, true);
    assert_eq!(s.num("total_tokens"), 0.0);
    assert!(s.records(TOKEN_USAGE).is_empty());
}

#[test]
fn oversized_body_passes_through_and_is_not_parsed() {
    let mut s = Stream::request("/v1/chat/completions", "m");
    s.response_headers(&json_headers("b"), false);
    let big = vec![b' '; 9 << 20];
    s.chunk(&big, false);
    s.chunk(&big, false);
    s.chunk(CHAT, true);
    assert_eq!(s.num("total_tokens"), 0.0);
    let warnings: Vec<_> = s
        .host
        .logs
        .borrow()
        .iter()
        .filter(|(level, _)| *level == LogLevel::Warn)
        .cloned()
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].1.contains("larger than 16777216 bytes"));
}
