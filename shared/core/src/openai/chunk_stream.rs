//! A provider's SSE stream turned into OpenAI `chat.completion.chunk` events, chunk by
//! chunk: the SSE framing, the end of the stream (`[DONE]`, the usage chunk when asked for)
//! and a stream that breaks the SSE limits (one OpenAI error event, the rest dropped) are
//! the same for every provider; what one provider event means is [`ChunkEvents`].

use super::chunk_sink::{ChunkSink, sse_bytes};
use crate::sse::SseParser;
use serde_json::{Value, json};

/// The provider-specific part of a [`ChunkStream`].
pub trait ChunkEvents {
    /// The provider, as named in the error event ("Gemini").
    const PROVIDER: &'static str;
    /// The `code` of the error event of an unreadable stream ("GEMINI_STREAM").
    const UNREADABLE_CODE: &'static str;

    /// One complete event's `data`; puts the OpenAI events it makes into `out`.
    fn on_data(&mut self, data: &[u8], out: &mut dyn ChunkSink);
    /// The final usage chunk (`choices: []`) at a readable end, when one was asked for and
    /// the provider reported usage.
    fn usage_chunk(&self) -> Option<Value>;
}

/// One streamed response's translation.
#[derive(Debug)]
pub struct ChunkStream<E> {
    parser: SseParser,
    events: E,
    /// The upstream stream broke the SSE limits; the rest of it is dropped.
    failed: bool,
}

impl<E: ChunkEvents> ChunkStream<E> {
    /// A translation driven by `events`.
    pub fn with_events(events: E) -> Self {
        Self {
            parser: SseParser::default(),
            events,
            failed: false,
        }
    }

    /// Translates the next upstream bytes; returns the OpenAI SSE bytes they complete.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<u8> {
        sse_bytes(|out| self.feed_into(chunk, out))
    }

    /// Translates the next upstream bytes into `out`. A stream that breaks the SSE limits
    /// gets one error event, and its rest is dropped.
    pub fn feed_into(&mut self, chunk: &[u8], out: &mut dyn ChunkSink) {
        if self.failed {
            return;
        }
        let events = &mut self.events;
        let result = self
            .parser
            .feed(chunk, |event| events.on_data(event.data, out));
        if let Err(error) = result {
            self.fail(&error.to_string(), out);
        }
    }

    /// Ends the stream; returns the OpenAI SSE bytes left to send.
    pub fn finish(&mut self) -> Vec<u8> {
        sse_bytes(|out| self.finish_into(out))
    }

    /// Ends the stream into `out`: the last pending event, the usage chunk when asked for,
    /// `[DONE]`.
    pub fn finish_into(&mut self, out: &mut dyn ChunkSink) {
        if !self.failed {
            let events = &mut self.events;
            let result = self.parser.finish(|event| events.on_data(event.data, out));
            if let Err(error) = result {
                self.fail(&error.to_string(), out);
            }
        }
        if !self.failed
            && let Some(chunk) = self.events.usage_chunk()
        {
            out.value(&chunk);
        }
        out.done();
    }

    fn fail(&mut self, message: &str, out: &mut dyn ChunkSink) {
        self.failed = true;
        let message = format!("The {} stream cannot be read: {message}.", E::PROVIDER);
        write_event(&stream_error(&message, E::UNREADABLE_CODE), out);
    }
}

/// An OpenAI error event's payload (`server_error`) with `message` and `code`.
pub fn stream_error(message: &str, code: &str) -> Value {
    json!({
        "error": { "message": message, "type": "server_error", "param": null, "code": code }
    })
}

/// Puts `value` into `out` as one event.
pub fn write_event(value: &Value, out: &mut dyn ChunkSink) {
    out.value(value);
}
