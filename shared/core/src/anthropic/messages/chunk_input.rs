//! The OpenAI -> Anthropic stream translation fed chunk values instead of SSE bytes: what
//! the Messages chain puts into it straight from a provider's stream translator
//! ([`ChunkSink`]), so nothing is serialized to SSE and parsed back on the way. Each value
//! is taken exactly as its SSE form would have been read.

use super::openai_out::{Chunk, ChunkChoice, Delta, FunctionDelta, ToolCallDelta, Usage};
use super::stream::{State, StreamTranslator};
use crate::anthropic::chunk;
use crate::openai::chunk_sink::ChunkSink;
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;

/// A [`StreamTranslator`] taking chunk values; the Anthropic events go to `out`.
pub struct ChunkInput<'a> {
    state: &'a mut State,
    out: &'a mut Vec<u8>,
}

impl StreamTranslator {
    /// This translator as a [`ChunkSink`] writing Anthropic events to `out`.
    pub fn sink<'a>(&'a mut self, out: &'a mut Vec<u8>) -> ChunkInput<'a> {
        ChunkInput {
            state: &mut self.state,
            out,
        }
    }
}

/// The reading of a chunk the provider translator wrote.
fn read_chunk<'a>(chunk: &'a chunk::Chunk<'a>) -> Chunk<'a> {
    let [choice] = &chunk.choices;
    let delta = &choice.delta;
    let tool_calls = delta.tool_calls.as_ref().map(|[call]| {
        vec![ToolCallDelta {
            index: call.index,
            id: call.id.map(Cow::Borrowed),
            function: Some(FunctionDelta {
                name: call.function.name.map(Cow::Borrowed),
                arguments: Some(Cow::Borrowed(call.function.arguments)),
            }),
        }]
    });
    Chunk {
        id: Some(Cow::Borrowed(chunk.id)),
        model: Some(Cow::Borrowed(chunk.model)),
        choices: vec![ChunkChoice {
            delta: Some(Delta {
                content: delta.content.map(Cow::Borrowed),
                refusal: None,
                reasoning_content: delta.reasoning_content.map(Cow::Borrowed),
                tool_calls,
            }),
            finish_reason: choice.finish_reason.map(Cow::Borrowed),
            stop_reason: choice.stop_reason.map(|s| Value::String(s.to_string())),
        }],
        usage: None,
        error: None,
    }
}

impl ChunkSink for ChunkInput<'_> {
    fn chunk(&mut self, chunk: &chunk::Chunk<'_>) {
        if !self.state.done {
            self.state.on_chunk(read_chunk(chunk), b"", self.out);
        }
    }

    fn usage(&mut self, chunk: &chunk::UsageChunk<'_>) {
        if self.state.done {
            return;
        }
        match Usage::deserialize(&chunk.usage) {
            Ok(usage) => {
                let chunk = Chunk {
                    id: Some(Cow::Borrowed(chunk.id)),
                    model: Some(Cow::Borrowed(chunk.model)),
                    choices: Vec::new(),
                    usage: Some(usage),
                    error: None,
                };
                self.state.on_chunk(chunk, b"", self.out);
            }
            Err(e) => {
                let message = format!("Unreadable backend stream event: {e}");
                self.state.fail(&message, self.out);
            }
        }
    }

    fn value(&mut self, event: &Value) {
        if self.state.done {
            return;
        }
        match Chunk::deserialize(event) {
            Ok(chunk) => {
                // Only an error event is read again as JSON (its body is kept).
                let raw = match chunk.error {
                    Some(_) => serde_json::to_vec(event).unwrap_or_default(),
                    None => Vec::new(),
                };
                self.state.on_chunk(chunk, &raw, self.out);
            }
            Err(e) => {
                let message = format!("Unreadable backend stream event: {e}");
                self.state.fail(&message, self.out);
            }
        }
    }

    fn done(&mut self) {
        if !self.state.done {
            self.state.end_message(self.out);
        }
    }
}
