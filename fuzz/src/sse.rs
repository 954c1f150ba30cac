//! The SSE parser, and the shape every OpenAI stream the gateway writes must have.

use crate::Chunks;
use aigw_core::sse::{SseError, SseParser};

/// Parses the input once whole and once cut into chunks, with small limits taken from the
/// first two bytes: both must give the same events and the same outcome, and no event may
/// break the limits.
pub fn sse_parser(input: &[u8]) {
    let [line_byte, event_byte, seed, data @ ..] = input else {
        return;
    };
    let max_line = 8 + usize::from(*line_byte);
    let max_event = 8 + 2 * usize::from(*event_byte);
    let whole = parse(max_line, max_event, [data].into_iter());
    let chunked = parse(max_line, max_event, Chunks::new(*seed, data));
    assert_eq!(whole, chunked, "chunked parse differs from whole parse");
    for (_, event_data) in &whole.0 {
        assert!(event_data.len() < max_event, "event data over the limit");
        assert!(!event_data.contains(&b'\r'), "line ending left in the data");
    }
}

type Parsed = (Vec<(Vec<u8>, Vec<u8>)>, Result<(), SseError>);

fn parse<'a>(max_line: usize, max_event: usize, chunks: impl Iterator<Item = &'a [u8]>) -> Parsed {
    let mut parser = SseParser::new(max_line, max_event);
    let mut events = Vec::new();
    let mut collect =
        |e: aigw_core::sse::SseEvent<'_>| events.push((e.event.to_vec(), e.data.to_vec()));
    for chunk in chunks {
        if let Err(e) = parser.feed(chunk, &mut collect) {
            // Every later call must report the same error.
            assert_eq!(parser.feed(b"data: x\n\n", &mut collect), Err(e));
            return (events, Err(e));
        }
    }
    let end = parser.finish(&mut collect);
    (events, end)
}

/// Asserts that `out` is an OpenAI SSE stream as the gateway writes it: events of one
/// `data:` line each, separated by a blank line, every data a JSON object except a final
/// `[DONE]` (when `done` is required, it must be there, once, last).
pub fn assert_openai_sse(out: &[u8], done: bool) {
    let text = std::str::from_utf8(out).expect("SSE output is not UTF-8");
    if text.is_empty() {
        assert!(!done, "stream ended without [DONE]");
        return;
    }
    assert!(
        text.ends_with("\n\n"),
        "SSE output does not end with a blank line: {text:?}"
    );
    let events: Vec<&str> = text[..text.len() - 2].split("\n\n").collect();
    for (i, event) in events.iter().enumerate() {
        let data = event
            .strip_prefix("data: ")
            .unwrap_or_else(|| panic!("event without data: {event:?}"));
        assert!(!data.contains('\n'), "multi-line event: {event:?}");
        if data == "[DONE]" {
            assert_eq!(i, events.len() - 1, "[DONE] is not the last event");
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(data)
            .unwrap_or_else(|e| panic!("event data is not JSON ({e}): {data:?}"));
        assert!(value.is_object(), "event data is not an object: {data:?}");
    }
    if done {
        assert_eq!(
            events.last(),
            Some(&"data: [DONE]"),
            "stream ended without [DONE]"
        );
    }
}
