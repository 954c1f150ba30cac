//! Golden fixtures under `testdata/anthropic/<case>/`, each case any of:
//! - `request.json` (OpenAI, optional `model_override.txt`) -> `upstream_request.json`, or
//!   -> `error.json` (`{"status": N, "body": <OpenAI error>}`) when the gateway refuses it;
//! - `upstream_response.json` (optional `status.txt`) -> `response.json`;
//! - `upstream_response.sse` -> `response.sse` (`include_usage` from `request.json`), also
//!   split at every byte boundary.
//!
//! `AIGW_BLESS=1 cargo test -p aigw-core golden` rewrites the expected files from the output
//! (review the diff before committing).

use super::error::translate_error;
use super::request::translate_request;
use super::response::translate_response;
use super::stream::StreamTranslator;
use crate::golden::{
    CREATED, check_bytes, check_case_dir_splits, check_json, check_outcome, feed_all,
    openai_error_json, parse, read, read_text, run_case_dirs, status,
};
use std::path::Path;

fn include_usage(dir: &Path) -> bool {
    let request = read(dir, "request.json").expect("a streaming case needs request.json");
    translate_request(&request, None).unwrap().include_usage
}

fn translate_stream(pieces: &[&[u8]], include_usage: bool) -> Vec<u8> {
    let stream = StreamTranslator::new(CREATED, include_usage);
    feed_all(
        stream,
        pieces,
        StreamTranslator::feed,
        StreamTranslator::finish,
    )
}

#[test]
fn golden_cases() {
    run_case_dirs("anthropic", 25, |case| {
        let dir = case.dir();
        if let Some(request) = case.input("request.json") {
            let over = read_text(dir, "model_override.txt");
            let outcome = translate_request(&request, over.as_deref())
                .map(|t| parse(&t.body, "translated request"))
                .map_err(openai_error_json);
            check_outcome(dir, "upstream_request.json", outcome);
        }
        if let Some(upstream) = case.input("upstream_response.json") {
            let status = status(dir);
            let body = if status >= 400 {
                translate_error(status, &upstream)
            } else {
                translate_response(&upstream, CREATED).unwrap_or_else(|e| e.body())
            };
            check_json(dir, "response.json", &parse(&body, "translated response"));
        }
        if let Some(sse) = case.input("upstream_response.sse") {
            let out = translate_stream(&[&sse], include_usage(dir));
            check_bytes(dir, "response.sse", &out);
        }
    });
}

#[test]
fn streams_split_at_every_byte_give_the_same_output() {
    check_case_dir_splits("anthropic", &["upstream_response.sse"], 5, |dir| {
        let usage = include_usage(dir);
        move |pieces: &[&[u8]]| translate_stream(pieces, usage)
    });
}
