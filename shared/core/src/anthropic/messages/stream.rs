//! OpenAI `chat.completion.chunk` SSE -> Anthropic Messages SSE, chunk by chunk.
//!
//! | OpenAI | Anthropic events |
//! |---|---|
//! | first chunk | `message_start` (`msg_` id, empty content, zero usage: OpenAI reports usage last) |
//! | `delta.reasoning_content` | a `thinking` block: `content_block_start`, `thinking_delta`s |
//! | `delta.content` / `delta.refusal` | a `text` block: `content_block_start`, `text_delta`s |
//! | `delta.tool_calls[i]` with an `id` | a `tool_use` block; `arguments` pieces are `input_json_delta`s |
//! | `finish_reason` (and `stop_reason`, a matched stop string) | `content_block_stop`; the stop reason and sequence are kept for `message_delta` |
//! | `usage` (the `include_usage` chunk) | kept for `message_delta` |
//! | `data: [DONE]` (or the end of a stream that finished) | `message_delta` (stop reason, usage), `message_stop` |
//! | `{"error": ...}` | an `error` event typed after the OpenAI error `type`; later input is ignored |
//!
//! A block is closed (`content_block_stop`) when another kind of block starts. Memory is
//! bounded by the SSE parser's limits plus the open tool calls' ids.

use super::error::{from_openai_error, status_of_openai_type};
use super::openai_out::{Chunk, Usage};
use super::{message_id, stop_reason_and_sequence};
use crate::sse::{SseEvent, SseParser};
use serde::Serialize;
use serde_json::json;

/// The OpenAI end-of-stream marker.
const DONE: &[u8] = b"[DONE]";

/// Translates one streamed response. Feed every upstream chunk to [`Self::feed`] and call
/// [`Self::finish`] at end of stream; each returns the bytes to send to the client now.
#[derive(Debug, Default)]
pub struct StreamTranslator {
    parser: SseParser,
    pub(super) state: State,
}

/// The translation state, fed by the SSE parser or by chunk values
/// ([`super::chunk_input`]).
#[derive(Debug, Default)]
pub(super) struct State {
    started: bool,
    id: String,
    model: String,
    /// The open content block: its index and kind.
    open: Option<(u32, BlockKind)>,
    /// Blocks started so far (the next block's index).
    blocks: u32,
    /// OpenAI tool call index -> content block index.
    tools: Vec<(u32, u32)>,
    stop_reason: Option<&'static str>,
    /// The stop string that ended the output, when the backend named it.
    stop_sequence: Option<String>,
    usage: Usage,
    pub(super) done: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BlockKind {
    Text,
    Thinking,
    Tool,
}

#[derive(Serialize)]
struct BlockDelta<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    index: u32,
    delta: DeltaBody<'a>,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[allow(clippy::enum_variant_names)] // Anthropic's delta type names
enum DeltaBody<'a> {
    TextDelta { text: &'a str },
    ThinkingDelta { thinking: &'a str },
    InputJsonDelta { partial_json: &'a str },
}

/// Writes one SSE event.
fn write_event<T: Serialize>(out: &mut Vec<u8>, name: &str, data: &T) {
    out.extend_from_slice(b"event: ");
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\ndata: ");
    // Serializing these plain values into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, data);
    out.extend_from_slice(b"\n\n");
}

impl StreamTranslator {
    /// A translator for one response.
    pub fn new() -> Self {
        Self::default()
    }

    /// Translates the next upstream chunk.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        if self.state.done {
            return out;
        }
        let state = &mut self.state;
        let result = self
            .parser
            .feed(chunk, |event| state.on_event(event, &mut out));
        if let Err(e) = result {
            state.fail(&format!("Unreadable backend stream: {e}"), &mut out);
        }
        out
    }

    /// Ends the stream. A stream that ended without `[DONE]` is completed when it had
    /// finished (a `finish_reason` arrived), else it ends with an error event.
    pub fn finish(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        if self.state.done {
            return out;
        }
        let state = &mut self.state;
        let result = self.parser.finish(|event| state.on_event(event, &mut out));
        if let Err(e) = result {
            state.fail(&format!("Unreadable backend stream: {e}"), &mut out);
        }
        if !state.done {
            if state.stop_reason.is_some() {
                state.end_message(&mut out);
            } else {
                state.fail(
                    "The backend stream ended before the message finished.",
                    &mut out,
                );
            }
        }
        out
    }
}

impl State {
    fn on_event(&mut self, event: SseEvent<'_>, out: &mut Vec<u8>) {
        if self.done {
            return;
        }
        if event.data == DONE {
            return self.end_message(out);
        }
        match serde_json::from_slice(event.data) {
            Ok(chunk) => self.on_chunk(chunk, event.data, out),
            Err(e) => self.fail(&format!("Unreadable backend stream event: {e}"), out),
        }
    }

