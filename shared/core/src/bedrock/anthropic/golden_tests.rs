//! Golden fixtures under `testdata/bedrock_anthropic/<case>/`, each case any of:
//! - `request.json` (OpenAI chat, optional `model_override.txt`) -> `upstream_request.json`
//!   (`{"path", "body"}`), or `error.json` (`{"status", "body"}`) when the gateway refuses it;
//! - `messages_request.json` (Anthropic Messages client, optional `anthropic_beta.txt` for
//!   the `anthropic-beta` header) -> `upstream_messages.json` (`{"path", "body"}`) or
//!   `error.json`;
//! - `count_tokens_request.json` (Anthropic `count_tokens` client, optional
//!   `anthropic_beta.txt`) -> `upstream_count_tokens.json` (`{"path", "body"}`, with
//!   `input.invokeModel.body` shown decoded as `invoke_model_body`) or `error.json`;
//! - `upstream_count_tokens_response.json` (a 2xx CountTokens answer) ->
//!   `count_tokens_response.json` (what the client gets, or `{"status", "body"}`);
//! - `upstream_response.json` (optional `status.txt`, `error_type.txt` for
//!   `x-amzn-ErrorType`) -> `response.json` (OpenAI), and for an error status also
//!   `messages_response.json` (what a Messages client gets);
//! - `upstream_response.bin` (binary event stream) -> `response.sse` (OpenAI chunks,
//!   `include_usage` from `request.json`) and `messages_response.sse` (Anthropic SSE), both
//!   also with the capture split at every byte boundary. `upstream_events.json` describes
//!   the frames readably (`[{"event": <Anthropic event>} | {"exception": <name>, "payload":
//!   <JSON>}]`); the `.bin` must decode to exactly those frames.
//!
//! `AIGW_BLESS=1 cargo test -p aigw-core bedrock::anthropic::golden` rewrites the expected
//! files and the `.bin` captures from their descriptions (review the diff before committing).

use super::count_tokens::{count_tokens_request, count_tokens_response};
use super::stream::{ChatStream, MessagesStream};
use super::{chat_request, messages_error, messages_request, openai_error};
use crate::anthropic::response::translate_response;
use crate::bedrock::eventstream::{DEFAULT_MAX_FRAME_BYTES, Frame, decode_all, encode_frame};
use crate::golden::{
    CREATED, bless, case_dirs, check_bytes, check_json, check_splits, parse, read, read_text,
};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use std::fs;
use std::path::Path;

fn include_usage(dir: &Path) -> bool {
    read(dir, "request.json")
        .is_some_and(|r| chat_request(&r, None).unwrap().messages.include_usage)
}

fn chat_stream(pieces: &[&[u8]], include_usage: bool) -> Vec<u8> {
    let mut t = ChatStream::new(CREATED, include_usage);
    let mut out = Vec::new();
    for piece in pieces {
        out.extend(t.feed(piece));
    }
    out.extend(t.finish());
    out
}

fn messages_stream(pieces: &[&[u8]]) -> Vec<u8> {
    let mut t = MessagesStream::default();
    let mut out = Vec::new();
    for piece in pieces {
        out.extend(t.feed(piece));
    }
    out.extend(t.finish());
    out
}

/// The frames of an `upstream_events.json` description, as Bedrock sends them.
fn described_frames(description: &Value) -> Vec<Frame> {
    let chunk = [
        (":event-type", "chunk"),
        (":content-type", "application/json"),
        (":message-type", "event"),
    ];
    description
        .as_array()
        .expect("upstream_events.json is an array")
        .iter()
        .map(|item| match (&item["event"], item["exception"].as_str()) {
            (Value::Null, Some(name)) => Frame::with_strings(
                &[
                    (":exception-type", name),
                    (":content-type", "application/json"),
                    (":message-type", "exception"),
                ],
                item["payload"].to_string().as_bytes(),
            ),
            (event, None) => {
                let bytes = STANDARD.encode(event.to_string());
                let payload = json!({ "bytes": bytes, "p": "abcdefgh" }).to_string();
                Frame::with_strings(&chunk, payload.as_bytes())
            }
            _ => panic!("an item is {{\"event\"}} or {{\"exception\", \"payload\"}}"),
        })
        .collect()
}

