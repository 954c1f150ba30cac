//! Where a provider-to-OpenAI stream translator puts the events it makes: the typed
//! `chat.completion.chunk`s, JSON events (error objects, chunks built as JSON) and the end
//! marker. Serialized to SSE bytes only at the edge (`Vec<u8>`, for OpenAI clients); the
//! Anthropic Messages chain takes them as they are, with no SSE round trip
//! ([`crate::anthropic::messages::stream::StreamTranslator::sink`]).

use crate::anthropic::chunk::{Chunk, UsageChunk, write_data};
use serde_json::{Value, json};

/// Receives one translated stream, event by event.
pub trait ChunkSink {
    /// A `chat.completion.chunk` with one choice.
    fn chunk(&mut self, chunk: &Chunk<'_>);
    /// The final usage chunk (`choices: []`).
    fn usage(&mut self, chunk: &UsageChunk<'_>);
    /// Any other event: an `{"error": ...}` object, or a chunk built as JSON.
    fn value(&mut self, event: &Value);
    /// The end of the stream (`data: [DONE]`).
    fn done(&mut self);

    /// Ends the stream with an OpenAI `server_error` event (no `code`) saying `message`,
    /// then the end marker.
    fn error_end(&mut self, message: &str) {
        let error = json!({"error": {"message": message, "type": "server_error", "param": null, "code": null}});
        self.value(&error);
        self.done();
    }
}

/// The OpenAI SSE bytes `write` puts into a sink: how a translator's `feed` and `finish`
/// return what its `feed_into` and `finish_into` write.
pub fn sse_bytes(write: impl FnOnce(&mut dyn ChunkSink)) -> Vec<u8> {
    let mut out = Vec::new();
    write(&mut out);
    out
}

/// The edge: OpenAI SSE bytes.
impl ChunkSink for Vec<u8> {
    fn chunk(&mut self, chunk: &Chunk<'_>) {
        write_data(self, chunk);
    }

    fn usage(&mut self, chunk: &UsageChunk<'_>) {
        write_data(self, chunk);
    }

    fn value(&mut self, event: &Value) {
        write_data(self, event);
    }

    fn done(&mut self) {
        self.extend_from_slice(b"data: [DONE]\n\n");
    }
}
