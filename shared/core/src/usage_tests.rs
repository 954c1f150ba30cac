use super::*;
use crate::sse::SseParser;

const CHAT: &[u8] = include_bytes!("../../../testdata/openai/chat_completion.json");
const COMPLETION: &[u8] = include_bytes!("../../../testdata/openai/completion.json");
const EMBEDDINGS: &[u8] = include_bytes!("../../../testdata/openai/embeddings.json");
const CHAT_STREAM: &[u8] = include_bytes!("../../../testdata/openai/chat_stream.sse");
const COMPLETIONS_STREAM: &[u8] = include_bytes!("../../../testdata/openai/completions_stream.sse");
const NO_USAGE_STREAM: &[u8] = include_bytes!("../../../testdata/openai/chat_stream_no_usage.sse");

fn usage(input: u64, output: u64, total: u64, cached: u64) -> TokenUsage {
    TokenUsage {
        input_tokens: input,
        output_tokens: output,
        total_tokens: total,
        cached_input_tokens: cached,
        ..TokenUsage::default()
    }
}

/// Streams `sse` through the parser and accumulator; returns the result and the index
/// of the first event carrying output.
fn stream(sse: &[u8]) -> (ResponseUsage, Option<usize>) {
    let mut acc = StreamUsage::default();
    let mut first = None;
    let mut index = 0;
    let mut on_event = |ev: crate::sse::SseEvent<'_>| {
        if acc.on_event_data(ev.data).unwrap() && first.is_none() {
            first = Some(index);
        }
        index += 1;
    };
    let mut parser = SseParser::default();
    parser.feed(sse, &mut on_event).unwrap();
    parser.finish(&mut on_event).unwrap();
    (acc.take(), first)
}

#[test]
fn chat_completion_with_cached_tokens() {
    let got = extract_response_usage(CHAT).unwrap();
    assert_eq!(got.model, "gpt-4o-2024-08-06");
    assert_eq!(got.usage, Some(usage(1220, 12, 1232, 1024)));
}

#[test]
fn completion() {
    let got = extract_response_usage(COMPLETION).unwrap();
    assert_eq!(got.model, "gpt-3.5-turbo-instruct");
    assert_eq!(got.usage, Some(usage(5, 7, 12, 0)));
}

#[test]
fn embeddings_have_no_output_tokens() {
    let got = extract_response_usage(EMBEDDINGS).unwrap();
    assert_eq!(got.model, "text-embedding-3-small");
    assert_eq!(got.usage, Some(usage(8, 0, 8, 0)));
}

