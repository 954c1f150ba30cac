//! Golden fixtures in `testdata/gemini/`: each file is one case, `{"case": <kind>, "input":
//! ..., "expected": ...}` plus the kind's settings. Run with `AIGW_BLESS=1` to rewrite the
//! `expected` members from the current output (then review the diff).

use super::embeddings::{embeddings_request, embeddings_response};
use super::error::error_response;
use super::request::chat_request;
use super::response::{ResponseContext, chat_response};
use super::stream::ChatStream;
use crate::golden::{
    CREATED, chat_request_fields, check_case_file_splits, embeddings_request_case,
    embeddings_response_case, error_case, feed_all, json_bytes, openai_error_fields,
    run_case_files, sse_payloads, stream_case,
};
use serde_json::{Value, json};

fn context(case: &Value) -> ResponseContext {
    ResponseContext {
        model: case["model"]
            .as_str()
            .unwrap_or("gemini-2.0-flash")
            .to_string(),
        created: CREATED,
    }
}

fn stream_output(case: &Value, chunks: &[&[u8]]) -> Vec<u8> {
    let include_usage = case["include_usage"].as_bool().unwrap_or(false);
    let stream = ChatStream::new(context(case), include_usage);
    feed_all(stream, chunks, ChatStream::feed, ChatStream::finish)
}

/// The actual output of a case, in the form its `expected` member has.
fn run(case: &Value) -> Value {
    let input = &case["input"];
    let model_override = case["model_override"].as_str();
    match case["case"].as_str().unwrap() {
        "chat_request" => match chat_request(&json_bytes(input), model_override) {
            Ok(r) => chat_request_fields(&r.path, &r.body, r.stream, r.include_usage),
            Err(e) => openai_error_fields(e),
        },
        "embeddings_request" => {
            embeddings_request_case(embeddings_request(&json_bytes(input), model_override))
        }
        "chat_response" => {
            let out = chat_response(&json_bytes(input), &context(case)).unwrap();
            serde_json::from_slice(&out).unwrap()
        }
        "embeddings_response" => embeddings_response_case(case, embeddings_response),
        "stream" => stream_case(case, stream_output),
        "error" => error_case(case, error_response),
        other => panic!("unknown case kind {other}"),
    }
}

#[test]
fn golden_fixtures() {
    run_case_files("gemini", 25, run);
}

/// Every stream fixture gives the same output when split in two at every byte, and when
/// fed one byte at a time.
#[test]
fn streams_split_at_every_byte() {
    check_case_file_splits("gemini", 3, stream_output);
}

/// A stream breaking the SSE line limit gets one OpenAI error event, then only `[DONE]`.
#[test]
fn oversized_line_ends_the_stream_with_an_error_event() {
    let case = json!({ "case": "stream", "include_usage": true });
    let line = vec![b'x'; crate::sse::DEFAULT_MAX_LINE_BYTES + 1];
    let out = stream_output(&case, &[b"data: {\"candidates\":[]}\n\n", &line, b"\n\n"]);
    let events = sse_payloads(&out);
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0]["error"]["code"], "GEMINI_STREAM");
    assert_eq!(events[1], "[DONE]");
}
