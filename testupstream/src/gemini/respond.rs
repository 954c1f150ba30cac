//! Deterministic Gemini answers: a text reply (or a call of the first declared function),
//! buffered or as `alt=sse` events, and embeddings.

use bytes::Bytes;
use serde_json::{Value, json};
use xxhash_rust::xxh3::xxh3_64;

use super::validate::Generate;
use crate::respond::{EMBEDDING_DIMS, embedding_of_size};
use crate::validate::word_count;

/// What the model "says": a function call, or text.
enum Reply {
    Call(Value),
    Text(String),
}

/// A function call when functions are declared, calling is allowed and the last turn is not
/// already answering calls; after function responses, text quoting them; else an echo.
fn reply(backend: &str, request: &Generate) -> Reply {
    if let Some((name, required)) = &request.first_function
        && request.calling_allowed
        && request.function_responses.is_empty()
    {
        let args: serde_json::Map<String, Value> = required
            .iter()
            .map(|(param, ty)| {
                let value = match ty.as_str() {
                    "NUMBER" | "INTEGER" => json!(1),
                    "BOOLEAN" => json!(true),
                    _ => json!("test"),
                };
                (param.clone(), value)
            })
            .collect();
        return Reply::Call(json!({ "name": name, "args": args }));
    }
    if !request.function_responses.is_empty() {
        return Reply::Text(format!(
            "Hello from {backend}! The tool said: {}",
            request.function_responses.join(", ")
        ));
    }
    let echo: Vec<&str> = request.last_user.split_whitespace().take(5).collect();
    let echo = if echo.is_empty() {
        "nothing".to_string()
    } else {
        echo.join(" ")
    };
    Reply::Text(format!("Hello from {backend}! You said: {echo}"))
}

/// The thought summary of a thinking request, and the thought tokens it stands for
/// (`candidatesTokenCount` excludes them, `totalTokenCount` includes them, as Gemini's).
fn thought(request: &Generate) -> Option<(String, u64)> {
    if !request.thinks {
        return None;
    }
    let text = format!("Thinking about: {}", request.last_user.trim());
    Some((text, THOUGHT_TOKENS))
}

/// Thought tokens of every thinking answer.
const THOUGHT_TOKENS: u64 = 12;

fn usage(prompt: u64, candidates: u64, thoughts: u64) -> Value {
    let mut usage = json!({
        "promptTokenCount": prompt,
        "candidatesTokenCount": candidates,
        "totalTokenCount": prompt + candidates + thoughts,
    });
    if thoughts > 0 {
        usage["thoughtsTokenCount"] = thoughts.into();
    }
    usage
}

/// The parts of an answer: the thought summary first when asked for, then `answer`; a
/// function call of a thinking model carries a `thoughtSignature`, as Gemini's do.
fn with_thought(request: &Generate, answer: Value) -> Value {
    let mut parts = Vec::new();
    if let Some((text, _)) = thought(request).filter(|_| request.include_thoughts) {
        parts.push(json!({ "text": text, "thought": true }));
    }
    for mut part in answer.as_array().cloned().unwrap_or_default() {
        if request.thinks && part.get("functionCall").is_some() {
            part["thoughtSignature"] = "c2lnbmF0dXJl".into();
        }
        parts.push(part);
    }
    Value::Array(parts)
}

fn response(model: &str, body: &[u8], candidates: Vec<Value>, usage: Value) -> Value {
    json!({
        "candidates": candidates,
        "usageMetadata": usage,
        "modelVersion": format!("{model}-001"),
        "responseId": format!("{:016x}", xxh3_64(body)),
    })
}

fn candidate(index: u64, parts: Value, finish: Option<&str>) -> Value {
    let mut c = json!({ "content": { "role": "model", "parts": parts }, "index": index });
    if let Some(finish) = finish {
        c["finishReason"] = finish.into();
    }
    c
}

/// The `generateContent` response body.
pub fn generate(backend: &str, model: &str, request: &Generate, body: &[u8]) -> Bytes {
    let (parts, tokens) = match reply(backend, request) {
        Reply::Call(call) => (json!([{ "functionCall": call }]), 5),
        Reply::Text(text) => (json!([{ "text": text }]), word_count(&text)),
    };
    let parts = with_thought(request, parts);
    let candidates = (0..request.candidates)
        .map(|i| candidate(i, parts.clone(), Some("STOP")))
        .collect();
    let thoughts = thought(request).map_or(0, |(_, t)| t * request.candidates);
    let usage = usage(request.prompt_tokens, tokens * request.candidates, thoughts);
    Bytes::from(response(model, body, candidates, usage).to_string())
}

/// The `streamGenerateContent?alt=sse` events: the thought summary first when asked for,
/// then one per word of text (a function call is one event), the last with
/// `finishReason`; every event carries the usage so far.
pub fn stream_events(backend: &str, model: &str, request: &Generate, body: &[u8]) -> Vec<Bytes> {
    let thoughts = thought(request).map_or(0, |(_, t)| t);
    let mut pieces: Vec<(Value, u64)> = match reply(backend, request) {
        Reply::Call(call) => vec![(with_thought(request, json!([{ "functionCall": call }])), 5)],
        Reply::Text(text) => text
            .split_whitespace()
            .enumerate()
            .map(|(i, w)| {
                let piece = if i == 0 {
                    w.to_string()
                } else {
                    format!(" {w}")
                };
                (json!([{ "text": piece }]), 1)
            })
            .collect(),
    };
    if request.include_thoughts
        && let Some((text, _)) = thought(request)
        && pieces[0].0[0].get("functionCall").is_none()
    {
        pieces.insert(0, (json!([{ "text": text, "thought": true }]), 0));
    }
    let last = pieces.len() - 1;
    let mut so_far = 0;
    pieces
        .into_iter()
        .enumerate()
        .map(|(i, (parts, tokens))| {
            so_far += tokens;
            let finish = (i == last).then_some("STOP");
            let candidates = vec![candidate(0, parts, finish)];
            let event = response(
                model,
                body,
                candidates,
                usage(request.prompt_tokens, so_far, thoughts),
            );
            Bytes::from(format!("data: {event}\r\n\r\n"))
        })
        .collect()
}

/// The `batchEmbedContents` response body.
pub fn batch_embed(texts: &[(String, Option<u64>)]) -> Bytes {
    let embeddings: Vec<Value> = texts
        .iter()
        .map(|(text, dims)| {
            let dims = dims.map_or(EMBEDDING_DIMS, |d| d.min(3072) as usize);
            let values = embedding_of_size(text, dims);
            json!({ "values": values })
        })
        .collect();
    Bytes::from(json!({ "embeddings": embeddings }).to_string())
}
