use super::*;

const CHAT_STREAM: &[u8] = include_bytes!("../../../testdata/openai/chat_stream.sse");
const COMPLETIONS_STREAM: &[u8] = include_bytes!("../../../testdata/openai/completions_stream.sse");

/// (event type, data) pairs, owned.
type Events = Vec<(String, String)>;

fn collect_chunks(parser: &mut SseParser, chunks: &[&[u8]]) -> Result<Events, SseError> {
    let mut events = Vec::new();
    let mut push = |ev: SseEvent<'_>| {
        events.push((
            String::from_utf8(ev.event.to_vec()).unwrap(),
            String::from_utf8(ev.data.to_vec()).unwrap(),
        ))
    };
    for chunk in chunks {
        parser.feed(chunk, &mut push)?;
    }
    parser.finish(&mut push)?;
    Ok(events)
}

fn parse(input: &[u8]) -> Events {
    collect_chunks(&mut SseParser::default(), &[input]).unwrap()
}

fn msg(data: &str) -> (String, String) {
    ("message".to_string(), data.to_string())
}

#[test]
fn parses_a_real_looking_chat_stream() {
    let events = parse(CHAT_STREAM);
    assert_eq!(events.len(), 30);
    assert!(events.iter().all(|(t, _)| t == "message"));
    assert!(events[0].1.starts_with("{\"id\":\"chatcmpl-"));
    assert!(events[28].1.contains("\"total_tokens\":57"));
    assert_eq!(events[29], msg("[DONE]"));
}

#[test]
fn every_split_point_gives_identical_events() {
    for stream in [CHAT_STREAM, COMPLETIONS_STREAM] {
        let whole = parse(stream);
        for at in 0..=stream.len() {
            let (a, b) = stream.split_at(at);
            let split = collect_chunks(&mut SseParser::default(), &[a, b]).unwrap();
            assert_eq!(split, whole, "split at byte {at}");
        }
    }
}

#[test]
fn byte_by_byte_feeding_gives_identical_events() {
    let whole = parse(CHAT_STREAM);
    let chunks: Vec<&[u8]> = CHAT_STREAM.chunks(1).collect();
    let bytewise = collect_chunks(&mut SseParser::default(), &chunks).unwrap();
    assert_eq!(bytewise, whole);
}

#[test]
fn all_line_endings_are_accepted() {
    let expected = vec![msg("a"), msg("b")];
    assert_eq!(parse(b"data: a\n\ndata: b\n\n"), expected);
    assert_eq!(parse(b"data: a\r\n\r\ndata: b\r\n\r\n"), expected);
    assert_eq!(parse(b"data: a\r\rdata: b\r\r"), expected);
    assert_eq!(parse(b"data: a\r\n\ndata: b\r\r\n"), expected);
}

#[test]
fn cr_then_lf_across_chunks_is_one_line_ending() {
    let mut parser = SseParser::default();
    let events = collect_chunks(&mut parser, &[b"data: a\r", b"\n", b"\r", b"\ndata: b\n\n"]);
    assert_eq!(events.unwrap(), vec![msg("a"), msg("b")]);
}

#[test]
fn multi_line_data_is_joined_with_newlines() {
    assert_eq!(
        parse(b"data: first\ndata:second\ndata\ndata:  indented\n\n"),
        vec![msg("first\nsecond\n\n indented")]
    );
}

#[test]
fn comments_unknown_fields_and_empty_events_are_skipped() {
    let input = b": keep-alive\n\nid: 7\nretry: 100\nfoo: bar\n\nevent: ping\n\ndata: x\n\n";
    assert_eq!(parse(input), vec![msg("x")]);
}

#[test]
fn event_type_is_reported_and_reset_after_dispatch() {
    let input = b"event: message_start\ndata: {}\n\ndata: next\n\n";
    assert_eq!(
        parse(input),
        vec![("message_start".to_string(), "{}".to_string()), msg("next")]
    );
}

#[test]
fn empty_data_field_dispatches_an_empty_event() {
    assert_eq!(parse(b"data:\n\n"), vec![msg("")]);
}

#[test]
fn leading_byte_order_mark_is_dropped() {
    assert_eq!(parse(b"\xEF\xBB\xBFdata: a\n\n"), vec![msg("a")]);
    let mut parser = SseParser::default();
    let split = collect_chunks(&mut parser, &[b"\xEF", b"\xBB\xBFdata: a\n\n"]);
    assert_eq!(split.unwrap(), vec![msg("a")]);
}

#[test]
fn unterminated_last_event_is_dispatched_at_finish() {
    assert_eq!(parse(b"data: a\n\ndata: b"), vec![msg("a"), msg("b")]);
    assert_eq!(parse(b"data: a\n"), vec![msg("a")]);
}

#[test]
fn parser_is_reusable_after_finish() {
    let mut parser = SseParser::default();
    assert_eq!(
        collect_chunks(&mut parser, &[b"data: a"]).unwrap(),
        vec![msg("a")]
    );
    assert_eq!(
        collect_chunks(&mut parser, &[b"data: b\n\n"]).unwrap(),
        vec![msg("b")]
    );
}

#[test]
fn overlong_line_is_an_error_and_sticks() {
    let mut parser = SseParser::new(16, 1024);
    let err = parser.feed(b"data: 0123456789abcdef", |_| {}).unwrap_err();
    assert_eq!(err, SseError::LineTooLong { limit: 16 });
    assert_eq!(err.to_string(), "SSE line longer than 16 bytes");
    assert_eq!(parser.feed(b"\n\n", |_| panic!("no events")), Err(err));
    assert_eq!(parser.finish(|_| panic!("no events")), Err(err));
}

#[test]
fn overlong_line_split_across_chunks_is_an_error() {
    let mut parser = SseParser::new(16, 1024);
    parser.feed(b"data: 01234", |_| {}).unwrap();
    let err = parser.feed(b"56789abcdef\n", |_| {}).unwrap_err();
    assert_eq!(err, SseError::LineTooLong { limit: 16 });
}

#[test]
fn complete_overlong_line_in_one_chunk_is_an_error() {
    let mut parser = SseParser::new(8, 1024);
    let err = parser.feed(b"data: 0123456789\n\n", |_| {}).unwrap_err();
    assert_eq!(err, SseError::LineTooLong { limit: 8 });
}

#[test]
fn oversized_event_is_an_error() {
    let mut parser = SseParser::new(64, 10);
    let mut seen = 0;
    parser.feed(b"data: 1234\n\n", |_| seen += 1).unwrap();
    let err = parser
        .feed(b"data: 12345\ndata: 67890\n\n", |_| seen += 1)
        .unwrap_err();
    assert_eq!(seen, 1);
    assert_eq!(err, SseError::EventTooLarge { limit: 10 });
    assert_eq!(err.to_string(), "SSE event data larger than 10 bytes");
}

#[test]
fn events_before_an_error_in_the_same_chunk_are_delivered() {
    let mut parser = SseParser::new(16, 1024);
    let mut seen = Vec::new();
    let result = parser.feed(b"data: ok\n\ndata: far too long for the limit\n", |ev| {
        seen.push(ev.data.to_vec())
    });
    assert!(result.is_err());
    assert_eq!(seen, vec![b"ok".to_vec()]);
}
