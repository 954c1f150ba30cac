//! Streamed InvokeModel answers, chunk by chunk: [`ChatStream`] gives OpenAI
//! `chat.completion.chunk` SSE (each Anthropic event goes through the Anthropic API's stream
//! translation), [`MessagesStream`] gives the Anthropic SSE events a Messages client expects
//! (`event: <type>\ndata: <json>\n\n`). An exception frame ends either with an error event in
//! the client's schema (OpenAI: then `data: [DONE]`); broken framing and a stream cut before
//! `message_stop` too. Memory: one pending frame plus one event.

use super::frames::{ChunkDecoder, Item};
use crate::anthropic::messages::error::AnthropicError;
use crate::anthropic::stream::StreamTranslator;
use crate::bedrock::error::{exception_status, stream_error};
use crate::openai::chunk_sink::{ChunkSink, sse_bytes};
use serde::Deserialize;
use serde_json::Value;

/// OpenAI chat chunks from a stream of Anthropic events in Bedrock frames.
#[derive(Debug)]
pub struct ChatStream {
    frames: ChunkDecoder,
    translator: StreamTranslator,
    /// `data: [DONE]` was written: everything later is ignored.
    done: bool,
}

impl ChatStream {
    /// A translator; `created` is the Unix time reported in chunks, `include_usage` whether
    /// the client asked for a final usage chunk.
    pub fn new(created: u64, include_usage: bool) -> Self {
        Self {
            frames: ChunkDecoder::default(),
            translator: StreamTranslator::new(created, include_usage),
            done: false,
        }
    }

    /// Translates the next upstream bytes; returns the OpenAI SSE bytes they complete.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<u8> {
        sse_bytes(|out| self.feed_into(chunk, out))
    }

    /// Translates the next upstream bytes into `out`.
    pub fn feed_into(&mut self, chunk: &[u8], out: &mut dyn ChunkSink) {
        if self.done {
            return;
        }
        let (translator, done) = (&mut self.translator, &mut self.done);
        let result = self.frames.feed(chunk, |item| {
            if *done {
                return;
            }
            match item {
                Ok(Item::Event(json)) => {
                    translator.feed_event_into(&json, out);
                    *done = translator.is_done();
                }
                Ok(Item::Exception { name, payload }) => {
                    out.value(&stream_error(&name, &payload));
                    out.done();
                    *done = true;
                }
                Err(message) => fail(&message, out, done),
            }
        });
        if let Err(message) = result
            && !self.done
        {
            fail(&message, out, &mut self.done);
        }
    }

    /// Ends the stream; returns the OpenAI SSE bytes left to send.
    pub fn finish(&mut self) -> Vec<u8> {
        sse_bytes(|out| self.finish_into(out))
    }

    /// Ends the stream into `out`: one cut before `message_stop` ends with an error chunk.
    pub fn finish_into(&mut self, out: &mut dyn ChunkSink) {
        if self.done {
            return;
        }
        match self.frames.finish() {
            Err(message) => fail(&message, out, &mut self.done),
            Ok(()) => self.translator.finish_into(out),
        }
        self.done = true;
    }
}

/// Ends an OpenAI stream with an error chunk.
fn fail(message: &str, out: &mut dyn ChunkSink, done: &mut bool) {
    out.error_end(message);
    *done = true;
}

#[derive(Deserialize)]
struct EventType<'a> {
    #[serde(rename = "type", borrow)]
    kind: &'a str,
}

/// Anthropic SSE from a stream of Anthropic events in Bedrock frames.
#[derive(Debug, Default)]
pub struct MessagesStream {
    frames: ChunkDecoder,
    /// `message_stop` was written.
    stopped: bool,
    /// The stream is over (stopped, or an error event was written): later input is ignored.
    done: bool,
}

impl MessagesStream {
    /// Translates the next upstream bytes.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        if self.done {
            return out;
        }
        let (stopped, done) = (&mut self.stopped, &mut self.done);
        let result = self.frames.feed(chunk, |item| {
            if *done {
                return;
            }
            match item {
                Ok(Item::Event(json)) => match serde_json::from_slice::<EventType>(&json) {
                    Ok(event) => {
                        write_event(event.kind, &json, &mut out);
                        *stopped = event.kind == "message_stop";
                        *done = *stopped || event.kind == "error";
                    }
                    Err(e) => {
                        let message = format!("Unreadable Anthropic event from Bedrock: {e}");
                        error_event(&api_error(message), &mut out, done);
                    }
                },
                Ok(Item::Exception { name, payload }) => {
                    let openai = stream_error(&name, &payload);
                    let message = openai["error"]["message"].as_str().unwrap_or_default();
                    let error = AnthropicError {
                        status: exception_status(&name),
                        message: message.to_string(),
                    };
                    error_event(&error, &mut out, done);
                }
                Err(message) => error_event(&api_error(message), &mut out, done),
            }
        });
        if let Err(message) = result
            && !self.done
        {
            error_event(&api_error(message), &mut out, &mut self.done);
        }
        out
    }

    /// Ends the stream: one cut before `message_stop` ends with an error event.
    pub fn finish(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        if self.done {
            return out;
        }
        let message = match self.frames.finish() {
            Err(message) => message,
            Ok(()) => "The Bedrock stream ended before message_stop.".to_string(),
        };
        error_event(&api_error(message), &mut out, &mut self.done);
        out
    }
}

/// Writes one SSE event; JSON holding a line break is re-encoded on one line.
fn write_event(kind: &str, json: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(b"event: ");
    out.extend_from_slice(kind.as_bytes());
    out.extend_from_slice(b"\ndata: ");
    match serde_json::from_slice::<Value>(json) {
        Ok(value) if json.iter().any(|b| matches!(b, b'\n' | b'\r')) => {
            out.extend_from_slice(value.to_string().as_bytes());
        }
        _ => out.extend_from_slice(json),
    }
    out.extend_from_slice(b"\n\n");
}

/// A 500 `api_error` (a stream the gateway cannot read).
fn api_error(message: impl Into<String>) -> AnthropicError {
    AnthropicError {
        status: 500,
        message: message.into(),
    }
}

fn error_event(error: &AnthropicError, out: &mut Vec<u8>, done: &mut bool) {
    write_event("error", error.value().to_string().as_bytes(), out);
    *done = true;
}
