//! Deterministic Anthropic answers, buffered and streamed.
//!
//! The reply is the usual `Hello from <ID>! You said: <first 5 words of the last user
//! message>` (tool results count as user text). When tools are defined, the last user
//! message carries no tool result and its text names a defined tool, the answer is instead a
//! `tool_use` of the first tool it names, with input `{"text": <last user text>}` and
//! `stop_reason: "tool_use"`.

use bytes::Bytes;
use serde_json::{Value, json};
use xxhash_rust::xxh3::xxh3_64;

use super::validate::Request;
use crate::respond::reply_text;
use crate::validate::{Input, word_count};

/// What the fake model answers.
enum Answer {
    Text(String),
    ToolUse {
        id: String,
        name: String,
        input: Value,
    },
}

fn answer(backend: &str, req: &Request, id: &str) -> Answer {
    let named = (!req.answers_tools)
        .then(|| {
            req.tools.iter().find(|t| {
                req.last_user
                    .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
                    .any(|w| w == t.as_str())
            })
        })
        .flatten();
    match named {
        Some(name) => Answer::ToolUse {
            id: format!("toolu_{}", &id[4..]),
            name: name.clone(),
            input: json!({ "text": req.last_user }),
        },
        None => Answer::Text(reply_text(
            backend,
            &Input::Chat {
                last_user: req.last_user.clone(),
            },
        )),
    }
}

fn message_id(body: &[u8]) -> String {
    format!("msg_{:016x}", xxh3_64(body))
}

fn output_tokens(answer: &Answer) -> u64 {
    match answer {
        Answer::Text(text) => word_count(text),
        Answer::ToolUse { input, .. } => word_count(&input.to_string()) + 1,
    }
}

/// The buffered `message` body.
pub fn complete(backend: &str, req: &Request, body: &[u8]) -> Bytes {
    let id = message_id(body);
    let answer = answer(backend, req, &id);
    let (content, stop) = match &answer {
        Answer::Text(text) => (json!([{"type": "text", "text": text}]), "end_turn"),
        Answer::ToolUse { id, name, input } => (
            json!([{"type": "tool_use", "id": id, "name": name, "input": input}]),
            "tool_use",
        ),
    };
    let value = json!({
        "id": id, "type": "message", "role": "assistant", "model": req.model,
        "content": content, "stop_reason": stop, "stop_sequence": null,
        "usage": {"input_tokens": req.input_tokens, "output_tokens": output_tokens(&answer),
                  "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0},
    });
    Bytes::from(value.to_string())
}

fn event(name: &str, data: Value) -> Bytes {
    Bytes::from(format!("event: {name}\ndata: {data}\n\n"))
}

/// The SSE events of a streamed answer; with `fail_mid_stream`, an `overloaded_error` event
/// follows the first content delta and the stream ends there.
pub fn events(backend: &str, req: &Request, body: &[u8], fail_mid_stream: bool) -> Vec<Bytes> {
    let id = message_id(body);
    let answer = answer(backend, req, &id);
    let mut out = vec![event(
        "message_start",
        json!({"type": "message_start", "message": {
            "id": id, "type": "message", "role": "assistant", "model": req.model, "content": [],
            "stop_reason": null, "stop_sequence": null,
            "usage": {"input_tokens": req.input_tokens, "output_tokens": 1,
                      "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0},
        }}),
    )];
    let delta = |delta: Value| {
        event(
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0, "delta": delta}),
        )
    };
    let (block, deltas, stop) = match &answer {
        Answer::Text(text) => {
            let words: Vec<String> = text
                .split_whitespace()
                .enumerate()
                .map(|(i, w)| {
                    if i == 0 {
                        w.to_string()
                    } else {
                        format!(" {w}")
                    }
                })
                .collect();
            let deltas: Vec<Bytes> = words
                .into_iter()
                .map(|w| delta(json!({"type": "text_delta", "text": w})))
                .collect();
            (json!({"type": "text", "text": ""}), deltas, "end_turn")
        }
        Answer::ToolUse { id, name, input } => {
            let json_text = input.to_string();
            let (a, b) = json_text.split_at(json_text.len() / 2);
            let deltas = [a, b]
                .iter()
                .map(|p| delta(json!({"type": "input_json_delta", "partial_json": p})))
                .collect();
            (
                json!({"type": "tool_use", "id": id, "name": name, "input": {}}),
                deltas,
                "tool_use",
            )
        }
    };
    out.push(event(
        "content_block_start",
        json!({"type": "content_block_start", "index": 0, "content_block": block}),
    ));
    out.push(event("ping", json!({"type": "ping"})));
    for (i, d) in deltas.into_iter().enumerate() {
        out.push(d);
        if fail_mid_stream && i == 0 {
            out.push(event(
                "error",
                json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
            ));
            return out;
        }
    }
    out.push(event(
        "content_block_stop",
        json!({"type": "content_block_stop", "index": 0}),
    ));
    out.push(event(
        "message_delta",
        json!({"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": null},
               "usage": {"output_tokens": output_tokens(&answer)}}),
    ));
    out.push(event("message_stop", json!({"type": "message_stop"})));
    out
}
