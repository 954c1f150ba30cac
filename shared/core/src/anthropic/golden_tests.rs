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
    CREATED, case_dirs, check_bytes, check_json, check_splits, parse, read, read_text,
};
use std::path::Path;

fn include_usage(dir: &Path) -> bool {
    let request = read(dir, "request.json").expect("a streaming case needs request.json");
    translate_request(&request, None).unwrap().include_usage
}

fn translate_stream(pieces: &[&[u8]], include_usage: bool) -> Vec<u8> {
    let mut t = StreamTranslator::new(CREATED, include_usage);
    let mut out = Vec::new();
    for piece in pieces {
        out.extend(t.feed(piece));
    }
    out.extend(t.finish());
    out
}

#[test]
fn golden_cases() {
    let cases = case_dirs("anthropic");
    assert!(cases.len() >= 25, "only {} cases", cases.len());
    for dir in &cases {
        let mut checked = 0;
        if let Some(request) = read(dir, "request.json") {
            let over = read_text(dir, "model_override.txt");
            match translate_request(&request, over.as_deref()) {
                Ok(t) => {
                    let body = parse(&t.body, "translated request");
                    check_json(dir, "upstream_request.json", &body);
                }
                Err(e) => {
                    let actual =
                        serde_json::json!({"status": e.status, "body": parse(&e.body(), "error")});
                    check_json(dir, "error.json", &actual);
                }
            }
            checked += 1;
        }
        if let Some(upstream) = read(dir, "upstream_response.json") {
            let status = read_text(dir, "status.txt").map_or(200, |s| s.parse::<u16>().unwrap());
            let body = if status >= 400 {
                translate_error(status, &upstream)
            } else {
                translate_response(&upstream, CREATED).unwrap_or_else(|e| e.body())
            };
            check_json(dir, "response.json", &parse(&body, "translated response"));
            checked += 1;
        }
        if let Some(sse) = read(dir, "upstream_response.sse") {
            let out = translate_stream(&[&sse], include_usage(dir));
            check_bytes(dir, "response.sse", &out);
            checked += 1;
        }
        assert!(checked > 0, "{}: no fixture files", dir.display());
    }
}

#[test]
fn streams_split_at_every_byte_give_the_same_output() {
    let mut streams = 0;
    for dir in case_dirs("anthropic") {
        let Some(sse) = read(&dir, "upstream_response.sse") else {
            continue;
        };
        let usage = include_usage(&dir);
        check_splits(&sse, &dir.display().to_string(), |pieces| {
            translate_stream(pieces, usage)
        });
        streams += 1;
    }
    assert!(streams >= 5, "only {streams} stream captures");
}
