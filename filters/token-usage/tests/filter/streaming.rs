//! Streamed (SSE) responses.

use crate::common::*;
use aigw_core::metrics::{
    REQUEST_DURATION, TIME_PER_OUTPUT_TOKEN, TIME_TO_FIRST_TOKEN, TOKEN_USAGE,
};
use aigw_host::{Host, LogLevel};

/// Byte offset where the `n`th event (0-based) of `stream` starts.
fn event_start(stream: &[u8], n: usize) -> usize {
    let mut starts = stream
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w == b"\n\n")
        .map(|(i, _)| i + 2);
    if n == 0 {
        0
    } else {
        starts.nth(n - 1).unwrap()
    }
}

#[test]
fn chat_stream_reports_usage_and_latencies() {
    let mut s = Stream::request("/v1/chat/completions", "gpt-4o-mini");
    s.response_headers(&sse_headers("openai"), false);
    assert_eq!(s.host.response_header("x-aigw-backend"), None);
    // Event 0 is the role chunk (no content); event 1 carries the first token. Split
    // mid-event so the first token completes in the second chunk.
    let first = event_start(CHAT_STREAM, 1) + 10;
    let (head, rest) = CHAT_STREAM.split_at(first);
    let (middle, tail) = rest.split_at(rest.len() / 2);
    s.advance(100);
    s.chunk(head, false);
    s.advance(200);
    s.chunk(middle, false);
    s.advance(1000);
    s.chunk(tail, true);

    assert_eq!(s.num("input_tokens"), 31.0);
    assert_eq!(s.num("output_tokens"), 26.0);
    assert_eq!(s.num("total_tokens"), 57.0);
    assert_eq!(s.num("cached_input_tokens"), 0.0);
    assert_eq!(s.num("llm_total_token"), 57.0);
    assert_eq!(s.str("response_model"), "gpt-4o-mini-2024-07-18");
    assert_eq!(s.str("backend"), "openai");

    let base = labels(&["chat", "gpt-4o-mini", "gpt-4o-mini-2024-07-18", "openai"]);
    assert_eq!(s.records(REQUEST_DURATION), vec![(base.clone(), 1300)]);
    assert_eq!(s.records(TIME_TO_FIRST_TOKEN), vec![(base.clone(), 300)]);
    // (1300 - 300) ms over 26 - 1 tokens.
    assert_eq!(s.records(TIME_PER_OUTPUT_TOKEN), vec![(base, 40)]);
    let tokens: Vec<(String, u64)> = s
        .records(TOKEN_USAGE)
        .into_iter()
        .map(|(l, v)| (l[4].clone(), v))
        .collect();
    assert_eq!(
        tokens,
        vec![("input".to_string(), 31), ("output".to_string(), 26)]
    );
}

#[test]
fn stream_split_at_every_byte_reports_the_same_usage() {
    for at in (0..COMPLETIONS_STREAM.len()).step_by(7) {
        let mut s = Stream::request("/v1/completions", "gpt-3.5-turbo-instruct");
        s.response_headers(&sse_headers("b"), false);
        let (a, b) = COMPLETIONS_STREAM.split_at(at);
        s.chunk(a, false);
        s.chunk(b, true);
        assert_eq!(s.num("input_tokens"), 5.0, "split at {at}");
        assert_eq!(s.num("output_tokens"), 4.0, "split at {at}");
        assert_eq!(s.num("cached_input_tokens"), 2.0, "split at {at}");
        assert_eq!(s.num("llm_cached"), 2.0, "split at {at}");
        assert_eq!(s.records(TIME_TO_FIRST_TOKEN).len(), 1, "split at {at}");
    }
}

