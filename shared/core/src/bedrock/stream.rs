//! ConverseStream event-stream frames -> OpenAI `chat.completion.chunk` SSE, frame by frame.
//!
//! | frame (`:event-type`) | OpenAI chunk |
//! |---|---|
//! | `messageStart` | `delta: {role: assistant, content: ""}` |
//! | `contentBlockStart` with `toolUse` | `delta.tool_calls[{index, id, type, function: {name, arguments: ""}}]` |
//! | `contentBlockDelta` `text` | `delta.content` |
//! | `contentBlockDelta` `toolUse.input` | `delta.tool_calls[{index, function: {arguments}}]` |
//! | `contentBlockDelta` `reasoningContent.text` | `delta.reasoning_content` |
//! | `messageStop` | `delta: {}`, `finish_reason` (and `stop_reason`: the stop sequence Claude names in `additionalModelResponseFields`) |
//! | `metadata` | usage chunk (`choices: []`) when asked for, then `data: [DONE]` |
//! | `:message-type` `exception` / `error` | `data: {"error": {...}}` then `data: [DONE]` |
//!
//! `contentBlockStop`, reasoning signatures and unknown events produce nothing. A stream that
//! ends after `messageStop` without `metadata` ends with `[DONE]`; one cut earlier, or
//! with broken framing, ends with an error chunk. Memory: the decoder's one pending frame
//! (bounded by its maximum frame size) plus a few counters.

use super::error::stream_error;
use super::eventstream::{Decoder, Frame};
use super::response::matched_stop_sequence;
use super::usage::Usage;
use super::{ResponseContext, finish_reason};
use crate::anthropic::chunk::{ChunkHead, Delta, Function, ToolCall};
use crate::openai::chunk_sink::{ChunkSink, sse_bytes};
use serde::Deserialize;
use serde_json::json;
use std::borrow::Cow;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BlockStart<'a> {
    content_block_index: u64,
    #[serde(borrow)]
    start: StartBody<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StartBody<'a> {
    #[serde(default, borrow)]
    tool_use: Option<ToolStart<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ToolStart<'a> {
    #[serde(borrow)]
    tool_use_id: Cow<'a, str>,
    #[serde(borrow)]
    name: Cow<'a, str>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BlockDelta<'a> {
    content_block_index: u64,
    #[serde(borrow)]
    delta: DeltaBody<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeltaBody<'a> {
    #[serde(default, borrow)]
    text: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    tool_use: Option<ToolDelta<'a>>,
    #[serde(default, borrow)]
    reasoning_content: Option<ReasoningDelta<'a>>,
}

#[derive(Deserialize)]
struct ToolDelta<'a> {
    #[serde(borrow)]
    input: Cow<'a, str>,
}

#[derive(Deserialize)]
struct ReasoningDelta<'a> {
    #[serde(default, borrow)]
    text: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MessageStop {
    stop_reason: String,
    #[serde(default)]
    additional_model_response_fields: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Metadata {
    #[serde(default)]
    usage: Usage,
}

/// Translates one streamed response. Feed every upstream chunk to [`Self::feed`] and call
/// [`Self::finish`] at end of stream; each returns the bytes to send to the client now.
#[derive(Debug)]
pub struct StreamTranslator {
    decoder: Decoder,
    state: State,
}

#[derive(Debug)]
struct State {
    context: ResponseContext,
    include_usage: bool,
    /// The content block that is a tool call, and its OpenAI `tool_calls` index.
    tool_block: Option<(u64, u32)>,
    tool_calls: u32,
    /// `messageStop` was seen.
    stopped: bool,
    /// `data: [DONE]` was written: everything later is ignored.
    done: bool,
}

impl StreamTranslator {
    /// A translator; `include_usage` asks for a final usage chunk.
    pub fn new(context: ResponseContext, include_usage: bool) -> Self {
        Self {
            decoder: Decoder::default(),
            state: State {
                context,
                include_usage,
                tool_block: None,
                tool_calls: 0,
                stopped: false,
                done: false,
            },
        }
    }

    /// Translates the next upstream bytes; returns the OpenAI SSE bytes they complete.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<u8> {
        sse_bytes(|out| self.feed_into(chunk, out))
    }

    /// Translates the next upstream bytes into `out`.
    pub fn feed_into(&mut self, chunk: &[u8], out: &mut dyn ChunkSink) {
        if self.state.done {
            return;
        }
        let state = &mut self.state;
        let result = self
            .decoder
            .feed(chunk, |frame| state.on_frame(&frame, out));
        if let Err(e) = result
            && !state.done
        {
            state.fail(&format!("Unreadable Bedrock event stream: {e}"), out);
        }
    }

    /// Ends the stream; returns the OpenAI SSE bytes left to send.
    pub fn finish(&mut self) -> Vec<u8> {
        sse_bytes(|out| self.finish_into(out))
    }

    /// Ends the stream into `out`.
    pub fn finish_into(&mut self, out: &mut dyn ChunkSink) {
        if self.state.done {
            return;
        }
        if let Err(e) = self.decoder.finish() {
            self.state
                .fail(&format!("Unreadable Bedrock event stream: {e}"), out);
        } else if self.state.stopped {
            out.done();
            self.state.done = true;
        } else {
            self.state
                .fail("The Bedrock stream ended before messageStop.", out);
        }
    }
}

