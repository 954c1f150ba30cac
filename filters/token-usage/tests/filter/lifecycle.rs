//! Pass-through paths, non-2xx responses, headers-only responses, exactly-once reporting.

use crate::common::*;
use aigw_core::metrics::{REQUEST_DURATION, TIME_TO_FIRST_TOKEN, TOKEN_USAGE};
use aigw_host::test_host::TestHost;
use aigw_host::{Filter, FilterFactory, Host};
use aigw_token_usage::TokenUsageFactory;

#[test]
fn other_paths_pass_through_untouched() {
    let (factory, _) = TestHost::factory::<TokenUsageFactory>(CONFIG).unwrap();
    let mut filter = factory.create_filter();
    let mut host = TestHost::with_request_headers(&[(":path", "/v1/models")]);
    host.response_headers = vec![
        (":status".to_string(), "200".to_string()),
        ("x-aigw-backend".to_string(), "b".to_string()),
    ];
    let out = host.run_response(&mut filter, &[CHAT]);
    filter.on_stream_complete(&mut host);
    assert_eq!(out, CHAT);
    assert!(host.metadata.is_empty());
    assert!(host.metric_records.is_empty());
    assert_eq!(host.response_header("x-aigw-backend").as_deref(), Some("b"));
}

#[test]
fn run_response_passes_the_body_through() {
    let (factory, _) = TestHost::factory::<TokenUsageFactory>(CONFIG).unwrap();
    let mut filter = factory.create_filter();
    let mut host = TestHost::with_request_headers(&[(":path", "/v1/chat/completions")]);
    filter.on_request_headers(&mut host, false);
    host.response_headers = vec![(":status".to_string(), "200".to_string())];
    let (a, b) = CHAT_STREAM.split_at(333);
    assert_eq!(host.run_response(&mut filter, &[a, b]), CHAT_STREAM);
    assert_eq!(
        host.metric_records.len(),
        1,
        "not SSE: one duration, no usage"
    );
}

#[test]
fn non_2xx_records_duration_only() {
    let mut s = Stream::request("/v1/chat/completions", "gpt-4o");
    let headers = [
        (":status", "429"),
        ("content-type", "application/json"),
        ("x-aigw-backend", "openai"),
    ];
    s.response_headers(&headers, false);
    assert_eq!(s.host.response_header("x-aigw-backend"), None);
    s.advance(12);
    s.chunk(
        br#"{"error":{"message":"rate limited","type":"requests"}}"#,
        true,
    );
    assert!(s.host.metadata.is_empty());
    assert_eq!(
        s.records(REQUEST_DURATION),
        vec![(labels(&["chat", "gpt-4o", "", "openai"]), 12)]
    );
    assert_eq!(s.host.metric_records.len(), 1);
}

#[test]
fn non_2xx_stream_records_duration_only() {
    let mut s = Stream::request("/v1/chat/completions", "m");
    let mut headers = sse_headers("b");
    headers[0] = (":status", "500");
    s.response_headers(&headers, false);
    s.chunk(CHAT_STREAM, true);
    assert!(s.host.metadata.is_empty());
    assert!(s.records(TIME_TO_FIRST_TOKEN).is_empty());
    assert_eq!(s.host.metric_records.len(), 1);
}

#[test]
fn headers_only_response_reports_at_headers() {
    let mut s = Stream::request("/v1/chat/completions", "m");
    s.advance(3);
    s.response_headers(&json_headers("b"), true);
    assert_eq!(s.num("total_tokens"), 0.0);
    assert_eq!(s.str("backend"), "b");
    s.complete();
    assert_eq!(s.records(REQUEST_DURATION).len(), 1);
    assert!(s.records(TOKEN_USAGE).is_empty());
}

#[test]
fn reports_exactly_once() {
    let mut s = Stream::request("/v1/chat/completions", "m");
    s.response_headers(&json_headers("b"), false);
    s.chunk(CHAT, true);
    let after_end = s.host.metric_records.len();
    s.complete();
    s.complete();
    assert_eq!(s.host.metric_records.len(), after_end);
    assert_eq!(after_end, 4);
}

#[test]
fn stream_reset_before_response_records_duration() {
    let mut s = Stream::request("/v1/chat/completions", "m");
    s.advance(30);
    s.complete();
    assert!(s.host.metadata.is_empty());
    assert_eq!(
        s.records(REQUEST_DURATION),
        vec![(labels(&["chat", "m", "", ""]), 30)]
    );
}

#[test]
fn buffered_body_cut_short_is_parsed_as_far_as_it_got() {
    let mut s = Stream::request("/v1/chat/completions", "m");
    s.response_headers(&json_headers("b"), false);
    s.chunk(&CHAT[..50], false);
    s.complete();
    assert_eq!(s.num("total_tokens"), 0.0);
    assert_eq!(s.records(REQUEST_DURATION).len(), 1);
}
