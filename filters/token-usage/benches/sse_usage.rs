//! SSE parsing plus usage extraction over a realistic streamed chat completion, fed in
//! network-sized chunks, and a whole non-streaming response.

use aigw_core::sse::SseParser;
use aigw_core::usage::{StreamUsage, extract_response_usage};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

const CHAT_STREAM: &[u8] = include_bytes!("../../../testdata/openai/chat_stream.sse");
const CHAT: &[u8] = include_bytes!("../../../testdata/openai/chat_completion.json");

fn stream_usage(chunks: &[&[u8]]) -> (u64, bool) {
    let mut parser = SseParser::default();
    let mut usage = StreamUsage::default();
    let mut saw_output = false;
    let mut on_event = |event: aigw_core::sse::SseEvent<'_>| {
        saw_output |= usage.on_event_data(event.data).unwrap_or(false);
    };
    for chunk in chunks {
        parser.feed(chunk, &mut on_event).expect("valid stream");
    }
    parser.finish(&mut on_event).expect("valid stream");
    let total = usage.tally().usage().map_or(0, |u| u.total_tokens);
    (total, saw_output)
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("token_usage");
    group.throughput(Throughput::Bytes(CHAT_STREAM.len() as u64));
    for chunk_size in [64, 512, 4096] {
        let chunks: Vec<&[u8]> = CHAT_STREAM.chunks(chunk_size).collect();
        group.bench_function(format!("chat_stream_chunks_{chunk_size}"), |b| {
            b.iter(|| stream_usage(black_box(&chunks)))
        });
    }
    group.throughput(Throughput::Bytes(CHAT.len() as u64));
    group.bench_function("chat_completion_body", |b| {
        b.iter(|| extract_response_usage(black_box(CHAT)).expect("valid body"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
