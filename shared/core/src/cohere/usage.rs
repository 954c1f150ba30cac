//! Cohere `usage` to an OpenAI `usage` object.

use serde_json::{Value, json};

fn count(usage: &Value, group: &str, name: &str) -> Option<u64> {
    usage.get(group)?.get(name)?.as_u64()
}

/// `tokens.input_tokens` / `tokens.output_tokens` (what the model read and wrote), else
/// `billed_units` of the same names, become `prompt_tokens` / `completion_tokens`;
/// `cached_tokens` becomes `prompt_tokens_details.cached_tokens`.
pub(crate) fn openai_usage(usage: &Value) -> Value {
    let pick = |name: &str| {
        count(usage, "tokens", name)
            .or_else(|| count(usage, "billed_units", name))
            .unwrap_or(0)
    };
    let prompt = pick("input_tokens");
    let completion = pick("output_tokens");
    let cached = usage
        .get("cached_tokens")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    json!({
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": { "cached_tokens": cached },
        "completion_tokens_details": { "reasoning_tokens": 0 },
    })
}
