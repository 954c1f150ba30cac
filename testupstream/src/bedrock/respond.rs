//! Deterministic Converse answers: a JSON body, or the same content as event-stream frames.

use aigw_core::bedrock::eventstream::{Frame, encode_frame};
use bytes::Bytes;
use serde_json::{Value, json};
use xxhash_rust::xxh3::xxh3_64;

use super::validate::Converse;

/// How many words of the user's text the reply echoes.
const ECHO_WORDS: usize = 5;

/// What the model "says".
enum Reply {
    /// Text, cut before the first stop sequence it holds (`matched`).
    Text(String, Option<String>),
    /// A call of this tool with `{"text": <last user text>}`.
    Tool {
        id: String,
        name: String,
        input: Value,
    },
}

impl Reply {
    fn output_words(&self) -> u64 {
        match self {
            Self::Text(t, _) => t.split_whitespace().count() as u64,
            Self::Tool { .. } => 5,
        }
    }

    fn stop_reason(&self) -> &'static str {
        match self {
            Self::Text(_, Some(_)) => "stop_sequence",
            Self::Text(_, None) => "end_turn",
            Self::Tool { .. } => "tool_use",
        }
    }
}

/// The `x-amzn-RequestId` of a request: a UUID-shaped hash of its body.
pub fn request_id(body: &[u8]) -> String {
    let h = format!(
        "{:016x}{:016x}",
        xxh3_64(body),
        xxh3_64(&[body, b"2"].concat())
    );
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn reply(backend: &str, request: &Converse, body: &[u8]) -> Reply {
    if !request.tool_results.is_empty() {
        return text_reply(
            format!(
                "Hello from {backend}! The tool said: {}",
                request.tool_results.join(" | ")
            ),
            request,
        );
    }
    let named = request.tools.iter().find(|name| {
        request
            .last_user_text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .any(|word| word == name.as_str())
    });
    if let Some(name) = request.forced_tool.as_ref().or(named) {
        return Reply::Tool {
            id: format!("tooluse_{:016x}", xxh3_64(body)),
            name: name.clone(),
            input: json!({ "text": request.last_user_text }),
        };
    }
    let echo: Vec<&str> = request
        .last_user_text
        .split_whitespace()
        .take(ECHO_WORDS)
        .collect();
    let echo = if echo.is_empty() {
        "nothing".to_string()
    } else {
        echo.join(" ")
    };
    text_reply(format!("Hello from {backend}! You said: {echo}"), request)
}

/// `text` cut before the earliest stop sequence it holds, as models stop there.
fn text_reply(text: String, request: &Converse) -> Reply {
    let first = request
        .stop_sequences
        .iter()
        .filter(|s| !s.is_empty())
        .filter_map(|s| text.find(s.as_str()).map(|at| (at, s)))
        .min_by_key(|(at, _)| *at);
    match first {
        Some((at, stop)) => Reply::Text(text[..at].to_string(), Some(stop.clone())),
        None => Reply::Text(text, None),
    }
}

/// `additionalModelResponseFields` when the request asked for `/stop_sequence` (Claude
/// answers with the matched sequence, or null).
fn response_fields(request: &Converse, reply: &Reply) -> Option<Value> {
    if !request.wants_stop_sequence {
        return None;
    }
    let matched = match reply {
        Reply::Text(_, matched) => matched.clone(),
        Reply::Tool { .. } => None,
    };
    Some(json!({ "stop_sequence": matched }))
}

fn usage(request: &Converse, reply: &Reply) -> Value {
    let input = request.input_words as u64;
    let output = reply.output_words();
    json!({ "inputTokens": input, "outputTokens": output, "totalTokens": input + output })
}

/// The Converse JSON answer.
pub fn converse(backend: &str, request: &Converse, body: &[u8]) -> Bytes {
    let reply = reply(backend, request, body);
    let content = match &reply {
        Reply::Text(text, _) => json!([{ "text": text }]),
        Reply::Tool { id, name, input } => {
            json!([{ "toolUse": { "toolUseId": id, "name": name, "input": input } }])
        }
    };
    let mut out = json!({
        "output": { "message": { "role": "assistant", "content": content } },
        "stopReason": reply.stop_reason(),
        "usage": usage(request, &reply),
        "metrics": { "latencyMs": 42 },
    });
    if let Some(fields) = response_fields(request, &reply) {
        out["additionalModelResponseFields"] = fields;
    }
    Bytes::from(out.to_string())
}

fn event(kind: &str, payload: Value) -> Bytes {
    let headers = [
        (":event-type", kind),
        (":content-type", "application/json"),
        (":message-type", "event"),
    ];
    let mut out = Vec::new();
    encode_frame(
        &Frame::with_strings(&headers, payload.to_string().as_bytes()),
        &mut out,
    );
    Bytes::from(out)
}

/// The exception frame a stream fails with.
pub(super) fn exception(name: &str) -> Bytes {
    let headers = [
        (":exception-type", name),
        (":content-type", "application/json"),
        (":message-type", "exception"),
    ];
    let payload = json!({ "message": "Too many tokens, please wait before trying again." });
    let mut out = Vec::new();
    encode_frame(
        &Frame::with_strings(&headers, payload.to_string().as_bytes()),
        &mut out,
    );
    Bytes::from(out)
}

/// The ConverseStream frames, one per write; `fail_with` ends the stream with that
/// exception after the first content delta.
pub fn stream(
    backend: &str,
    request: &Converse,
    body: &[u8],
    fail_with: Option<&str>,
) -> Vec<Bytes> {
    let reply = reply(backend, request, body);
    let mut out = vec![event("messageStart", json!({ "role": "assistant" }))];
    let mut deltas = Vec::new();
    match &reply {
        Reply::Text(text, _) => {
            for (i, word) in text.split_whitespace().enumerate() {
                let piece = if i == 0 {
                    word.to_string()
                } else {
                    format!(" {word}")
                };
                deltas.push(event(
                    "contentBlockDelta",
                    json!({ "contentBlockIndex": 0, "delta": { "text": piece } }),
                ));
            }
        }
        Reply::Tool { id, name, input } => {
            out.push(event(
                "contentBlockStart",
                json!({ "contentBlockIndex": 0, "start": { "toolUse": { "toolUseId": id, "name": name } } }),
            ));
            let text = input.to_string();
            let half = text.len() / 2;
            let cut = (half..text.len())
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(half);
            for part in [&text[..cut], &text[cut..]] {
                deltas.push(event(
                    "contentBlockDelta",
                    json!({ "contentBlockIndex": 0, "delta": { "toolUse": { "input": part } } }),
                ));
            }
        }
    }
    if let Some(name) = fail_with {
        out.extend(deltas.into_iter().take(1));
        out.push(exception(name));
        return out;
    }
    out.extend(deltas);
    out.push(event("contentBlockStop", json!({ "contentBlockIndex": 0 })));
    let mut stop = json!({ "stopReason": reply.stop_reason() });
    if let Some(fields) = response_fields(request, &reply) {
        stop["additionalModelResponseFields"] = fields;
    }
    out.push(event("messageStop", stop));
    out.push(event(
        "metadata",
        json!({ "usage": usage(request, &reply), "metrics": { "latencyMs": 42 } }),
    ));
    out
}
