//! InvokeModelWithResponseStream frames -> Anthropic streaming events. Each `event` frame
//! whose `:event-type` is `chunk` carries `{"bytes": "<base64>"}`, the base64 of one
//! Anthropic event's JSON; `exception` frames (and `error` frames) end the stream with an AWS
//! error. Memory: the event-stream decoder's one pending frame.

use crate::bedrock::eventstream::{Decoder, Frame};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::json;

/// What one frame carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// One Anthropic streaming event (its JSON).
    Event(Vec<u8>),
    /// An AWS exception: its name (`throttlingException`, ...) and JSON payload
    /// (`{"message": ...}`).
    Exception {
        /// The `:exception-type` (or `:error-code`).
        name: String,
        /// The payload, a JSON object with a `message`.
        payload: Vec<u8>,
    },
}

#[derive(Deserialize)]
struct Chunk<'a> {
    #[serde(borrow)]
    bytes: &'a str,
}

/// Decodes a stream of chunk frames fed in arbitrary pieces.
#[derive(Debug, Default)]
pub struct ChunkDecoder {
    decoder: Decoder,
}

impl ChunkDecoder {
    /// Reads `input`, calling `on_item` for every frame it completes (`Err` for a frame
    /// that cannot be read). `Err` when the framing is broken (later input fails too).
    pub fn feed(
        &mut self,
        input: &[u8],
        mut on_item: impl FnMut(Result<Item, String>),
    ) -> Result<(), String> {
        self.decoder
            .feed(input, |frame| on_item(item(&frame)))
            .map_err(|e| format!("Unreadable Bedrock event stream: {e}"))
    }

    /// Ends the stream: `Err` when it stopped inside a frame.
    pub fn finish(&mut self) -> Result<(), String> {
        self.decoder
            .finish()
            .map_err(|e| format!("Unreadable Bedrock event stream: {e}"))
    }
}

fn item(frame: &Frame) -> Result<Item, String> {
    match frame.header_str(":message-type") {
        Some("event") => {}
        Some("exception") => {
            let name = frame.header_str(":exception-type").unwrap_or("exception");
            return Ok(Item::Exception {
                name: name.to_string(),
                payload: frame.payload.clone(),
            });
        }
        Some("error") => {
            let name = frame.header_str(":error-code").unwrap_or("error");
            let message = frame.header_str(":error-message").unwrap_or_default();
            return Ok(Item::Exception {
                name: name.to_string(),
                payload: json!({ "message": message }).to_string().into_bytes(),
            });
        }
        other => return Err(format!("Bedrock event frame with :message-type {other:?}")),
    }
    match frame.header_str(":event-type") {
        Some("chunk") => {}
        other => return Err(format!("Bedrock event frame with :event-type {other:?}")),
    }
    let chunk: Chunk = serde_json::from_slice(&frame.payload)
        .map_err(|e| format!("Unreadable Bedrock chunk payload: {e}"))?;
    STANDARD
        .decode(chunk.bytes)
        .map(Item::Event)
        .map_err(|e| format!("Bedrock chunk bytes are not base64: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bedrock::eventstream::encode_frame;

    fn frame(headers: &[(&str, &str)], payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        encode_frame(&Frame::with_strings(headers, payload), &mut out);
        out
    }

    fn items(input: &[u8]) -> Vec<Result<Item, String>> {
        let mut found = Vec::new();
        let mut decoder = ChunkDecoder::default();
        decoder.feed(input, |i| found.push(i)).unwrap();
        decoder.finish().unwrap();
        found
    }

    #[test]
    fn chunks_exceptions_and_bad_frames() {
        let event = br#"{"type":"message_stop"}"#;
        let payload = json!({ "bytes": STANDARD.encode(event), "p": "abc" }).to_string();
        let chunk = [
            (":event-type", "chunk"),
            (":content-type", "application/json"),
            (":message-type", "event"),
        ];
        let exception = [
            (":exception-type", "throttlingException"),
            (":message-type", "exception"),
        ];
        let mut input = frame(&chunk, payload.as_bytes());
        input.extend(frame(&exception, br#"{"message":"slow"}"#));
        input.extend(frame(&chunk, br#"{"bytes":"!!"}"#));
        input.extend(frame(&[(":message-type", "event")], b"{}"));
        let found = items(&input);
        assert_eq!(found[0], Ok(Item::Event(event.to_vec())));
        assert_eq!(
            found[1],
            Ok(Item::Exception {
                name: "throttlingException".into(),
                payload: br#"{"message":"slow"}"#.to_vec()
            })
        );
        assert!(found[2].as_ref().unwrap_err().contains("base64"));
        assert!(found[3].as_ref().unwrap_err().contains(":event-type"));
    }
}
