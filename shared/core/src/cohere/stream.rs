//! A Cohere v2 chat stream (SSE events `message-start`, `content-start`, `content-delta`,
//! `tool-call-start`, `tool-call-delta`, `tool-call-end`, `message-end`, ...) to OpenAI
//! `chat.completion.chunk` events, chunk by chunk: each event that says something new
//! becomes one OpenAI chunk as soon as it is complete. Memory is bounded by the SSE
//! parser's limits plus a few fields.

use super::finish::finish_reason;
use super::response::{ResponseContext, response_id, tool_call};
use super::usage::openai_usage;
use crate::openai::chunk_sink::ChunkSink;
use crate::openai::chunk_stream::{ChunkEvents, ChunkStream, stream_error, write_event};
use serde_json::{Value, json};

/// The translation state of one streamed response.
pub type ChatStream = ChunkStream<CohereEvents>;

impl ChatStream {
    /// A stream translation; `include_usage` adds a final usage chunk (`choices: []`).
    pub fn new(context: ResponseContext, include_usage: bool) -> Self {
        Self::with_events(CohereEvents {
            context,
            include_usage,
            id: None,
            role_sent: false,
            calls: 0,
            usage: None,
        })
    }
}

impl ChunkEvents for CohereEvents {
    const PROVIDER: &'static str = "Cohere";
    const UNREADABLE_CODE: &'static str = "COHERE_STREAM";

    fn on_data(&mut self, data: &[u8], out: &mut dyn ChunkSink) {
        self.event(data, out);
    }

    fn usage_chunk(&self) -> Option<Value> {
        let usage = self.usage.as_ref().filter(|_| self.include_usage)?;
        let mut chunk = self.chunk(None);
        chunk["usage"] = openai_usage(usage);
        Some(chunk)
    }
}

/// What a Cohere stream needs remembered between events.
#[derive(Debug)]
pub struct CohereEvents {
    context: ResponseContext,
    include_usage: bool,
    /// The chunk id, from `message-start`.
    id: Option<String>,
    /// The role was sent.
    role_sent: bool,
    /// Tool calls started so far; the last one receives the argument deltas.
    calls: usize,
    /// The `usage` of `message-end`.
    usage: Option<Value>,
}

/// `delta.message.<path...>` of an event.
fn message_field<'v>(event: &'v Value, path: &[&str]) -> Option<&'v Value> {
    let mut at = event.get("delta")?.get("message")?;
    for name in path {
        at = at.get(name)?;
    }
    Some(at)
}

fn text_at<'v>(event: &'v Value, path: &[&str]) -> &'v str {
    message_field(event, path)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

impl CohereEvents {
    /// One event: the OpenAI chunk (or error event) it makes.
    fn event(&mut self, data: &[u8], out: &mut dyn ChunkSink) {
        let Ok(event) = serde_json::from_slice::<Value>(data) else {
            let message = "The Cohere stream sent an event that is not JSON.";
            write_event(&stream_error(message, "COHERE_STREAM"), out);
            return;
        };
        let kind = event.get("type").and_then(Value::as_str).unwrap_or("");
        let (delta, finish) = match kind {
            "message-start" => {
                self.id = Some(response_id(event.get("id").and_then(Value::as_str)));
                (json!({ "content": "" }), None)
            }
            "content-start" | "content-delta" => {
                let text = text_at(&event, &["content", "text"]);
                if text.is_empty() {
                    return;
                }
                (json!({ "content": text }), None)
            }
            "tool-call-start" => {
                let call = message_field(&event, &["tool_calls"]).unwrap_or(&Value::Null);
                let mut entry = tool_call(call);
                entry["index"] = json!(self.calls);
                self.calls += 1;
                (json!({ "tool_calls": [entry] }), None)
            }
            "tool-call-delta" => {
                let arguments = text_at(&event, &["tool_calls", "function", "arguments"]);
                if arguments.is_empty() || self.calls == 0 {
                    return;
                }
                let delta = json!({ "tool_calls": [{
                    "index": self.calls - 1,
                    "function": { "arguments": arguments },
                }]});
                (delta, None)
            }
            "message-end" => {
                let end = event.get("delta");
                if let Some(usage) = end.and_then(|d| d.get("usage")) {
                    self.usage = Some(usage.clone());
                }
                let reason = end
                    .and_then(|d| d.get("finish_reason"))
                    .and_then(Value::as_str)
                    .unwrap_or("COMPLETE");
                if reason == "ERROR" {
                    let message = end
                        .and_then(|d| d.get("error"))
                        .and_then(Value::as_str)
                        .unwrap_or("Cohere ended the generation with an error.");
                    write_event(&stream_error(message, "COHERE_ERROR"), out);
                    return;
                }
                (json!({}), Some(finish_reason(reason, self.calls > 0)))
            }
            // content-end, tool-plan-delta, tool-call-end, citation-start/end, debug.
            _ => return,
        };
        let mut delta = delta;
        if !self.role_sent {
            self.role_sent = true;
            delta["role"] = "assistant".into();
        }
        let choice =
            json!({ "index": 0, "delta": delta, "finish_reason": finish, "logprobs": null });
        write_event(&self.chunk(Some(choice)), out);
    }

    fn chunk(&self, choice: Option<Value>) -> Value {
        json!({
            "id": self.id.as_deref().unwrap_or("chatcmpl-cohere"),
            "object": "chat.completion.chunk",
            "created": self.context.created,
            "model": self.context.model,
            "choices": choice.map_or_else(Vec::new, |c| vec![c]),
        })
    }
}
