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

use super::error::{AnthropicError, from_openai_error};
use super::request::translate_request;
use super::response::translate_response;
use super::stream::StreamTranslator;
use crate::golden::{case_dirs, check_bytes, check_json, check_splits, parse, read, read_text};
use serde_json::Value;

fn error_json(e: &AnthropicError) -> Value {
    serde_json::json!({"status": e.status, "body": e.value()})
}

fn translate_stream(pieces: &[&[u8]]) -> Vec<u8> {
    let mut t = StreamTranslator::new();
    let mut out = Vec::new();
    for piece in pieces {
        out.extend(t.feed(piece));
    }
    out.extend(t.finish());
    out
}

#[test]
fn golden_cases() {
    let cases = case_dirs("anthropic_messages");
    assert!(cases.len() >= 25, "only {} cases", cases.len());
    for dir in &cases {
        let mut checked = 0;
        if let Some(request) = read(dir, "request.json") {
            let over = read_text(dir, "model_override.txt");
            match translate_request(&request, over.as_deref()) {
                Ok(t) => {
                    let body = parse(&t.body, "translated request");
                    assert_eq!(t.stream, body["stream"] == true, "{}", dir.display());
                    check_json(dir, "upstream_request.json", &body);
                }
                Err(e) => check_json(dir, "error.json", &error_json(&e)),
            }
            checked += 1;
        }
        if let Some(upstream) = read(dir, "upstream_response.json") {
            let status = read_text(dir, "status.txt").map_or(200, |s| s.parse::<u16>().unwrap());
            let actual = if status >= 400 {
                error_json(&from_openai_error(status, &upstream))
            } else {
                match translate_response(&upstream) {
                    Ok(body) => parse(&body, "translated response"),
                    Err(e) => error_json(&e),
                }
            };
            check_json(dir, "response.json", &actual);
            checked += 1;
        }
        if let Some(sse) = read(dir, "upstream_response.sse") {
            check_bytes(dir, "response.sse", &translate_stream(&[&sse]));
            checked += 1;
        }
        assert!(checked > 0, "{}: no fixture files", dir.display());
    }
}

#[test]
fn streams_split_at_every_byte_give_the_same_output() {
    let mut streams = 0;
    for dir in case_dirs("anthropic_messages") {
        let Some(sse) = read(&dir, "upstream_response.sse") else {
            continue;
        };
        check_splits(&sse, &dir.display().to_string(), translate_stream);
        streams += 1;
    }
    assert!(streams >= 5, "only {streams} stream captures");
}
