//! Stream translators fed the input in network-like chunks (first byte: the chunk seed, its
//! lowest bit `include_usage`) and in one piece: both must give the same bytes, in the
//! well-formed shape of the output schema. The targets here: Cohere and Bedrock
//! ConverseStream to OpenAI chunks, and OpenAI chunks to Anthropic Messages events.

use crate::{Chunks, assert_openai_sse};
use aigw_core::anthropic::messages::stream::StreamTranslator as MessagesStream;
use aigw_core::bedrock::ResponseContext as BedrockContext;
use aigw_core::bedrock::stream::StreamTranslator as BedrockStream;
use aigw_core::cohere::response::ResponseContext as CohereContext;
use aigw_core::cohere::stream::ChatStream as CohereStream;
use serde_json::Value;

const CREATED: u64 = 1_700_000_000;

/// One stream translation: a fresh translator, feeding a chunk, ending the stream.
pub(crate) struct Translation<T> {
    pub new: fn(bool) -> T,
    pub feed: fn(&mut T, &[u8]) -> Vec<u8>,
    pub finish: fn(&mut T) -> Vec<u8>,
}

impl<T> Translation<T> {
    /// The output for the input cut where `seed` says, after asserting that it equals the
    /// output for the input in one piece.
    pub(crate) fn same_when_chunked(&self, seed: u8, data: &[u8]) -> Vec<u8> {
        let run = |chunks: &mut dyn Iterator<Item = &[u8]>| {
            let mut translator = (self.new)(seed & 1 != 0);
            let mut out = Vec::new();
            for chunk in chunks {
                out.extend((self.feed)(&mut translator, chunk));
            }
            out.extend((self.finish)(&mut translator));
            out
        };
        let chunked = run(&mut Chunks::new(seed, data));
        let whole = run(&mut std::iter::once(data));
        assert_eq!(chunked, whole, "chunking changed the output");
        chunked
    }
}

/// A Cohere v2 chat stream to OpenAI chunks.
pub fn cohere_stream(input: &[u8]) {
    let (seed, data) = Chunks::split_seed(input);
    let translation = Translation {
        new: |include_usage| {
            let context = CohereContext {
                model: "command-fuzz".to_string(),
                created: CREATED,
            };
            CohereStream::new(context, include_usage)
        },
        feed: CohereStream::feed,
        finish: CohereStream::finish,
    };
    assert_openai_sse(&translation.same_when_chunked(seed, data), true);
}

/// A Bedrock ConverseStream (binary event stream) to OpenAI chunks.
pub fn bedrock_stream(input: &[u8]) {
    let (seed, data) = Chunks::split_seed(input);
    let translation = Translation {
        new: |include_usage| {
            let context = BedrockContext::new(Some("req-fuzz"), "bedrock-fuzz", CREATED);
            BedrockStream::new(context, include_usage)
        },
        feed: BedrockStream::feed,
        finish: BedrockStream::finish,
    };
    assert_openai_sse(&translation.same_when_chunked(seed, data), true);
}

/// An OpenAI chat stream to Anthropic Messages events (the `/v1/messages` path).
pub fn messages_stream(input: &[u8]) {
    let (seed, data) = Chunks::split_seed(input);
    let translation = Translation {
        new: |_| MessagesStream::new(),
        feed: MessagesStream::feed,
        finish: MessagesStream::finish,
    };
    assert_anthropic_sse(&translation.same_when_chunked(seed, data));
}

/// Asserts that `out` is an Anthropic SSE stream as the gateway writes it: events of an
/// `event:` line and one `data:` line holding a JSON object whose `type` is the event name,
/// ending with `message_stop` or `error`.
fn assert_anthropic_sse(out: &[u8]) {
    let text = std::str::from_utf8(out).expect("SSE output is not UTF-8");
    assert!(text.ends_with("\n\n"), "no complete last event: {text:?}");
    let mut last = "";
    for event in text[..text.len() - 2].split("\n\n") {
        let (name_line, data_line) = event
            .split_once('\n')
            .unwrap_or_else(|| panic!("event of one line: {event:?}"));
        let name = name_line
            .strip_prefix("event: ")
            .unwrap_or_else(|| panic!("event without a name: {event:?}"));
        let data = data_line
            .strip_prefix("data: ")
            .unwrap_or_else(|| panic!("event without data: {event:?}"));
        assert!(!data.contains('\n'), "multi-line event: {event:?}");
        let value: Value = serde_json::from_str(data)
            .unwrap_or_else(|e| panic!("event data is not JSON ({e}): {event:?}"));
        assert_eq!(value["type"], name, "event name and type differ: {event:?}");
        assert!(
            last != "message_stop" && last != "error",
            "an event after the end: {event:?}"
        );
        last = name;
    }
    assert!(
        last == "message_stop" || last == "error",
        "stream ended with {last:?}"
    );
}
