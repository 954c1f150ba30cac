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
use crate::golden::{
    check_claude_chat_answer, check_claude_chat_stream, check_claude_chat_stream_splits,
    openai_error_json, parse, read, run_case_dirs,
};
use std::path::Path;

/// Whether the client of a streaming case asked for usage.
fn include_usage(dir: &Path) -> bool {
    let request = read(dir, "request.json").expect("a streaming case needs request.json");
    translate_request(&request, None).unwrap().include_usage
}

#[test]
fn golden_cases() {
    run_case_dirs("anthropic", 25, |case| {
        case.check_request("request.json", "upstream_request.json", |request, over| {
            translate_request(request, over)
                .map(|t| parse(&t.body, "translated request"))
                .map_err(openai_error_json)
        });
        check_claude_chat_answer(case, translate_error);
        check_claude_chat_stream(case, include_usage);
    });
}

#[test]
fn streams_split_at_every_byte_give_the_same_output() {
    check_claude_chat_stream_splits("anthropic", 5, include_usage);
}
