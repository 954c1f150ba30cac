//! Gemini `usageMetadata` to an OpenAI `usage` object.

use serde_json::{Value, json};

fn count(meta: &Value, name: &str) -> u64 {
    meta.get(name).and_then(Value::as_u64).unwrap_or(0)
}

/// `promptTokenCount` -> `prompt_tokens`, `candidatesTokenCount + thoughtsTokenCount` ->
/// `completion_tokens` (OpenAI counts reasoning inside completion tokens),
/// `cachedContentTokenCount` -> `prompt_tokens_details.cached_tokens`,
/// `thoughtsTokenCount` -> `completion_tokens_details.reasoning_tokens`; `total_tokens` is
/// `totalTokenCount` when given, else the sum.
pub(crate) fn openai_usage(meta: &Value) -> Value {
    let prompt = count(meta, "promptTokenCount") + count(meta, "toolUsePromptTokenCount");
    let thoughts = count(meta, "thoughtsTokenCount");
    let completion = count(meta, "candidatesTokenCount") + thoughts;
    let total = meta
        .get("totalTokenCount")
        .and_then(Value::as_u64)
        .unwrap_or(prompt + completion);
    json!({
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": total,
        "prompt_tokens_details": { "cached_tokens": count(meta, "cachedContentTokenCount") },
        "completion_tokens_details": { "reasoning_tokens": thoughts },
    })
}
