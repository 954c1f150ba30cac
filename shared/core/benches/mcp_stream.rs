//! Per-chunk work of an MCP answer forwarded through Envoy's router: an SSE answer of 100
//! progress notifications and the result, one event per chunk, watched for its error type
//! and passed through the server-request relabeller; the same with a server request in the
//! middle (one event rewritten); and a 4 KiB JSON answer watched in two chunks.

use aigw_core::mcp::answer::AnswerWatch;
use aigw_core::mcp::server_requests::SseRelabel;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use std::hint::black_box;

/// One SSE event carrying `message`.
fn event(message: &serde_json::Value) -> Vec<u8> {
    format!("event: message\ndata: {message}\n\n").into_bytes()
}

/// 100 progress notifications, optionally an elicitation request, then the result.
fn stream(with_request: bool) -> Vec<Vec<u8>> {
    let mut events: Vec<Vec<u8>> = (1..=100)
        .map(|i| {
            event(
                &json!({"jsonrpc": "2.0", "method": "notifications/progress",
                "params": {"progressToken": 7, "progress": i, "total": 100,
                    "message": format!("step {i}")}}),
            )
        })
        .collect();
    if with_request {
        events.insert(
            50,
            event(
                &json!({"jsonrpc": "2.0", "id": 0, "method": "elicitation/create",
                "params": {"message": "Continue?", "requestedSchema": {"type": "object"}}}),
            ),
        );
    }
    events.push(event(&json!({"jsonrpc": "2.0", "id": 9,
        "result": {"content": [{"type": "text", "text": "done"}], "isError": false}})));
    events
}

/// What the filter does per chunk of an SSE answer.
fn forward_sse(chunks: &[Vec<u8>]) -> usize {
    let mut watch = AnswerWatch::new(200, Some("text/event-stream"));
    let mut relabel = SseRelabel::new("weather", "__");
    let mut passed = 0;
    for chunk in chunks {
        watch.feed(chunk);
        passed += relabel.feed(chunk).map_or(chunk.len(), |out| out.len());
    }
    passed += relabel.finish().len();
    assert!(watch.finish().is_none());
    passed
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("mcp_stream");
    let plain = stream(false);
    group.bench_function("sse_102_events", |b| {
        b.iter(|| forward_sse(black_box(&plain)))
    });
    let asking = stream(true);
    group.bench_function("sse_103_events_one_request", |b| {
        b.iter(|| forward_sse(black_box(&asking)))
    });
    let text = "x".repeat(4096);
    let body = json!({"jsonrpc": "2.0", "id": 9,
        "result": {"content": [{"type": "text", "text": text}]}})
    .to_string()
    .into_bytes();
    let (head, tail) = body.split_at(body.len() / 2);
    group.bench_function("json_4k_two_chunks", |b| {
        b.iter(|| {
            let mut watch = AnswerWatch::new(200, Some("application/json"));
            watch.feed(black_box(head));
            watch.feed(black_box(tail));
            watch.finish()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
