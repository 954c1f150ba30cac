//! Golden fixtures under `testdata/bedrock_anthropic/<case>/`, each case any of:
//! - `request.json` (OpenAI chat, optional `model_override.txt`) -> `upstream_request.json`
//!   (`{"path", "body"}`), or `error.json` (`{"status", "body"}`) when the gateway refuses it;
//! - `messages_request.json` (Anthropic Messages client, optional `anthropic_beta.txt` for
//!   the `anthropic-beta` header) -> `upstream_messages.json` (`{"path", "body"}`) or
//!   `error.json`;
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

use super::stream::{ChatStream, MessagesStream};
use super::{chat_request, messages_error, messages_request, openai_error};
use crate::anthropic::response::translate_response;
use crate::bedrock::eventstream::{DEFAULT_MAX_FRAME_BYTES, Frame, decode_all, encode_frame};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use std::fs;
use std::path::{Path, PathBuf};

const CREATED: u64 = 1_700_000_000;

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/bedrock_anthropic");
    let mut dirs: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn read(dir: &Path, name: &str) -> Option<Vec<u8>> {
    fs::read(dir.join(name)).ok()
}

fn read_text(dir: &Path, name: &str) -> Option<String> {
    read(dir, name).map(|b| String::from_utf8(b).unwrap().trim().to_string())
}

fn json(bytes: &[u8], what: &str) -> Value {
    serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{what}: {e}"))
}

fn bless() -> bool {
    std::env::var_os("AIGW_BLESS").is_some()
}

fn check_json(dir: &Path, name: &str, actual: &Value) {
    let path = dir.join(name);
    if bless() {
        fs::write(&path, serde_json::to_string_pretty(actual).unwrap() + "\n").unwrap();
        return;
    }
    let expected = json(&fs::read(&path).unwrap(), &path.display().to_string());
    assert_eq!(actual, &expected, "{}", path.display());
}

fn check_bytes(dir: &Path, name: &str, actual: &[u8]) {
    let path = dir.join(name);
    if bless() {
        fs::write(&path, actual).unwrap();
        return;
    }
    let expected = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        String::from_utf8_lossy(actual),
        String::from_utf8_lossy(&expected),
        "{}",
        path.display()
    );
}

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
    let frames = described_frames(&json(&description, "upstream_events.json"));
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
    let cases = cases();
    assert!(cases.len() >= 10, "only {} cases", cases.len());
    for dir in &cases {
        let mut checked = 0;
        let over = read_text(dir, "model_override.txt");
        if let Some(request) = read(dir, "request.json") {
            match chat_request(&request, over.as_deref()) {
                Ok(t) => {
                    let body = json(&t.messages.body, "translated request");
                    check_json(
                        dir,
                        "upstream_request.json",
                        &json!({"path": t.path, "body": body}),
                    );
                }
                Err(e) => {
                    let actual = json!({"status": e.status, "body": json(&e.body(), "error")});
                    check_json(dir, "error.json", &actual);
                }
            }
            checked += 1;
        }
        if let Some(request) = read(dir, "messages_request.json") {
            let beta = read_text(dir, "anthropic_beta.txt");
            match messages_request(&request, over.as_deref(), beta.as_deref()) {
                Ok(t) => {
                    let body = json(&t.body, "rewritten request");
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
            check_json(dir, "response.json", &json(&body, "translated response"));
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
    for dir in cases() {
        let Some(bin) = read(&dir, "upstream_response.bin") else {
            continue;
        };
        let usage = include_usage(&dir);
        let whole = (chat_stream(&[&bin], usage), messages_stream(&[&bin]));
        for at in 0..=bin.len() {
            let (a, b) = bin.split_at(at);
            let split = (chat_stream(&[a, b], usage), messages_stream(&[a, b]));
            assert_eq!(split, whole, "{} split at {at}", dir.display());
        }
        let bytewise: Vec<&[u8]> = bin.chunks(1).collect();
        let split = (chat_stream(&bytewise, usage), messages_stream(&bytewise));
        assert_eq!(split, whole, "{}", dir.display());
        streams += 1;
    }
    assert!(streams >= 3, "only {streams} stream captures");
}
