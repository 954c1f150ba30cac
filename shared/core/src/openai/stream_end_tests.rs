use super::*;

const DONE: &[u8] = b"data: [DONE]\n\n";

/// Feeds `chunks` and returns what the client receives.
fn run(chunks: &[&[u8]]) -> Vec<u8> {
    let mut end = StreamEnd::default();
    let mut out = Vec::new();
    for (i, chunk) in chunks.iter().enumerate() {
        match end.feed(chunk, i + 1 == chunks.len()) {
            Some(replaced) => out.extend(replaced),
            None => out.extend_from_slice(chunk),
        }
    }
    out
}

#[test]
fn whole_streams_pass_unchanged_at_any_split() {
    let stream: &[u8] = b"data: {\"a\":1}\n\ndata: {\"b\":2}\r\n\r\ndata: [DONE]\n\n";
    for split in 0..=stream.len() {
        let (a, b) = stream.split_at(split);
        assert_eq!(run(&[a, b]), stream, "split at {split}");
    }
    assert_eq!(
        run(&[b"data: {}\n\n", DONE, b""]),
        [b"data: {}\n\n", DONE].concat()
    );
    for split in 0..=stream.len() {
        for second in split..=stream.len() {
            let parts = [&stream[..split], &stream[split..second], &stream[second..]];
            assert_eq!(run(&parts), stream, "split at {split} and {second}");
        }
    }
}

#[test]
fn whole_events_pass_without_a_copy() {
    let mut end = StreamEnd::default();
    assert_eq!(end.feed(b"data: {\"a\":1}\n\n", false), None);
    assert_eq!(
        end.feed(b"data: {\"b\":2}\n\ndata: [DONE]\n\n", false),
        None
    );
    assert_eq!(end.feed(b"", true), Some(Vec::new()));
}

#[test]
fn a_stream_cut_in_an_event_ends_with_an_error_and_done() {
    let out = run(&[b"data: {\"a\":1}\n\ndata: {\"b\":", b"2"]);
    let text = String::from_utf8(out).unwrap();
    let events: Vec<&str> = text.split("\n\n").filter(|e| !e.is_empty()).collect();
    assert_eq!(events[0], "data: {\"a\":1}");
    let error: serde_json::Value = serde_json::from_str(&events[1]["data: ".len()..]).unwrap();
    assert_eq!(error["error"]["code"], "incomplete_stream");
    assert_eq!(events[2], "data: [DONE]");
    assert_eq!(events.len(), 3);
}

#[test]
fn a_stream_without_done_gets_one() {
    let out = run(&[b"data: {\"a\":1}\n\n", b""]);
    assert!(out.starts_with(b"data: {\"a\":1}\n\ndata: {\"error\""));
    assert!(out.ends_with(DONE));
    // Done seen earlier than the last chunk, then an empty end: nothing is added.
    assert_eq!(
        run(&[b"data: {\"a\":1}\n\ndata: [DONE]\n\n", b""]).len(),
        29
    );
}

#[test]
fn an_oversized_partial_event_is_passed_on() {
    let mut end = StreamEnd::default();
    let big = vec![b'x'; MAX_HELD_BYTES + 1];
    assert_eq!(end.feed(b"data: ", false), Some(Vec::new()));
    let out = end.feed(&big, false).unwrap();
    assert_eq!(out.len(), MAX_HELD_BYTES + 7);
    assert_eq!(end.feed(b"\n\n", true), None);
}
