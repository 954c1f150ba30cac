//! Anthropic Messages SSE -> OpenAI `chat.completion.chunk` SSE, chunk by chunk.
//!
//! | Anthropic event | OpenAI chunk |
//! |---|---|
//! | `message_start` | `delta: {role: assistant, content: ""}` |
//! | `content_block_start` `tool_use` | `delta.tool_calls[{index, id, type, function: {name, arguments: ""}}]` |
//! | `content_block_delta` `text_delta` | `delta.content` |
//! | `content_block_delta` `input_json_delta` | `delta.tool_calls[{index, function: {arguments}}]` |
//! | `content_block_delta` `thinking_delta` | `delta.reasoning_content` |
//! | `message_delta` with `stop_reason` | `delta: {}`, `finish_reason` |
//! | `message_stop` | usage chunk (`choices: []`) when asked for, then `data: [DONE]` |
//! | `error` | `data: {"error": {...}}` then `data: [DONE]`; later input is ignored |
//!
//! `ping`, `content_block_stop`, `signature_delta` and unknown events produce nothing. Memory
//! is bounded by the SSE parser's limits plus one event; nothing else accumulates.

use super::chunk::{ChunkHead, Delta, Function, ToolCall};
use super::error::openai_error;
use super::finish_reason;
use super::usage::Usage;
use crate::openai::chunk_sink::{ChunkSink, sse_bytes};
use crate::sse::{SseEvent, SseParser};
use serde::Deserialize;
use std::borrow::Cow;

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Event<'a> {
    MessageStart {
        message: StartMessage,
    },
    ContentBlockStart {
        index: u64,
        #[serde(borrow)]
        content_block: StartBlock<'a>,
    },
    ContentBlockDelta {
        index: u64,
        #[serde(borrow)]
        delta: BlockDelta<'a>,
    },
    MessageDelta {
        delta: MessageDeltaBody,
        #[serde(default)]
        usage: Option<Usage>,
    },
    MessageStop,
    Error,
    #[serde(other)]
    Ignored,
}

#[derive(Deserialize)]
struct StartMessage {
    id: String,
    model: String,
    #[serde(default)]
    usage: Usage,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum StartBlock<'a> {
    ToolUse {
        #[serde(borrow)]
        id: Cow<'a, str>,
        #[serde(borrow)]
        name: Cow<'a, str>,
    },
    Text {
        #[serde(default, borrow)]
        text: Cow<'a, str>,
    },
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[allow(clippy::enum_variant_names)] // Anthropic's delta type names
enum BlockDelta<'a> {
    TextDelta {
        #[serde(borrow)]
        text: Cow<'a, str>,
    },
    InputJsonDelta {
        #[serde(borrow)]
        partial_json: Cow<'a, str>,
    },
    ThinkingDelta {
        #[serde(borrow)]
        thinking: Cow<'a, str>,
    },
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct MessageDeltaBody {
    #[serde(default)]
    stop_reason: Option<String>,
}

/// Translates one streamed response. Feed every upstream chunk to [`Self::feed`] and call
/// [`Self::finish`] at end of stream; each returns the bytes to send to the client now.
#[derive(Debug)]
pub struct StreamTranslator {
    parser: SseParser,
    state: State,
}

#[derive(Debug)]
struct State {
    created: u64,
    include_usage: bool,
    id: String,
    model: String,
    usage: Usage,
    /// The content block that is a tool call, and its OpenAI `tool_calls` index.
    tool_block: Option<(u64, u32)>,
    tool_calls: u32,
    /// `data: [DONE]` was written: everything later is ignored.
    done: bool,
}

impl StreamTranslator {
    /// A translator; `created` is the Unix time reported in chunks, `include_usage` whether
    /// the client asked for a final usage chunk.
    pub fn new(created: u64, include_usage: bool) -> Self {
        Self {
            parser: SseParser::default(),
            state: State {
                created,
                include_usage,
                id: String::new(),
                model: String::new(),
                usage: Usage::default(),
                tool_block: None,
                tool_calls: 0,
                done: false,
            },
        }
    }

    /// Translates the next upstream chunk; returns the OpenAI SSE bytes it completes.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<u8> {
        sse_bytes(|out| self.feed_into(chunk, out))
    }

    /// Translates the next upstream chunk into `out`.
    pub fn feed_into(&mut self, chunk: &[u8], out: &mut dyn ChunkSink) {
        if self.state.done {
            return;
        }
        let state = &mut self.state;
        let result = self.parser.feed(chunk, |event| state.on_event(event, out));
        if let Err(e) = result {
            state.fail(&format!("Unreadable Anthropic stream: {e}"), out);
        }
    }