impl State {
    fn on_frame(&mut self, frame: &Frame, out: &mut dyn ChunkSink) {
        if self.done {
            return;
        }
        match frame.header_str(":message-type") {
            Some("event") => {}
            Some("exception") => {
                let name = frame.header_str(":exception-type").unwrap_or("exception");
                out.value(&stream_error(name, &frame.payload));
                out.done();
                self.done = true;
                return;
            }
            Some("error") => {
                let name = frame.header_str(":error-code").unwrap_or("error");
                let message = frame.header_str(":error-message").unwrap_or_default();
                let payload = json!({ "message": message }).to_string();
                out.value(&stream_error(name, payload.as_bytes()));
                out.done();
                self.done = true;
                return;
            }
            other => {
                let message = format!("Bedrock event frame with :message-type {other:?}");
                return self.fail(&message, out);
            }
        }
        let event = frame.header_str(":event-type").unwrap_or_default();
        let result = match event {
            "messageStart" => {
                let delta = Delta {
                    role: Some("assistant"),
                    content: Some(""),
                    ..Delta::default()
                };
                self.chunk(delta, None, out);
                Ok(())
            }
            "contentBlockStart" => serde_json::from_slice::<BlockStart>(&frame.payload)
                .map(|start| self.on_block_start(start, out)),
            "contentBlockDelta" => serde_json::from_slice::<BlockDelta>(&frame.payload)
                .map(|delta| self.on_block_delta(delta, out)),
            "messageStop" => serde_json::from_slice::<MessageStop>(&frame.payload).map(|stop| {
                self.stopped = true;
                let fields = stop.additional_model_response_fields.as_ref();
                let matched =
                    matched_stop_sequence(fields).filter(|_| stop.stop_reason == "stop_sequence");
                let finish = Some(finish_reason(&stop.stop_reason));
                self.head()
                    .write_chunk(Delta::default(), finish, matched, out);
            }),
            "metadata" => serde_json::from_slice::<Metadata>(&frame.payload).map(|meta| {
                if self.include_usage {
                    self.head().write_usage(meta.usage.to_openai(), out);
                }
                out.done();
                self.done = true;
            }),
            // contentBlockStop and events added later.
            _ => Ok(()),
        };
        if let Err(e) = result {
            self.fail(&format!("Unreadable Bedrock {event} event: {e}"), out);
        }
    }

    fn on_block_start(&mut self, start: BlockStart<'_>, out: &mut dyn ChunkSink) {
        let Some(tool) = start.start.tool_use else {
            return;
        };
        let index = self.tool_calls;
        self.tool_calls += 1;
        self.tool_block = Some((start.content_block_index, index));
        let call = ToolCall {
            index,
            id: Some(&tool.tool_use_id),
            kind: Some("function"),
            function: Function {
                name: Some(&tool.name),
                arguments: "",
            },
        };
        self.head().write_tool_call(call, out);
    }

    fn on_block_delta(&mut self, delta: BlockDelta<'_>, out: &mut dyn ChunkSink) {
        let body = delta.delta;
        if let Some(text) = body.text {
            let d = Delta {
                content: Some(&text),
                ..Delta::default()
            };
            self.chunk(d, None, out);
        }
        if let Some(text) = body.reasoning_content.and_then(|r| r.text) {
            let d = Delta {
                reasoning_content: Some(&text),
                ..Delta::default()
            };
            self.chunk(d, None, out);
        }
        if let Some(tool) = body.tool_use
            && let Some((block, index)) = self.tool_block
            && block == delta.content_block_index
        {
            let call = ToolCall {
                index,
                id: None,
                kind: None,
                function: Function {
                    name: None,
                    arguments: &tool.input,
                },
            };
            self.head().write_tool_call(call, out);
        }
    }

    fn head(&self) -> ChunkHead<'_> {
        ChunkHead {
            id: &self.context.id,
            created: self.context.created,
            model: &self.context.model,
        }
    }

    fn chunk(&self, delta: Delta<'_>, finish: Option<&str>, out: &mut dyn ChunkSink) {
        self.head().write_chunk(delta, finish, None, out);
    }

    /// Ends the client stream with an error chunk.
    fn fail(&mut self, message: &str, out: &mut dyn ChunkSink) {
        out.error_end(message);
        self.done = true;
    }
}
