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
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/anthropic_messages");
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
    let cases = cases();
    assert!(cases.len() >= 25, "only {} cases", cases.len());
    for dir in &cases {
        let mut checked = 0;
        if let Some(request) = read(dir, "request.json") {
            let over = read(dir, "model_override.txt")
                .map(|b| String::from_utf8(b).unwrap().trim().to_string());
            match translate_request(&request, over.as_deref()) {
                Ok(t) => {
                    let body = json(&t.body, "translated request");
                    assert_eq!(t.stream, body["stream"] == true, "{}", dir.display());
                    check_json(dir, "upstream_request.json", &body);
                }
                Err(e) => check_json(dir, "error.json", &error_json(&e)),
            }
            checked += 1;
        }
        if let Some(upstream) = read(dir, "upstream_response.json") {
            let status = read(dir, "status.txt")
                .map(|b| String::from_utf8(b).unwrap().trim().parse::<u16>().unwrap())
                .unwrap_or(200);
            let actual = if status >= 400 {
                error_json(&from_openai_error(status, &upstream))
            } else {
                match translate_response(&upstream) {
                    Ok(body) => json(&body, "translated response"),
                    Err(e) => error_json(&e),
                }
            };
            check_json(dir, "response.json", &actual);
            checked += 1;
        }
        if let Some(sse) = read(dir, "upstream_response.sse") {
            let out = translate_stream(&[&sse]);
            let path = dir.join("response.sse");
            if bless() {
                fs::write(&path, &out).unwrap();
            } else {
                let expected = fs::read(&path).unwrap();
                assert_eq!(
                    String::from_utf8_lossy(&out),
                    String::from_utf8_lossy(&expected),
                    "{}",
                    path.display()
                );
            }
            checked += 1;
        }
        assert!(checked > 0, "{}: no fixture files", dir.display());
    }
}

#[test]
fn streams_split_at_every_byte_give_the_same_output() {
    let mut streams = 0;
    for dir in cases() {
        let Some(sse) = read(&dir, "upstream_response.sse") else {
            continue;
        };
        let whole = translate_stream(&[&sse]);
        for at in 0..=sse.len() {
            let split = translate_stream(&[&sse[..at], &sse[at..]]);
            assert_eq!(split, whole, "{} split at {at}", dir.display());
        }
        let bytewise: Vec<&[u8]> = sse.chunks(1).collect();
        assert_eq!(translate_stream(&bytewise), whole, "{}", dir.display());
        streams += 1;
    }
    assert!(streams >= 5, "only {streams} stream captures");
}