#[test]
fn missing_or_null_usage_is_none() {
    let got = extract_response_usage(br#"{"model":"m","choices":[]}"#).unwrap();
    assert_eq!(got.model, "m");
    assert_eq!(got.usage, None);
    let got = extract_response_usage(br#"{"usage":null}"#).unwrap();
    assert_eq!(got, ResponseUsage::default());
}

#[test]
fn missing_total_is_input_plus_output_and_nulls_are_zero() {
    let body =
        br#"{"usage":{"prompt_tokens":3,"completion_tokens":4,"prompt_tokens_details":null}}"#;
    assert_eq!(
        extract_response_usage(body).unwrap().usage,
        Some(usage(3, 4, 7, 0))
    );
    let body = br#"{"usage":{"prompt_tokens":null,"total_tokens":9}}"#;
    assert_eq!(
        extract_response_usage(body).unwrap().usage,
        Some(usage(0, 0, 9, 0))
    );
}

#[test]
fn escaped_model_is_unescaped() {
    let got = extract_response_usage(br#"{"model":"my\/model\u00e9"}"#).unwrap();
    assert_eq!(got.model, "my/model\u{e9}");
}

#[test]
fn malformed_json_is_an_error() {
    let err = extract_response_usage(br#"{"usage":{"prompt_tokens":1"#).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("response is not an OpenAI-schema JSON object: EOF"),
        "{err}"
    );
    assert!(extract_response_usage(b"not json").is_err());
    assert!(extract_response_usage(br#"{"usage":{"prompt_tokens":-1}}"#).is_err());
    assert!(extract_response_usage(br#"{"usage":"lots"}"#).is_err());
}

#[test]
fn chat_stream_usage_model_and_first_token() {
    let (got, first) = stream(CHAT_STREAM);
    assert_eq!(got.model, "gpt-4o-mini-2024-07-18");
    assert_eq!(got.usage, Some(usage(31, 26, 57, 0)));
    // Event 0 is the role chunk with empty content; event 1 carries "The".
    assert_eq!(first, Some(1));
}

#[test]
fn completions_stream_with_cached_tokens() {
    let (got, first) = stream(COMPLETIONS_STREAM);
    assert_eq!(got.model, "gpt-3.5-turbo-instruct:20230824-v2");
    assert_eq!(got.usage, Some(usage(5, 4, 9, 2)));
    assert_eq!(first, Some(0));
}

#[test]
fn stream_without_usage() {
    let (got, first) = stream(NO_USAGE_STREAM);
    assert_eq!(got.model, "gpt-4o-mini-2024-07-18");
    assert_eq!(got.usage, None);
    assert_eq!(first, Some(1));
}

#[test]
fn stream_output_kinds_count_as_first_token() {
    let mut acc = StreamUsage::default();
    for data in [
        r#"{"choices":[{"delta":{"tool_calls":[{"index":0}]}}]}"#,
        r#"{"choices":[{"delta":{"refusal":"no"}}]}"#,
        r#"{"choices":[{"delta":{"reasoning_content":"hm"}}]}"#,
        r#"{"choices":[{"delta":{"role":"assistant","content":""}},{"delta":{"content":"x"}}]}"#,
    ] {
        assert!(acc.on_event_data(data.as_bytes()).unwrap(), "{data}");
    }
    for data in [
        r#"{"choices":[{"delta":{"content":null,"tool_calls":null}}]}"#,
        r#"{"choices":[],"usage":{"prompt_tokens":1}}"#,
        r#"{"choices":null}"#,
        "[DONE]",
    ] {
        assert!(!acc.on_event_data(data.as_bytes()).unwrap(), "{data}");
    }
    assert_eq!(acc.tally().usage(), Some(usage(1, 0, 1, 0)));
    assert_eq!(acc.tally().model(), "");
}

#[test]
fn stream_keeps_last_usage_and_model() {
    let mut acc = StreamUsage::default();
    acc.on_event_data(br#"{"model":"a","usage":{"prompt_tokens":1,"completion_tokens":1}}"#)
        .unwrap();
    acc.on_event_data(br#"{"model":"","usage":null}"#).unwrap();
    acc.on_event_data(br#"{"model":"b","usage":{"prompt_tokens":1,"completion_tokens":5}}"#)
        .unwrap();
    assert_eq!(acc.tally().model(), "b");
    assert_eq!(acc.tally().usage(), Some(usage(1, 5, 6, 0)));
}

#[test]
fn malformed_stream_event_is_an_error_and_keeps_state() {
    let mut acc = StreamUsage::default();
    acc.on_event_data(br#"{"model":"a","usage":{"prompt_tokens":2}}"#)
        .unwrap();
    assert!(acc.on_event_data(b"{\"model\":").is_err());
    assert!(acc.on_event_data(b"[1,2]").is_err());
    assert_eq!(acc.tally().model(), "a");
    assert_eq!(acc.tally().usage(), Some(usage(2, 0, 2, 0)));
}

#[test]
fn reasoning_and_cache_creation_details() {
    let body = br#"{"model":"o3","usage":{"prompt_tokens":2000,"completion_tokens":300,
        "total_tokens":2300,"prompt_tokens_details":{"cached_tokens":1024,"cache_creation_tokens":512,"audio_tokens":0},
        "completion_tokens_details":{"reasoning_tokens":256,"audio_tokens":0}}}"#;
    let got = extract_response_usage(body).unwrap().usage.unwrap();
    assert_eq!(got.cached_input_tokens, 1024);
    assert_eq!(got.cache_creation_input_tokens, 512);
    assert_eq!(got.reasoning_tokens, 256);
    assert_eq!(got.output_tokens, 300);
}

#[test]
fn cache_creation_aliases() {
    let write =
        br#"{"usage":{"prompt_tokens":10,"prompt_tokens_details":{"cache_write_tokens":7}}}"#;
    let got = extract_response_usage(write).unwrap().usage.unwrap();
    assert_eq!(got.cache_creation_input_tokens, 7);
    let top = br#"{"usage":{"prompt_tokens":10,"cache_creation_input_tokens":9}}"#;
    let got = extract_response_usage(top).unwrap().usage.unwrap();
    assert_eq!(got.cache_creation_input_tokens, 9);
    let none = br#"{"usage":{"prompt_tokens":10,"completion_tokens_details":null}}"#;
    let got = extract_response_usage(none).unwrap().usage.unwrap();
    assert_eq!(
        (got.cache_creation_input_tokens, got.reasoning_tokens),
        (0, 0)
    );
}

#[test]
fn stream_reads_reasoning_tokens_from_the_usage_chunk() {
    let mut acc = StreamUsage::default();
    let last = br#"{"model":"o4-mini","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":40,"total_tokens":45,"completion_tokens_details":{"reasoning_tokens":32}}}"#;
    acc.on_event_data(last).unwrap();
    assert_eq!(acc.tally().usage().unwrap().reasoning_tokens, 32);
}