    /// Translates one whole Anthropic event given as its JSON (as AWS Bedrock delivers them,
    /// one per event-stream frame, without SSE framing) into `out`.
    pub fn feed_event_into(&mut self, json: &[u8], out: &mut dyn ChunkSink) {
        let event = SseEvent {
            event: b"chunk",
            data: json,
        };
        self.state.on_event(event, out);
    }

    /// Whether the client stream is over (`[DONE]` written).
    pub fn is_done(&self) -> bool {
        self.state.done
    }

    /// Ends the stream; returns the OpenAI SSE bytes left to send.
    pub fn finish(&mut self) -> Vec<u8> {
        sse_bytes(|out| self.finish_into(out))
    }

    /// Ends the stream into `out`: a stream cut before `message_stop` ends with an error
    /// chunk.
    pub fn finish_into(&mut self, out: &mut dyn ChunkSink) {
        if self.state.done {
            return;
        }
        let state = &mut self.state;
        let result = self.parser.finish(|event| state.on_event(event, out));
        if let Err(e) = result {
            state.fail(&format!("Unreadable Anthropic stream: {e}"), out);
        }
        if !state.done {
            state.fail("The Anthropic stream ended before message_stop.", out);
        }
    }
}

impl State {
    fn on_event(&mut self, event: SseEvent<'_>, out: &mut dyn ChunkSink) {
        if self.done {
            return;
        }
        let parsed: Event = match serde_json::from_slice(event.data) {
            Ok(e) => e,
            Err(e) => {
                let message = format!(
                    "Unreadable Anthropic stream event '{}': {e}",
                    String::from_utf8_lossy(event.event)
                );
                return self.fail(&message, out);
            }
        };
        match parsed {
            Event::MessageStart { message } => {
                self.id = message.id;
                self.model = message.model;
                self.usage.update(&message.usage);
                let delta = Delta {
                    role: Some("assistant"),
                    content: Some(""),
                    ..Delta::default()
                };
                self.chunk(delta, None, out);
            }
            Event::ContentBlockStart {
                index,
                content_block,
            } => match content_block {
                StartBlock::ToolUse { id, name } => {
                    let tool = self.tool_calls;
                    self.tool_calls += 1;
                    self.tool_block = Some((index, tool));
                    let call = ToolCall {
                        index: tool,
                        id: Some(&id),
                        kind: Some("function"),
                        function: Function {
                            name: Some(&name),
                            arguments: "",
                        },
                    };
                    self.head().write_tool_call(call, out);
                }
                StartBlock::Text { text } if !text.is_empty() => {
                    self.content(&text, out);
                }
                StartBlock::Text { .. } | StartBlock::Other => {}
            },
            Event::ContentBlockDelta { index, delta } => match delta {
                BlockDelta::TextDelta { text } => self.content(&text, out),
                BlockDelta::ThinkingDelta { thinking } => {
                    let delta = Delta {
                        reasoning_content: Some(&thinking),
                        ..Delta::default()
                    };
                    self.chunk(delta, None, out);
                }
                BlockDelta::InputJsonDelta { partial_json } => {
                    if let Some((block, tool)) = self.tool_block
                        && block == index
                    {
                        let call = ToolCall {
                            index: tool,
                            id: None,
                            kind: None,
                            function: Function {
                                name: None,
                                arguments: &partial_json,
                            },
                        };
                        self.head().write_tool_call(call, out);
                    }
                }
                BlockDelta::Other => {}
            },
            Event::MessageDelta { delta, usage } => {
                if let Some(usage) = usage {
                    self.usage.update(&usage);
                }
                if let Some(reason) = delta.stop_reason {
                    self.chunk(Delta::default(), Some(finish_reason(&reason)), out);
                }
            }
            Event::MessageStop => {
                if self.include_usage {
                    self.head().write_usage(self.usage.to_openai(), out);
                }
                out.done();
                self.done = true;
            }
            Event::Error => {
                out.value(&openai_error(500, event.data));
                out.done();
                self.done = true;
            }
            Event::Ignored => {}
        }
    }

    fn head(&self) -> ChunkHead<'_> {
        ChunkHead {
            id: &self.id,
            created: self.created,
            model: &self.model,
        }
    }

    fn chunk(&self, delta: Delta<'_>, finish: Option<&str>, out: &mut dyn ChunkSink) {
        self.head().write_chunk(delta, finish, None, out);
    }

    fn content(&self, text: &str, out: &mut dyn ChunkSink) {
        let delta = Delta {
            content: Some(text),
            ..Delta::default()
        };
        self.chunk(delta, None, out);
    }

    /// Ends the client stream with an error chunk.
    fn fail(&mut self, message: &str, out: &mut dyn ChunkSink) {
        out.error_end(message);
        self.done = true;
    }
}
