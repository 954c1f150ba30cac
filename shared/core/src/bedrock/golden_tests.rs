//! Golden fixtures under `testdata/bedrock/<case>/`, each case any of:
//! - `request.json` (OpenAI, optional `model_override.txt`) -> `upstream_request.json`
//!   (`{"path": ..., "body": <Converse request>}`), or -> `error.json`
//!   (`{"status": N, "body": <OpenAI error>}`) when the gateway refuses it;
//! - `embeddings_request.json` (OpenAI embeddings) -> `upstream_request.json` or `error.json`
//!   as above, its `upstream_response.json` (Titan or Cohere, with the token count header's
//!   value in `input_token_count.txt`) translated as embeddings;
//! - `upstream_response.json` (optional `status.txt`, `error_type.txt` for the
//!   `x-amzn-ErrorType` header) -> `response.json`;
//! - `upstream_response.bin` (binary event stream) -> `response.sse` (`include_usage` from
//!   `request.json`), also split at every byte boundary. When `upstream_frames.json` (the
//!   frames in readable form: `[{"headers": {name: string}, "payload": <JSON>}]`) is present,
//!   the `.bin` must decode to exactly those frames.
//!
//! `AIGW_BLESS=1 cargo test -p aigw-core bedrock::golden` rewrites the expected files and
//! the `.bin` files that have a frames description (review the diff before committing).

use super::ResponseContext;
use super::embeddings::{embeddings_request, embeddings_response};
use super::error::translate_error;
use super::eventstream::Frame;
use super::request::translate_request;
use super::response::translate_response;
use super::stream::StreamTranslator;
use crate::golden::{
    CREATED, check_bytes, check_case_dir_splits, check_event_stream_capture, check_json,
    check_outcome, feed_all, openai_error_json, parse, path_and_body, read, read_text,
    run_case_dirs, status,
};
use serde_json::Value;
use std::path::Path;
const REQUEST_ID: &str = "7a6c2d1e-0000-4000-8000-000000000001";
const MODEL: &str = "anthropic.claude-3-5-sonnet-20240620-v1:0";

/// The response context of a case: the request's model when there is one.
fn context(dir: &Path) -> (ResponseContext, bool) {
    let Some(request) = read(dir, "request.json") else {
        return (
            ResponseContext::new(Some(REQUEST_ID), MODEL, CREATED),
            false,
        );
    };
    let over = read_text(dir, "model_override.txt");
    let t = translate_request(&request, over.as_deref()).unwrap();
    (
        ResponseContext::new(Some(REQUEST_ID), &t.model, CREATED),
        t.include_usage,
    )
}

fn translate_stream(pieces: &[&[u8]], context: &ResponseContext, include_usage: bool) -> Vec<u8> {
    let stream = StreamTranslator::new(context.clone(), include_usage);
    feed_all(
        stream,
        pieces,
        StreamTranslator::feed,
        StreamTranslator::finish,
    )
}

/// The frames of an `upstream_frames.json` description.
fn described_frames(description: &Value) -> Vec<Frame> {
    description
        .as_array()
        .expect("upstream_frames.json is an array")
        .iter()
        .map(|f| {
            let headers: Vec<(&str, &str)> = f["headers"]
                .as_object()
                .expect("headers object")
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str().expect("string header")))
                .collect();
            let payload = match &f["payload"] {
                Value::String(s) => s.clone().into_bytes(),
                other => other.to_string().into_bytes(),
            };
            Frame::with_strings(&headers, &payload)
        })
        .collect()
}

#[test]
fn golden_cases() {
    run_case_dirs("bedrock", 30, |case| {
        let dir = case.dir();
        case.check_request("request.json", "upstream_request.json", |request, over| {
            translate_request(request, over)
                .map(|t| path_and_body(&t.path, &t.body))
                .map_err(openai_error_json)
        });
        let over = read_text(dir, "model_override.txt");
        let embeddings = case.input("embeddings_request.json").map(|request| {
            let translated = embeddings_request(&request, over.as_deref());
            let outcome = translated
                .clone()
                .map(|t| path_and_body(&t.path, &t.body))
                .map_err(openai_error_json);
            check_outcome(dir, "upstream_request.json", outcome);
            translated
        });
        if let Some(upstream) = case.input("upstream_response.json") {
            let status = status(dir);
            let body = if let Some(Ok(t)) = &embeddings {
                let tokens = read_text(dir, "input_token_count.txt").map(|n| n.parse().unwrap());
                embeddings_response(&upstream, &t.model, t.base64, tokens).unwrap()
            } else if status >= 400 {
                translate_error(
                    status,
                    read_text(dir, "error_type.txt").as_deref(),
                    &upstream,
                )
            } else {
                translate_response(&upstream, &context(dir).0).unwrap_or_else(|e| e.body())
            };
            check_json(dir, "response.json", &parse(&body, "translated response"));
        }
        check_event_stream_capture(dir, "upstream_frames.json", described_frames);
        if let Some(bin) = case.input("upstream_response.bin") {
            let (context, usage) = context(dir);
            let out = translate_stream(&[&bin], &context, usage);
            check_bytes(dir, "response.sse", &out);
        }
    });
}

#[test]
fn streams_split_at_every_byte_give_the_same_output() {
    check_case_dir_splits("bedrock", &["upstream_response.bin"], 5, |dir| {
        let (context, usage) = context(dir);
        move |pieces: &[&[u8]]| translate_stream(pieces, &context, usage)
    });
}
