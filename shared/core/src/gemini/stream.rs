//! A Gemini `streamGenerateContent?alt=sse` stream to OpenAI `chat.completion.chunk`
//! events, chunk by chunk: every `data:` event (one `GenerateContentResponse`) becomes at
//! most one OpenAI chunk as soon as it is complete. Memory is bounded by the SSE parser's
//! limits plus a few counters per choice.

use super::finish::finish_reason;
use super::response::{ResponseContext, candidates, response_id, response_model, tool_call};
use super::usage::openai_usage;
use crate::openai::chunk_sink::ChunkSink;
use crate::openai::chunk_stream::{ChunkEvents, ChunkStream, stream_error, write_event};
use serde_json::{Value, json};

/// The translation state of one streamed response.
pub type ChatStream = ChunkStream<GeminiEvents>;

impl ChatStream {
    /// A stream translation; `include_usage` adds a final usage chunk (`choices: []`).
    pub fn new(context: ResponseContext, include_usage: bool) -> Self {
        Self::with_events(GeminiEvents {
            context,
            include_usage,
            id: None,
            model: None,
            choices: Vec::new(),
            usage: None,
        })
    }
}

impl ChunkEvents for GeminiEvents {
    const PROVIDER: &'static str = "Gemini";
    const UNREADABLE_CODE: &'static str = "GEMINI_STREAM";

    fn on_data(&mut self, data: &[u8], out: &mut dyn ChunkSink) {
        self.event(data, out);
    }

    fn usage_chunk(&self) -> Option<Value> {
        let meta = self.usage.as_ref().filter(|_| self.include_usage)?;
        let mut chunk = self.chunk(Vec::new());
        chunk["usage"] = openai_usage(meta);
        Some(chunk)
    }
}

/// What a Gemini stream needs remembered between events.
#[derive(Debug)]
pub struct GeminiEvents {
    context: ResponseContext,
    include_usage: bool,
    /// Id and model of the first event, kept for every chunk.
    id: Option<String>,
    model: Option<String>,
    /// Per choice index: whether the role was sent, and how many tool calls so far.
    choices: Vec<(bool, usize)>,
    /// The latest `usageMetadata` (Gemini repeats it, cumulative, on every event).
    usage: Option<Value>,
}

impl GeminiEvents {
    /// One event: the OpenAI chunk (or error event) it makes.
    fn event(&mut self, data: &[u8], out: &mut dyn ChunkSink) {
        let Ok(response) = serde_json::from_slice::<Value>(data) else {
            let message = "The Gemini stream sent an event that is not JSON.";
            write_event(&stream_error(message, "GEMINI_STREAM"), out);
            return;
        };
        if let Some(error) = response.get("error") {
            let message = error.get("message").and_then(Value::as_str).unwrap_or("");
            let status = error.get("status").and_then(Value::as_str).unwrap_or("");
            write_event(&stream_error(message, status), out);
            return;
        }
        if self.id.is_none() {
            self.id = Some(response_id(&response));
            self.model = Some(response_model(&response, &self.context));
        }
        if let Some(meta) = response.get("usageMetadata") {
            self.usage = Some(meta.clone());
        }
        let choices: Vec<Value> = candidates(&response)
            .into_iter()
            .filter_map(|c| self.choice(c))
            .collect();
        if !choices.is_empty() {
            write_event(&self.chunk(choices), out);
        }
    }

    /// The delta of one candidate; `None` when it says nothing new.
    fn choice(&mut self, c: super::response::CandidateParts) -> Option<Value> {
        let slot = usize::try_from(c.index).unwrap_or(usize::MAX).min(64);
        if self.choices.len() <= slot {
            self.choices.resize(slot + 1, (false, 0));
        }
        let (role_sent, calls_so_far) = &mut self.choices[slot];
        let mut delta = json!({});
        if !*role_sent {
            delta["role"] = "assistant".into();
        }
        if !c.reasoning.is_empty() {
            delta["reasoning_content"] = c.reasoning.into();
        }
        if !c.text.is_empty() {
            delta["content"] = c.text.into();
        }
        if !c.calls.is_empty() {
            let calls = c
                .calls
                .iter()
                .enumerate()
                .map(|(k, function)| {
                    let n = *calls_so_far + k;
                    let mut call = tool_call(c.index, n, function);
                    call["index"] = n.into();
                    call
                })
                .collect();
            delta["tool_calls"] = Value::Array(calls);
            *calls_so_far += c.calls.len();
        }
        let finish = c
            .finish
            .as_deref()
            .map(|f| finish_reason(f, *calls_so_far > 0));
        if delta.as_object().is_some_and(|d| d.is_empty()) && finish.is_none() {
            return None;
        }
        *role_sent = true;
        Some(json!({ "index": c.index, "delta": delta, "finish_reason": finish, "logprobs": null }))
    }

    fn chunk(&self, choices: Vec<Value>) -> Value {
        json!({
            "id": self.id.as_deref().unwrap_or("chatcmpl-gemini"),
            "object": "chat.completion.chunk",
            "created": self.context.created,
            "model": self.model.as_deref().unwrap_or(&self.context.model),
            "choices": choices,
        })
    }
}
