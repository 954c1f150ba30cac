//! Bedrock streaming: the per-frame cost of turning ConverseStream event-stream frames into
//! OpenAI SSE chunks (decode with CRC checks, parse, serialize), on a 100-delta text stream
//! shaped like `testdata/bedrock/35_stream_text_usage`, one frame per upstream chunk; and
//! the same frames through the Anthropic Messages chain (frames -> OpenAI chunk values ->
//! Anthropic events), what a Messages client of a Bedrock backend costs per frame; and, to
//! compare, the chain with OpenAI SSE bytes written and parsed again between its two
//! translators.

use aigw_core::anthropic::messages::chain::chain_request;
use aigw_core::anthropic::messages::stream::StreamTranslator as MessagesTranslator;
use aigw_core::bedrock::ResponseContext;
use aigw_core::bedrock::eventstream::{Frame, encode_frame};
use aigw_core::bedrock::stream::StreamTranslator;
use aigw_core::chat_schema::{BedrockChat, ChunkStream, ResponseHead};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

/// Content deltas in the benchmarked stream.
const DELTAS: usize = 100;

fn event(kind: &str, payload: &str, out: &mut Vec<u8>) {
    let headers = [
        (":event-type", kind),
        (":content-type", "application/json"),
        (":message-type", "event"),
    ];
    encode_frame(&Frame::with_strings(&headers, payload.as_bytes()), out);
}

/// A stream of `DELTAS` text deltas, split the way they arrive: one frame per chunk.
fn stream() -> Vec<Vec<u8>> {
    let mut chunks = Vec::new();
    let mut one = Vec::new();
    event(
        "messageStart",
        r#"{"p":"abcdefghij","role":"assistant"}"#,
        &mut one,
    );
    chunks.push(std::mem::take(&mut one));
    for _ in 0..DELTAS {
        event(
            "contentBlockDelta",
            r#"{"contentBlockIndex":0,"delta":{"text":" word"},"p":"abcd"}"#,
            &mut one,
        );
        chunks.push(std::mem::take(&mut one));
    }
    event(
        "contentBlockStop",
        r#"{"contentBlockIndex":0,"p":"abcdefg"}"#,
        &mut one,
    );
    event(
        "messageStop",
        r#"{"p":"abcdef","stopReason":"end_turn"}"#,
        &mut one,
    );
    event(
        "metadata",
        r#"{"metrics":{"latencyMs":410},"p":"ab","usage":{"inputTokens":12,"outputTokens":100,"totalTokens":112}}"#,
        &mut one,
    );
    chunks.push(one);
    chunks
}

fn translate(c: &mut Criterion) {
    let chunks = stream();
    let context = ResponseContext::new(
        Some("7a6c2d1e-0000-4000-8000-000000000001"),
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
        1_700_000_000,
    );
    let mut group = c.benchmark_group("bedrock_stream");
    group.throughput(Throughput::Elements(chunks.len() as u64));
    group.bench_function("frames_to_sse", |b| {
        b.iter(|| {
            let mut t = StreamTranslator::new(context.clone(), true);
            let mut out = 0;
            for chunk in &chunks {
                out += t.feed(black_box(chunk)).len();
            }
            out + t.finish().len()
        })
    });
    let messages = br#"{"model":"anthropic.claude-3-5-sonnet-20240620-v1:0","max_tokens":256,"stream":true,"messages":[{"role":"user","content":"hi"}]}"#;
    let answer = chain_request(&BedrockChat, messages, None, 1_700_000_000)
        .expect("a valid Messages request")
        .answer;
    let head = ResponseHead {
        status: 200,
        request_id: Some("7a6c2d1e-0000-4000-8000-000000000001".to_string()),
        error_type: None,
        input_tokens: None,
    };
    group.bench_function("frames_to_anthropic_events", |b| {
        b.iter(|| {
            let mut t = answer.stream(&head);
            let mut out = 0;
            for chunk in &chunks {
                out += t.feed(black_box(chunk)).len();
            }
            out + t.finish().len()
        })
    });
    group.bench_function("frames_to_sse_to_anthropic_events", |b| {
        b.iter(|| {
            let mut t = StreamTranslator::new(context.clone(), true);
            let mut m = MessagesTranslator::new();
            let mut out = 0;
            for chunk in &chunks {
                out += m.feed(&t.feed(black_box(chunk))).len();
            }
            out += m.feed(&t.finish()).len();
            out + m.finish().len()
        })
    });
    group.finish();
}

criterion_group!(benches, translate);
criterion_main!(benches);
