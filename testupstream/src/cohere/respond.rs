//! Deterministic Cohere v2 answers: a text reply (or a call of the first declared tool),
//! buffered or as SSE events, and float embeddings.

use bytes::Bytes;
use serde_json::{Value, json};
use xxhash_rust::xxh3::xxh3_64;

use super::validate::{Chat, Embed};
use crate::respond::{TOOL_CALL_TOKENS, embeddings_of};
use crate::validate::word_count;

/// What the model "says": a tool call (id, name, JSON arguments), or text.
enum Reply {
    Call(String, String, String),
    Text(String),
}

/// A call of the first tool when tools are declared, calling is allowed and the
/// conversation does not end with tool results; after tool results, text quoting them;
/// else an echo.
fn reply(backend: &str, request: &Chat, body: &[u8]) -> Reply {
    if let Some((name, required)) = &request.first_tool
        && request.calling_allowed
        && request.tool_results.is_empty()
    {
        let args: serde_json::Map<String, Value> = required
            .iter()
            .map(|(param, ty)| {
                let value = match ty.as_str() {
                    "number" | "integer" => json!(1),
                    "boolean" => json!(true),
                    _ => json!("test"),
                };
                (param.clone(), value)
            })
            .collect();
        let id = format!("{name}_{:08x}", xxh3_64(body) as u32);
        return Reply::Call(id, name.clone(), Value::Object(args).to_string());
    }
    if !request.tool_results.is_empty() {
        return Reply::Text(format!(
            "Hello from {backend}! The tool said: {}",
            request.tool_results.join(", ")
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

fn usage(request: &Chat, output: u64) -> Value {
    json!({
        "billed_units": { "input_tokens": request.billed_tokens, "output_tokens": output },
        "tokens": { "input_tokens": request.prompt_tokens, "output_tokens": output },
    })
}

fn response_id(body: &[u8]) -> String {
    format!("{:016x}", xxh3_64(body))
}

/// The buffered `/v2/chat` response body.
pub fn chat(backend: &str, request: &Chat, body: &[u8]) -> Bytes {
    let (message, finish, tokens) = match reply(backend, request, body) {
        Reply::Call(id, name, arguments) => (
            json!({
                "role": "assistant",
                "tool_plan": format!("I will call {name}."),
                "tool_calls": [{ "id": id, "type": "function",
                                 "function": { "name": name, "arguments": arguments } }],
            }),
            "TOOL_CALL",
            TOOL_CALL_TOKENS,
        ),
        Reply::Text(text) => {
            let tokens = word_count(&text);
            (
                json!({ "role": "assistant", "content": [{ "type": "text", "text": text }] }),
                "COMPLETE",
                tokens,
            )
        }
    };
    let out = json!({
        "id": response_id(body),
        "finish_reason": finish,
        "message": message,
        "usage": usage(request, tokens),
    });
    Bytes::from(out.to_string())
}

fn event(value: Value) -> Bytes {
    let kind = value["type"].as_str().unwrap_or_default().to_string();
    Bytes::from(format!("event: {kind}\ndata: {value}\n\n"))
}

/// The `/v2/chat` SSE events: `message-start`, then one `content-delta` per word (a tool
/// call: `tool-plan-delta`, `tool-call-start`, two `tool-call-delta` halves,
/// `tool-call-end`), then `message-end` with the finish reason and usage.
pub fn stream_events(backend: &str, request: &Chat, body: &[u8]) -> Vec<Bytes> {
    let mut events = vec![event(json!({
        "id": response_id(body),
        "type": "message-start",
        "delta": { "message": { "role": "assistant", "content": [], "tool_plan": "",
                                "tool_calls": [], "citations": [] } },
    }))];
    let (finish, tokens) = match reply(backend, request, body) {
        Reply::Call(id, name, arguments) => {
            events.push(event(json!({
                "type": "tool-plan-delta",
                "delta": { "message": { "tool_plan": format!("I will call {name}.") } },
            })));
            events.push(event(json!({
                "type": "tool-call-start", "index": 0,
                "delta": { "message": { "tool_calls": { "id": id, "type": "function",
                    "function": { "name": name, "arguments": "" } } } },
            })));
            let half = arguments.len() / 2;
            let half = (0..=half)
                .rev()
                .find(|&i| arguments.is_char_boundary(i))
                .unwrap_or(0);
            for piece in [&arguments[..half], &arguments[half..]] {
                events.push(event(json!({
                    "type": "tool-call-delta", "index": 0,
                    "delta": { "message": { "tool_calls": { "function": { "arguments": piece } } } },
                })));
            }
            events.push(event(json!({ "type": "tool-call-end", "index": 0 })));
            ("TOOL_CALL", TOOL_CALL_TOKENS)
        }
        Reply::Text(text) => {
            events.push(event(json!({
                "type": "content-start", "index": 0,
                "delta": { "message": { "content": { "type": "text", "text": "" } } },
            })));
            for (i, word) in text.split_whitespace().enumerate() {
                let piece = if i == 0 {
                    word.to_string()
                } else {
                    format!(" {word}")
                };
                events.push(event(json!({
                    "type": "content-delta", "index": 0,
                    "delta": { "message": { "content": { "text": piece } } },
                })));
            }
            events.push(event(json!({ "type": "content-end", "index": 0 })));
            ("COMPLETE", word_count(&text))
        }
    };
    events.push(event(json!({
        "type": "message-end",
        "delta": { "finish_reason": finish, "usage": usage(request, tokens) },
    })));
    events
}

/// The `/v2/embed` response body.
pub fn embed(request: &Embed, body: &[u8]) -> Bytes {
    let vectors = embeddings_of(&request.texts, request.dimension);
    let words: u64 = request.texts.iter().map(|t| word_count(t)).sum();
    let out = json!({
        "id": response_id(body),
        "embeddings": { "float": vectors },
        "texts": request.texts,
        "meta": { "api_version": { "version": "2" }, "billed_units": { "input_tokens": words } },
        "response_type": "embeddings_by_type",
    });
    Bytes::from(out.to_string())
}
