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
use super::eventstream::{DEFAULT_MAX_FRAME_BYTES, Frame, decode_all, encode_frame};
use super::request::translate_request;
use super::response::translate_response;
use super::stream::StreamTranslator;
use crate::golden::{
    CREATED, bless, case_dirs, check_bytes, check_json, check_splits, parse, read, read_text,
};
use serde_json::{Value, json};
use std::fs;
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
    let mut t = StreamTranslator::new(context.clone(), include_usage);
    let mut out = Vec::new();
    for piece in pieces {
        out.extend(t.feed(piece));
    }
    out.extend(t.finish());
    out
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

/// Checks (or, blessing, writes) `upstream_response.bin` against its frame description.
fn check_capture(dir: &Path) {
    let Some(description) = read(dir, "upstream_frames.json") else {
        return;
    };
    let frames = described_frames(&parse(&description, "upstream_frames.json"));
    let path = dir.join("upstream_response.bin");
    if bless() {
        let mut bytes = Vec::new();
        for frame in &frames {
            encode_frame(frame, &mut bytes);
        }
        fs::write(&path, bytes).unwrap();
        return;
    }
    let decoded = decode_all(&fs::read(&path).unwrap(), DEFAULT_MAX_FRAME_BYTES);
    assert_eq!(decoded.error, None, "{}", path.display());
    assert_eq!(decoded.frames, frames, "{}", path.display());
}

#[test]
fn golden_cases() {
    let cases = case_dirs("bedrock");
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    for dir in &cases {
        let mut checked = 0;
        if let Some(request) = read(dir, "request.json") {
            let over = read_text(dir, "model_override.txt");
            match translate_request(&request, over.as_deref()) {
                Ok(t) => {
                    let actual =
                        json!({"path": t.path, "body": parse(&t.body, "translated request")});
                    check_json(dir, "upstream_request.json", &actual);
                }
                Err(e) => {
                    let actual = json!({"status": e.status, "body": parse(&e.body(), "error")});
                    check_json(dir, "error.json", &actual);
                }
            }
            checked += 1;
        }
        let embeddings = read(dir, "embeddings_request.json").map(|request| {
            let over = read_text(dir, "model_override.txt");
            let translated = embeddings_request(&request, over.as_deref());
            match &translated {
                Ok(t) => {
                    let actual =
                        json!({"path": t.path, "body": parse(&t.body, "translated request")});
                    check_json(dir, "upstream_request.json", &actual);
                }
                Err(e) => {
                    let actual = json!({"status": e.status, "body": parse(&e.body(), "error")});
                    check_json(dir, "error.json", &actual);
                }
            }
            checked += 1;
            translated
        });
        if let Some(upstream) = read(dir, "upstream_response.json") {
            let status = read_text(dir, "status.txt").map_or(200, |s| s.parse::<u16>().unwrap());
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
            checked += 1;
        }
        check_capture(dir);
        if let Some(bin) = read(dir, "upstream_response.bin") {
            let (context, usage) = context(dir);
            let out = translate_stream(&[&bin], &context, usage);
            check_bytes(dir, "response.sse", &out);
            checked += 1;
        }
        assert!(checked > 0, "{}: no fixture files", dir.display());
    }
}

#[test]
fn streams_split_at_every_byte_give_the_same_output() {
    let mut streams = 0;
    for dir in case_dirs("bedrock") {
        let Some(bin) = read(&dir, "upstream_response.bin") else {
            continue;
        };
        let (context, usage) = context(&dir);
        check_splits(&bin, &dir.display().to_string(), |pieces| {
            translate_stream(pieces, &context, usage)
        });
        streams += 1;
    }
    assert!(streams >= 5, "only {streams} stream captures");
}
