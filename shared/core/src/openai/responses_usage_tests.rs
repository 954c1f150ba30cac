use super::*;
use crate::sse::{SseEvent, SseParser};

const RESPONSE: &[u8] = include_bytes!("../../../../testdata/openai/responses.json");
const STREAM: &[u8] = include_bytes!("../../../../testdata/openai/responses_stream.sse");

/// The usage both captures report.
fn captured() -> ResponseUsage {
    ResponseUsage {
        model: "o4-mini-2025-04-16".into(),
        usage: Some(TokenUsage {
            input_tokens: 37,
            output_tokens: 72,
            total_tokens: 109,
            cached_input_tokens: 12,
            cache_creation_input_tokens: 0,
            reasoning_tokens: 64,
        }),
    }
}

/// Feeds `chunks` to a parser and accumulator; returns the usage and the index of the
/// first event that carried output.
fn stream(chunks: &[&[u8]]) -> (ResponseUsage, Option<usize>) {
    let mut acc = ResponsesStreamUsage::default();
    let mut first = None;
    let mut index = 0;
    let mut on_event = |ev: SseEvent<'_>| {
        if acc.on_event_data(ev.data).unwrap() && first.is_none() {
            first = Some(index);
        }
        index += 1;
    };
    let mut parser = SseParser::default();
    for chunk in chunks {
        parser.feed(chunk, &mut on_event).unwrap();
    }
    parser.finish(&mut on_event).unwrap();
    (acc.take(), first)
}

#[test]
fn whole_response_usage_and_model() {
    assert_eq!(extract_responses_usage(RESPONSE).unwrap(), captured());
}

#[test]
fn stream_usage_equals_the_whole_response() {
    let (usage, first) = stream(&[STREAM]);
    assert_eq!(usage, captured());
    // created, in_progress, two reasoning item events, message item and part added: the
    // seventh event is the first text delta.
    assert_eq!(first, Some(6));
}

#[test]
fn stream_split_at_every_byte_reports_the_same_usage() {
    for at in 0..=STREAM.len() {
        let (a, b) = STREAM.split_at(at);
        let (usage, first) = stream(&[a, b]);
        assert_eq!(usage, captured(), "split at {at}");
        assert_eq!(first, Some(6), "split at {at}");
    }
}

#[test]
fn stream_cut_before_completed_has_model_and_output_chunks_only() {
    let end = STREAM
        .windows(b"event: response.output_text.done".len())
        .position(|w| w == b"event: response.output_text.done")
        .unwrap();
    let mut acc = ResponsesStreamUsage::default();
    let mut parser = SseParser::default();
    parser
        .feed(&STREAM[..end], |ev| {
            acc.on_event_data(ev.data).unwrap();
        })
        .unwrap();
    assert_eq!(acc.tally().output_chunks(), 8);
    let usage = acc.take();
    assert_eq!(usage.model, "o4-mini-2025-04-16");
    assert_eq!(usage.usage, None);
    assert_eq!(acc.tally().output_chunks(), 0);
}

#[test]
fn incomplete_and_failed_events_carry_usage() {
    for kind in ["response.incomplete", "response.failed"] {
        let mut acc = ResponsesStreamUsage::default();
        let event = format!(
            r#"{{"type":"{kind}","sequence_number":9,"response":{{"model":"gpt-4.1","status":"x","usage":{{"input_tokens":5,"output_tokens":3}}}}}}"#
        );
        assert!(!acc.on_event_data(event.as_bytes()).unwrap());
        let usage = acc.take();
        assert_eq!(usage.model, "gpt-4.1");
        let tokens = usage.usage.unwrap();
        assert_eq!((tokens.input_tokens, tokens.output_tokens), (5, 3));
        assert_eq!(tokens.total_tokens, 8, "total defaults to input + output");
    }
}

#[test]
fn deltas_of_every_output_kind_count_and_empty_ones_do_not() {
    let mut acc = ResponsesStreamUsage::default();
    for kind in [
        "response.output_text.delta",
        "response.refusal.delta",
        "response.reasoning_summary_text.delta",
        "response.function_call_arguments.delta",
    ] {
        let event = format!(r#"{{"type":"{kind}","delta":"x"}}"#);
        assert!(acc.on_event_data(event.as_bytes()).unwrap(), "{kind}");
    }
    assert!(
        !acc.on_event_data(br#"{"type":"response.output_text.delta","delta":""}"#)
            .unwrap()
    );
    assert_eq!(acc.tally().output_chunks(), 4);
}

#[test]
fn null_usage_keeps_the_last_one_and_bad_json_is_an_error() {
    let mut acc = ResponsesStreamUsage::default();
    acc.on_event_data(br#"{"response":{"model":"m","usage":{"input_tokens":1,"output_tokens":2,"total_tokens":3}}}"#)
        .unwrap();
    acc.on_event_data(br#"{"response":{"model":"","usage":null}}"#)
        .unwrap();
    assert!(acc.on_event_data(b"{not json").is_err());
    let usage = acc.take();
    assert_eq!(usage.model, "m");
    assert_eq!(usage.usage.unwrap().total_tokens, 3);
    assert!(extract_responses_usage(b"[1]").is_err());
    assert_eq!(
        extract_responses_usage(br#"{"model":"m","usage":null}"#)
            .unwrap()
            .usage,
        None
    );
}
