//! Responses in Anthropic's schema (clients of `/anthropic/v1/messages`).

use crate::common::*;
use aigw_core::metrics::{TIME_TO_FIRST_TOKEN, TOKEN_USAGE};

const MESSAGE: &[u8] = br#"{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn","usage":{"input_tokens":12,"output_tokens":6,"cache_read_input_tokens":100,"cache_creation_input_tokens":8}}"#;

const STREAM: &[u8] = b"event: message_start\n\
data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\",\"model\":\"claude-haiku-4-5\",\"content\":[],\"usage\":{\"input_tokens\":20,\"output_tokens\":1,\"cache_read_input_tokens\":4}}}\n\n\
event: ping\ndata: {\"type\":\"ping\"}\n\n\
event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n\
event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n\
event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n\
event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":9}}\n\n\
event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

#[test]
fn message_usage_counts_cached_prompt_tokens() {
    let mut s = Stream::request("/anthropic/v1/messages", "claude-gw");
    s.response_headers(&json_headers("anthropic"), false);
    s.chunk(&MESSAGE[..50], false);
    s.chunk(&MESSAGE[50..], true);
    assert_eq!(s.num("input_tokens"), 120.0);
    assert_eq!(s.num("output_tokens"), 6.0);
    assert_eq!(s.num("total_tokens"), 126.0);
    assert_eq!(s.num("cached_input_tokens"), 100.0);
    assert_eq!(s.num("llm_total_token"), 126.0);
    assert_eq!(s.num("llm_cached"), 100.0);
    assert_eq!(s.str("response_model"), "claude-sonnet-4-5-20250929");
    assert_eq!(s.str("request_model"), "claude-gw");
    let base = [
        "chat",
        "claude-gw",
        "claude-sonnet-4-5-20250929",
        "anthropic",
    ];
    let input = labels(&[&base[..], &["input"]].concat());
    let output = labels(&[&base[..], &["output"]].concat());
    let cached = labels(&[&base[..], &["cached_input"]].concat());
    let creation = labels(&[&base[..], &["cache_creation_input"]].concat());
    assert_eq!(
        s.records(TOKEN_USAGE),
        vec![(input, 120), (output, 6), (cached, 100), (creation, 8)]
    );
}

#[test]
fn event_stream_takes_start_and_delta_usage() {
    let mut s = Stream::request("/anthropic/v1/messages?beta=true", "claude-gw");
    s.response_headers(&sse_headers("anthropic"), false);
    s.advance(40);
    for piece in STREAM.chunks(37) {
        s.chunk(piece, false);
    }
    s.chunk(b"", true);
    assert_eq!(s.num("input_tokens"), 24.0);
    assert_eq!(s.num("output_tokens"), 9.0);
    assert_eq!(s.num("cached_input_tokens"), 4.0);
    assert_eq!(s.str("response_model"), "claude-haiku-4-5");
    assert_eq!(s.records(TIME_TO_FIRST_TOKEN).len(), 1);
}

#[test]
fn count_tokens_is_not_an_exchange() {
    let mut s = Stream::request("/anthropic/v1/messages/count_tokens", "claude-gw");
    s.response_headers(&json_headers("anthropic"), false);
    s.chunk(br#"{"input_tokens":5}"#, true);
    assert!(s.host.metadata.is_empty());
}
