//! Prompt-token estimate of a chat request of about 1,000 tokens (system prompt, three
//! turns and one tool), per model family encoding; the whole rate-limit reservation of that
//! request and of a short one; and a CEL cost evaluation.

use aigw_core::api_kind::ApiKind;
use aigw_core::cost::CostInput;
use aigw_core::cost_cel::CelCost;
use aigw_core::reservation::reserved_tokens;
use aigw_core::token_estimate::estimate_chat_request;
use aigw_core::usage::TokenUsage;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use std::hint::black_box;

/// A chat request for `model` whose prompt is about 1,000 tokens.
fn request(model: &str) -> Vec<u8> {
    let paragraph = "The gateway reads each response's usage, computes the configured costs and \
        writes them to request metadata, so that budgets reserved before the call from an \
        estimate of the prompt can be reconciled with what the provider reports at the end. ";
    let body = json!({
        "model": model,
        "messages": [
            {"role": "system", "content": "You are a careful assistant. Answer briefly."},
            {"role": "user", "content": paragraph.repeat(12)},
            {"role": "assistant", "content": paragraph.repeat(6)},
            {"role": "user", "content": format!("{} Summarise the above.", paragraph.repeat(4))},
        ],
        "tools": [{"type": "function", "function": {
            "name": "get_weather", "description": "Get the current weather in a city.",
            "parameters": {"type": "object", "properties": {
                "city": {"type": "string", "description": "City name."},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}}}}],
    });
    serde_json::to_vec(&body).expect("serialisable")
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("token_estimate");
    for model in ["gpt-4o-mini", "gpt-4"] {
        let body = request(model);
        let tokens = estimate_chat_request(&body).expect("chat request");
        assert!((900..=1100).contains(&tokens), "{model}: {tokens} tokens");
        group.bench_function(format!("chat_1k_tokens_{model}"), |b| {
            b.iter(|| estimate_chat_request(black_box(&body)))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("reservation");
    let short = serde_json::to_vec(&json!({
        "model": "gpt-4o-mini", "max_tokens": 200,
        "messages": [{"role": "user", "content": "Write a haiku about rate limits."}],
    }))
    .expect("serialisable");
    for (name, body) in [
        ("chat_short", short),
        ("chat_1k_tokens", request("gpt-4o-mini")),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| reserved_tokens(ApiKind::ChatCompletions, black_box(&body), None, 256))
        });
    }
    group.finish();

    let cost = CelCost::compile(
        "(input_tokens - cached_input_tokens) * 3 + cached_input_tokens + output_tokens * 12 \
         + (model.startsWith('o') ? reasoning_tokens * 2 : 0)",
    )
    .expect("valid expression");
    let usage = TokenUsage {
        input_tokens: 1200,
        output_tokens: 300,
        total_tokens: 1500,
        cached_input_tokens: 1024,
        cache_creation_input_tokens: 0,
        reasoning_tokens: 128,
    };
    let input = CostInput {
        usage: &usage,
        model: "o3-mini",
        backend: "openai",
        route_name: "reasoners",
    };
    c.bench_function("cost/cel_expression", |b| {
        b.iter(|| cost.evaluate(black_box(&input)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
