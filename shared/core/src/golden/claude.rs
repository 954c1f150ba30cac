//! What the golden tests of the Claude backends (Anthropic, Vertex AI, Bedrock InvokeModel)
//! share: Claude's answers translated for OpenAI chat clients.

use super::status;
use super::{CREATED, Case, check_bytes, check_case_dir_splits, check_json, feed_all, parse};
use crate::anthropic::response::translate_response;
use crate::anthropic::stream::StreamTranslator;
use std::path::Path;

/// Claude's SSE stream fed `pieces` and translated into OpenAI chunks (with the usage chunk
/// when `include_usage`).
fn claude_chat_stream(pieces: &[&[u8]], include_usage: bool) -> Vec<u8> {
    let stream = StreamTranslator::new(CREATED, include_usage);
    feed_all(
        stream,
        pieces,
        StreamTranslator::feed,
        StreamTranslator::finish,
    )
}

/// Checks a case's `upstream_response.json` (Claude's answer, `status.txt` its status), when
/// it has one, translated for an OpenAI client against `response.json`: a success as a chat
/// completion, an error status through `translate_error(status, body)`.
pub fn check_claude_chat_answer(case: &Case, translate_error: impl FnOnce(u16, &[u8]) -> Vec<u8>) {
    let Some(upstream) = case.input("upstream_response.json") else {
        return;
    };
    let status = status(case.dir());
    let body = if status >= 400 {
        translate_error(status, &upstream)
    } else {
        translate_response(&upstream, CREATED).unwrap_or_else(|e| e.body())
    };
    check_json(
        case.dir(),
        "response.json",
        &parse(&body, "translated response"),
    );
}

/// Checks a case's `upstream_response.sse` (Claude's stream), when it has one, translated
/// for an OpenAI client against `response.sse`, `include_usage(dir)` telling whether the
/// client asked for usage.
pub fn check_claude_chat_stream(case: &Case, include_usage: impl FnOnce(&Path) -> bool) {
    if let Some(sse) = case.input("upstream_response.sse") {
        let out = claude_chat_stream(&[&sse], include_usage(case.dir()));
        check_bytes(case.dir(), "response.sse", &out);
    }
}

/// Checks that every Claude stream capture `upstream_response.sse` under
/// `testdata/<name>/<case>/` (at least `min`) translates for OpenAI clients the same however
/// it is split, `include_usage(dir)` telling whether the case's client asked for usage.
pub fn check_claude_chat_stream_splits(
    name: &str,
    min: usize,
    include_usage: impl Fn(&Path) -> bool,
) {
    check_case_dir_splits(name, &["upstream_response.sse"], min, |dir| {
        let usage = include_usage(dir);
        move |pieces: &[&[u8]]| claude_chat_stream(pieces, usage)
    });
}
