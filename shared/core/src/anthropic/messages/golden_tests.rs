//! Golden fixtures under `testdata/anthropic_messages/<case>/`, each case any of:
//! - `request.json` (Anthropic Messages, optional `model_override.txt`) ->
//!   `upstream_request.json` (OpenAI chat), or -> `error.json` (`{"status": N, "body":
//!   <Anthropic error>}`) when the gateway refuses it;
//! - `upstream_response.json` (OpenAI, optional `status.txt`) -> `response.json` (Anthropic
//!   message, or error for a non-2xx status);
//! - `upstream_response.sse` (OpenAI chunks) -> `response.sse` (Anthropic events), also
//!   split at every byte boundary.
//!
//! `AIGW_BLESS=1 cargo test -p aigw-core messages::golden` rewrites the expected files from
//! the output (review the diff before committing).

use super::error::from_openai_error;
use super::request::translate_request;
use super::response::translate_response;
use super::stream::StreamTranslator;
use crate::golden::{
    anthropic_error_json, check_bytes, check_case_dir_splits, check_json, feed_all, parse,
    run_case_dirs, status,
};

fn translate_stream(pieces: &[&[u8]]) -> Vec<u8> {
    let stream = StreamTranslator::new();
    feed_all(
        stream,
        pieces,
        StreamTranslator::feed,
        StreamTranslator::finish,
    )
}

#[test]
fn golden_cases() {
    run_case_dirs("anthropic_messages", 25, |case| {
        let dir = case.dir();
        case.check_request("request.json", "upstream_request.json", |request, over| {
            let t = translate_request(request, over).map_err(anthropic_error_json)?;
            let body = parse(&t.body, "translated request");
            assert_eq!(t.stream, body["stream"] == true, "{}", dir.display());
            Ok(body)
        });
        if let Some(upstream) = case.input("upstream_response.json") {
            let status = status(dir);
            let actual = if status >= 400 {
                anthropic_error_json(from_openai_error(status, &upstream))
            } else {
                match translate_response(&upstream) {
                    Ok(body) => parse(&body, "translated response"),
                    Err(e) => anthropic_error_json(e),
                }
            };
            check_json(dir, "response.json", &actual);
        }
        if let Some(sse) = case.input("upstream_response.sse") {
            check_bytes(dir, "response.sse", &translate_stream(&[&sse]));
        }
    });
}

#[test]
fn streams_split_at_every_byte_give_the_same_output() {
    check_case_dir_splits("anthropic_messages", &["upstream_response.sse"], 5, |_| {
        translate_stream
    });
}