    /// One chunk (or error event, whose JSON is `raw`).
    pub(super) fn on_chunk(&mut self, chunk: Chunk<'_>, raw: &[u8], out: &mut Vec<u8>) {
        if let Some(error) = chunk.error {
            let status = status_of_openai_type(error.kind.as_deref().unwrap_or_default());
            let error = from_openai_error(status, raw);
            write_event(out, "error", &error.value());
            self.done = true;
            return;
        }
        if self.id.is_empty()
            && let Some(id) = &chunk.id
        {
            self.id.push_str(id);
        }
        if self.model.is_empty()
            && let Some(model) = &chunk.model
        {
            self.model.push_str(model);
        }
        self.start_message(out);
        if let Some(usage) = chunk.usage {
            self.usage = usage;
        }
        let Some(choice) = chunk.choices.into_iter().next() else {
            return;
        };
        if let Some(delta) = choice.delta {
            if let Some(thinking) = delta.reasoning_content.filter(|t| !t.is_empty()) {
                let index = self.ensure_block(BlockKind::Thinking, out);
                self.delta(
                    index,
                    DeltaBody::ThinkingDelta {
                        thinking: &thinking,
                    },
                    out,
                );
            }
            for text in [delta.content, delta.refusal].into_iter().flatten() {
                if !text.is_empty() {
                    let index = self.ensure_block(BlockKind::Text, out);
                    self.delta(index, DeltaBody::TextDelta { text: &text }, out);
                }
            }
            for call in delta.tool_calls.unwrap_or_default() {
                let (name, arguments) = match call.function {
                    Some(f) => (f.name, f.arguments),
                    None => (None, None),
                };
                let known = self.tools.iter().find(|(t, _)| *t == call.index);
                let index = match (known, call.id) {
                    (Some(&(_, block)), None) => block,
                    (_, id) => {
                        let id = id.unwrap_or_default();
                        let name = name.unwrap_or_default();
                        self.start_tool(call.index, &id, &name, out)
                    }
                };
                if let Some(arguments) = arguments.filter(|a| !a.is_empty()) {
                    let body = DeltaBody::InputJsonDelta {
                        partial_json: &arguments,
                    };
                    self.delta(index, body, out);
                }
            }
        }
        if let Some(reason) = choice.finish_reason {
            let (reason, sequence) = stop_reason_and_sequence(&reason, choice.stop_reason.as_ref());
            self.stop_reason = Some(reason);
            self.stop_sequence = sequence;
            self.close_block(out);
        }
    }

    fn start_message(&mut self, out: &mut Vec<u8>) {
        if self.started {
            return;
        }
        self.started = true;
        let start = json!({
            "type": "message_start",
            "message": {
                "id": message_id(&self.id), "type": "message", "role": "assistant", "model": self.model,
                "content": [], "stop_reason": null, "stop_sequence": null,
                "usage": {"input_tokens": 0, "output_tokens": 0},
            },
        });
        write_event(out, "message_start", &start);
    }

    /// The index of an open block of `kind`, starting one (and closing another) if needed.
    fn ensure_block(&mut self, kind: BlockKind, out: &mut Vec<u8>) -> u32 {
        if let Some((index, open)) = self.open
            && open == kind
        {
            return index;
        }
        self.close_block(out);
        let block = match kind {
            BlockKind::Text => json!({"type": "text", "text": ""}),
            _ => json!({"type": "thinking", "thinking": "", "signature": ""}),
        };
        self.start_block(kind, block, out)
    }

    fn start_tool(&mut self, tool: u32, id: &str, name: &str, out: &mut Vec<u8>) -> u32 {
        self.close_block(out);
        let block = json!({"type": "tool_use", "id": id, "name": name, "input": {}});
        let index = self.start_block(BlockKind::Tool, block, out);
        self.tools.retain(|(t, _)| *t != tool);
        self.tools.push((tool, index));
        index
    }

    fn start_block(&mut self, kind: BlockKind, block: serde_json::Value, out: &mut Vec<u8>) -> u32 {
        let index = self.blocks;
        self.blocks += 1;
        let start = json!({"type": "content_block_start", "index": index, "content_block": block});
        write_event(out, "content_block_start", &start);
        self.open = Some((index, kind));
        index
    }

    fn close_block(&mut self, out: &mut Vec<u8>) {
        if let Some((index, _)) = self.open.take() {
            let stop = json!({"type": "content_block_stop", "index": index});
            write_event(out, "content_block_stop", &stop);
        }
    }

    fn delta(&self, index: u32, delta: DeltaBody<'_>, out: &mut Vec<u8>) {
        let event = BlockDelta {
            kind: "content_block_delta",
            index,
            delta,
        };
        write_event(out, "content_block_delta", &event);
    }

    /// `message_delta` with the stop reason and usage, then `message_stop`.
    pub(super) fn end_message(&mut self, out: &mut Vec<u8>) {
        self.start_message(out);
        self.close_block(out);
        let delta = json!({
            "type": "message_delta",
            "delta": {
                "stop_reason": self.stop_reason.unwrap_or("end_turn"),
                "stop_sequence": self.stop_sequence,
            },
            "usage": self.usage.to_anthropic(),
        });
        write_event(out, "message_delta", &delta);
        write_event(out, "message_stop", &json!({"type": "message_stop"}));
        self.done = true;
    }

    /// Ends the client stream with an `error` event.
    pub(super) fn fail(&mut self, message: &str, out: &mut Vec<u8>) {
        let error = json!({"type": "error", "error": {"type": "api_error", "message": message}});
        write_event(out, "error", &error);
        self.done = true;
    }
}