/// Checks (or, blessing, writes) `upstream_response.bin` against its description.
fn check_capture(dir: &Path) {
    let Some(description) = read(dir, "upstream_events.json") else {
        return;
    };
    let frames = described_frames(&parse(&description, "upstream_events.json"));
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
    let cases = case_dirs("bedrock_anthropic");
    assert!(cases.len() >= 10, "only {} cases", cases.len());
    for dir in &cases {
        let mut checked = 0;
        let over = read_text(dir, "model_override.txt");
        if let Some(request) = read(dir, "request.json") {
            match chat_request(&request, over.as_deref()) {
                Ok(t) => {
                    let body = parse(&t.messages.body, "translated request");
                    check_json(
                        dir,
                        "upstream_request.json",
                        &json!({"path": t.path, "body": body}),
                    );
                }
                Err(e) => {
                    let actual = json!({"status": e.status, "body": parse(&e.body(), "error")});
                    check_json(dir, "error.json", &actual);
                }
            }
            checked += 1;
        }
        if let Some(request) = read(dir, "messages_request.json") {
            let beta = read_text(dir, "anthropic_beta.txt");
            match messages_request(&request, over.as_deref(), beta.as_deref()) {
                Ok(t) => {
                    let body = parse(&t.body, "rewritten request");
                    check_json(
                        dir,
                        "upstream_messages.json",
                        &json!({"path": t.path, "body": body}),
                    );
                }
                Err(e) => {
                    let actual = json!({"status": e.status, "body": e.value()});
                    check_json(dir, "error.json", &actual);
                }
            }
            checked += 1;
        }
        if let Some(request) = read(dir, "count_tokens_request.json") {
            let beta = read_text(dir, "anthropic_beta.txt");
            match count_tokens_request(&request, over.as_deref(), beta.as_deref()) {
                Ok(t) => {
                    let mut body = parse(&t.body, "rewritten request");
                    let inner = body["input"]["invokeModel"]["body"].as_str().unwrap();
                    let inner = STANDARD.decode(inner).unwrap();
                    body["input"]["invokeModel"]["body"] = json!("<base64 of invoke_model_body>");
                    let actual = json!({"path": t.path, "body": body,
                                        "invoke_model_body": parse(&inner, "InvokeModel body")});
                    check_json(dir, "upstream_count_tokens.json", &actual);
                }
                Err(e) => {
                    let actual = json!({"status": e.status, "body": e.value()});
                    check_json(dir, "error.json", &actual);
                }
            }
            checked += 1;
        }
        if let Some(upstream) = read(dir, "upstream_count_tokens_response.json") {
            let actual = match count_tokens_response(&upstream) {
                Ok(body) => parse(&body, "count_tokens answer"),
                Err(e) => json!({"status": e.status, "body": e.value()}),
            };
            check_json(dir, "count_tokens_response.json", &actual);
            checked += 1;
        }
        if let Some(upstream) = read(dir, "upstream_response.json") {
            let status = read_text(dir, "status.txt").map_or(200, |s| s.parse::<u16>().unwrap());
            let body = if status >= 400 {
                let error_type = read_text(dir, "error_type.txt");
                let messages = messages_error(status, error_type.as_deref(), &upstream);
                check_json(dir, "messages_response.json", &messages.value());
                openai_error(status, error_type.as_deref(), &upstream)
            } else {
                translate_response(&upstream, CREATED).unwrap_or_else(|e| e.body())
            };
            check_json(dir, "response.json", &parse(&body, "translated response"));
            checked += 1;
        }
        check_capture(dir);
        if let Some(bin) = read(dir, "upstream_response.bin") {
            check_bytes(
                dir,
                "response.sse",
                &chat_stream(&[&bin], include_usage(dir)),
            );
            check_bytes(dir, "messages_response.sse", &messages_stream(&[&bin]));
            checked += 1;
        }
        assert!(checked > 0, "{}: no fixture files", dir.display());
    }
}

#[test]
fn streams_split_at_every_byte_give_the_same_output() {
    let mut streams = 0;
    for dir in case_dirs("bedrock_anthropic") {
        let Some(bin) = read(&dir, "upstream_response.bin") else {
            continue;
        };
        let usage = include_usage(&dir);
        let what = dir.display().to_string();
        check_splits(&bin, &what, |pieces| chat_stream(pieces, usage));
        check_splits(&bin, &what, messages_stream);
        streams += 1;
    }
    assert!(streams >= 3, "only {streams} stream captures");
}
