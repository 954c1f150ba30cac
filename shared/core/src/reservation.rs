//! The token reservation a rate limit takes before a request goes upstream: the prompt's
//! tokenizer estimate ([`crate::token_estimate`], encoding by model family) plus the output
//! cap the client asked for (or a configured default). Settled against the real usage at
//! stream end, so an over-estimate is given back.

use crate::api_kind::ApiKind;
use crate::token_estimate::{
    Encoding, estimate_anthropic_request, estimate_chat_request, estimate_responses_request,
};
use serde_json::Value;

/// Output tokens reserved when a chat or completions request names no output cap and the
/// config sets no other default.
pub const DEFAULT_OUTPUT_RESERVATION: u64 = 256;

/// Tokens to reserve for a request of `kind` with body `body` (already validated by the
/// router) and the client's output cap (`max_completion_tokens` / `max_tokens`): the prompt
/// estimate, plus the cap (or `default_output`) for chat and completions; embeddings
/// produce no output tokens. A body whose prompt cannot be read is estimated at a quarter of
/// its bytes.
pub fn reserved_tokens(
    kind: ApiKind,
    body: &[u8],
    max_output_tokens: Option<u64>,
    default_output: u64,
) -> u64 {
    let prompt = match kind {
        ApiKind::ChatCompletions => estimate_chat_request(body),
        ApiKind::Completions => estimate_input(body, "prompt"),
        ApiKind::Embeddings => estimate_input(body, "input"),
    }
    .unwrap_or_else(|| (body.len() as u64).div_ceil(4));
    let output = match kind {
        ApiKind::Embeddings => 0,
        ApiKind::ChatCompletions | ApiKind::Completions => {
            max_output_tokens.unwrap_or(default_output)
        }
    };
    prompt.saturating_add(output)
}

/// Tokens to reserve for an Anthropic Messages request (`/anthropic/v1/messages`, already
/// checked, so `max_tokens` is present): the prompt estimate plus `max_tokens`.
pub fn reserved_tokens_anthropic(body: &[u8]) -> u64 {
    match estimate_anthropic_request(body) {
        Some((prompt, max_tokens)) => {
            prompt.saturating_add(max_tokens.unwrap_or(DEFAULT_OUTPUT_RESERVATION))
        }
        None => (body.len() as u64).div_ceil(4),
    }
}

/// Tokens to reserve for a Responses API request (`/v1/responses`, whose `model` the router
/// checked): the prompt estimate (`instructions`, `input`, function tools) plus its
/// `max_output_tokens`, or `default_output` when it names none.
pub fn reserved_tokens_responses(body: &[u8], default_output: u64) -> u64 {
    match estimate_responses_request(body) {
        Some((prompt, max_output)) => prompt.saturating_add(max_output.unwrap_or(default_output)),
        None => (body.len() as u64)
            .div_ceil(4)
            .saturating_add(default_output),
    }
}

/// Tokens of a completions `prompt` or embeddings `input` (`field`): a string, an array of
/// strings, an array of token ids or an array of token-id arrays. `None` when the body has
/// no such field.
fn estimate_input(body: &[u8], field: &str) -> Option<u64> {
    let request: Value = serde_json::from_slice(body).ok()?;
    let encoding = Encoding::for_model(request.get("model")?.as_str().unwrap_or_default());
    Some(input_tokens(encoding, request.get(field)?))
}

/// Tokens of one input value (see [`estimate_input`]).
fn input_tokens(encoding: Encoding, value: &Value) -> u64 {
    match value {
        Value::String(text) => encoding.count(text),
        Value::Number(_) => 1,
        Value::Array(items) => items.iter().map(|i| input_tokens(encoding, i)).sum(),
        _ => 0,
    }
}

/// Loads the BPE tables of every encoding, so the first rate-limited request of a worker
/// does not pay for it (called when a filter config with reservations is loaded).
pub fn warm_up() {
    for encoding in [Encoding::O200kBase, Encoding::Cl100kBase] {
        encoding.count("");
    }
}

#[cfg(test)]
#[path = "reservation_tests.rs"]
mod tests;
