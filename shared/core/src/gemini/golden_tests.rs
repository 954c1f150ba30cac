//! Golden fixtures in `testdata/gemini/`: each file is one case, `{"case": <kind>, "input":
//! ..., "expected": ...}` plus the kind's settings. Run with `AIGW_BLESS=1` to rewrite the
//! `expected` members from the current output (then review the diff).

use super::embeddings::{embeddings_request, embeddings_response};
use super::error::error_response;
use super::request::chat_request;
use super::response::{ResponseContext, chat_response};
use super::stream::ChatStream;
use crate::golden::{
    CREATED, OpenAiCases, chat_request_fields, check_case_file_splits, feed_all, parse,
    run_case_files, sse_payloads,
};
use serde_json::{Value, json};

/// The response context of a case: its `model`, else a default.
fn context(case: &Value) -> ResponseContext {
    let model = case["model"].as_str().unwrap_or("gemini-2.0-flash").into();
    ResponseContext {
        model,
        created: CREATED,
    }
}

/// The translated stream of a case (`include_usage` as it says) fed `chunks`.
fn stream_output(case: &Value, chunks: &[&[u8]]) -> Vec<u8> {
    let stream = ChatStream::new(context(case), case["include_usage"] == true);
    feed_all(stream, chunks, ChatStream::feed, ChatStream::finish)
}

/// How each case kind is translated.
const CASES: OpenAiCases = OpenAiCases {
    embeddings_kinds: ["embeddings_request", "embeddings_response"],
    chat_request: |body, over| {
        let r = chat_request(body, over)?;
        Ok(chat_request_fields(
            &r.path,
            &r.body,
            r.stream,
            r.include_usage,
        ))
    },
    embeddings_request,
    chat_response: |case, body| parse(&chat_response(body, &context(case)).unwrap(), "output"),
    embeddings_response,
    stream: stream_output,
    error: error_response,
};

#[test]
fn golden_fixtures() {
    run_case_files("gemini", 25, |case| CASES.run(case));
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