#[test]
fn stream_without_usage_writes_zeros_and_latencies() {
    let mut s = Stream::request("/v1/chat/completions", "m");
    s.response_headers(&sse_headers("b"), false);
    s.advance(5);
    s.chunk(NO_USAGE_STREAM, true);
    assert_eq!(s.num("output_tokens"), 0.0);
    assert!(s.records(TOKEN_USAGE).is_empty());
    assert_eq!(s.records(TIME_TO_FIRST_TOKEN)[0].1, 5);
    assert_eq!(s.records(TIME_PER_OUTPUT_TOKEN)[0].1, 0);
}

#[test]
fn client_disconnect_records_what_was_seen_once() {
    let mut s = Stream::request("/v1/chat/completions", "m");
    s.response_headers(&sse_headers("b"), false);
    let cut = event_start(CHAT_STREAM, 3) + 5;
    s.advance(50);
    s.chunk(&CHAT_STREAM[..cut], false);
    s.advance(50);
    s.complete();
    s.complete();

    // Events 1 and 2 carried output ("The", " capital"): charged as two output tokens.
    assert_eq!(s.num("output_tokens"), 2.0);
    assert_eq!(s.num("total_tokens"), 2.0);
    assert_eq!(s.num("input_tokens"), 0.0);
    assert_eq!(s.num("llm_total_token"), 2.0);
    assert_eq!(s.str("response_model"), "gpt-4o-mini-2024-07-18");
    let base = labels(&["chat", "m", "gpt-4o-mini-2024-07-18", "b"]);
    assert_eq!(s.records(REQUEST_DURATION), vec![(base.clone(), 100)]);
    assert_eq!(s.records(TIME_TO_FIRST_TOKEN), vec![(base.clone(), 50)]);
    let with = |t: &str| {
        let mut l = base.clone();
        l.push(t.to_string());
        l
    };
    assert_eq!(
        s.records(TOKEN_USAGE),
        vec![(with("input"), 0), (with("output"), 2)]
    );
}

#[test]
fn stream_cut_after_its_usage_keeps_the_reported_usage() {
    let mut s = Stream::request("/v1/chat/completions", "m");
    s.response_headers(&sse_headers("b"), false);
    let before_done = CHAT_STREAM.len() - "data: [DONE]\n\n".len();
    s.chunk(&CHAT_STREAM[..before_done], false);
    s.complete();
    let reported = s.num("output_tokens");
    assert!(reported > 2.0, "{reported}");
}

#[test]
fn stream_cut_before_any_output_has_no_usage() {
    let mut s = Stream::request("/v1/chat/completions", "m");
    s.response_headers(&sse_headers("b"), false);
    s.chunk(&CHAT_STREAM[..event_start(CHAT_STREAM, 1)], false);
    s.complete();
    assert_eq!(s.num("output_tokens"), 0.0);
    assert!(s.records(TOKEN_USAGE).is_empty());
}

#[test]
fn malformed_events_are_skipped_and_logged_once() {
    let mut s = Stream::request("/v1/chat/completions", "m");
    s.response_headers(&sse_headers("b"), false);
    s.chunk(b"data: {oops\n\ndata: nope\n\n", false);
    s.chunk(CHAT_STREAM, true);
    assert_eq!(s.num("total_tokens"), 57.0);
    let logs = s.host.logs.borrow();
    let skipped = logs
        .iter()
        .filter(|(_, m)| m.contains("skipping SSE event"))
        .count();
    assert_eq!(skipped, 1);
}

#[test]
fn broken_framing_stops_parsing_but_not_the_stream() {
    let mut s = Stream::request("/v1/chat/completions", "m");
    s.response_headers(&sse_headers("b"), false);
    let huge_line = vec![b'x'; (1 << 20) + 1];
    s.chunk(&huge_line, false);
    s.chunk(CHAT_STREAM, true);
    assert_eq!(s.num("total_tokens"), 0.0);
    let logs = s.host.logs.borrow();
    let warnings: Vec<_> = logs.iter().filter(|(l, _)| *l == LogLevel::Warn).collect();
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].1.contains("SSE line longer than 1048576 bytes"));
}
