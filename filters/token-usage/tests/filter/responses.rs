//! The OpenAI Responses API (`/v1/responses`), buffered and streamed.

use crate::common::*;
use aigw_core::metrics::{TIME_TO_FIRST_TOKEN, TOKEN_USAGE};

const MODEL: &str = "o4-mini-2025-04-16";

/// Checks the metadata and token metrics of the captured response (both captures report
/// the same usage).
fn assert_captured_usage(s: &Stream, at: &str) {
    assert_eq!(s.num("input_tokens"), 37.0, "{at}");
    assert_eq!(s.num("output_tokens"), 72.0, "{at}");
    assert_eq!(s.num("total_tokens"), 109.0, "{at}");
    assert_eq!(s.num("cached_input_tokens"), 12.0, "{at}");
    assert_eq!(s.num("reasoning_tokens"), 64.0, "{at}");
    assert_eq!(s.num("llm_total_token"), 109.0, "{at}");
    assert_eq!(s.num("llm_cached"), 12.0, "{at}");
    assert_eq!(s.str("response_model"), MODEL, "{at}");
    let tokens: Vec<(String, String, u64)> = s
        .records(TOKEN_USAGE)
        .into_iter()
        .map(|(l, v)| (l[0].clone(), l[4].clone(), v))
        .collect();
    let row = |t: &str, v| ("chat".to_string(), t.to_string(), v);
    assert_eq!(
        tokens,
        vec![
            row("input", 37),
            row("output", 72),
            row("cached_input", 12),
            row("reasoning", 64)
        ],
        "{at}"
    );
}

#[test]
fn buffered_response_usage_is_recorded_as_chat() {
    let mut s = Stream::request("/v1/responses", "o4-mini");
    s.response_headers(&json_headers("openai"), false);
    let (a, b) = RESPONSES.split_at(RESPONSES.len() / 3);
    s.chunk(a, false);
    s.chunk(b, true);
    assert_captured_usage(&s, "buffered");
    assert_eq!(s.str("backend"), "openai");
    assert!(s.records(TIME_TO_FIRST_TOKEN).is_empty());
}

#[test]
fn stream_split_at_every_byte_reports_the_same_usage() {
    for at in 0..=RESPONSES_STREAM.len() {
        let mut s = Stream::request("/v1/responses?x=1", "o4-mini");
        s.response_headers(&sse_headers("openai"), false);
        let (a, b) = RESPONSES_STREAM.split_at(at);
        s.chunk(a, false);
        s.chunk(b, true);
        assert_captured_usage(&s, &format!("split at {at}"));
        assert_eq!(s.records(TIME_TO_FIRST_TOKEN).len(), 1, "split at {at}");
    }
}

#[test]
fn client_disconnect_charges_the_deltas_it_received() {
    let mut s = Stream::request("/v1/responses", "o4-mini");
    s.response_headers(&sse_headers("openai"), false);
    // Cut inside the fourth text delta: three deltas were received whole.
    let mut deltas = RESPONSES_STREAM
        .windows(b"event: response.output_text.delta".len())
        .enumerate()
        .filter(|(_, w)| *w == b"event: response.output_text.delta")
        .map(|(i, _)| i);
    let cut = deltas.nth(3).unwrap() + 10;
    s.chunk(&RESPONSES_STREAM[..cut], false);
    s.complete();
    s.complete();
    assert_eq!(s.num("output_tokens"), 3.0);
    assert_eq!(s.num("total_tokens"), 3.0);
    assert_eq!(s.num("llm_total_token"), 3.0);
    assert_eq!(s.str("response_model"), MODEL);
    assert_eq!(s.records(TOKEN_USAGE).len(), 2);
}

#[test]
fn other_responses_paths_are_not_exchanges() {
    let mut s = Stream::request("/v1/responses/resp_123", "");
    s.response_headers(&json_headers("openai"), false);
    s.chunk(RESPONSES, true);
    assert!(s.host.metadata.is_empty());
}
