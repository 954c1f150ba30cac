//! Golden fixtures of the Messages chain under `testdata/messages_chain/<schema>/<case>/`,
//! `<schema>` one of `gemini`, `vertex`, `bedrock`, `cohere`; each case any of:
//! - `request.json` (Anthropic Messages, optional `model_override.txt`) ->
//!   `upstream_request.json` (`{"path", "stream", "body"}` for the provider), or ->
//!   `error.json` (`{"status", "body"}`, Anthropic error) when the gateway refuses it;
//! - `upstream_response.json` (optional `status.txt` and `head.json` with `request_id` and
//!   `error_type`) -> `response.json` (Anthropic message, or `{"status", "body"}` error);
//! - `upstream_response.sse` (Gemini, Cohere) or `upstream_response.bin` (Bedrock event
//!   stream) -> `response.sse` (Anthropic events), also split at every byte boundary.
//!
//! `AIGW_BLESS=1 cargo test -p aigw-core chain::golden` rewrites the expected files from
//! the output (review the diff before committing).

use super::{ChainAnswer, chain_request};
use crate::anthropic::messages::error::AnthropicError;
use crate::chat_schema::{BedrockChat, ChatSchema, CohereChat, GeminiChat, ResponseHead};
use crate::gemini::path::GeminiApi;
use serde_json::{Value, json};
use std::fs;
use std::path::{Path, PathBuf};

const CREATED: u64 = 1_700_000_000;

/// The schemas, by fixture directory name.
fn schemas() -> [(&'static str, Box<dyn ChatSchema>); 4] {
    [
        ("bedrock", Box::new(BedrockChat)),
        ("cohere", Box::new(CohereChat)),
        ("gemini", Box::new(GeminiChat(GeminiApi::Gemini))),
        ("vertex", Box::new(GeminiChat(GeminiApi::Vertex))),
    ]
}

fn cases(schema: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/messages_chain")
        .join(schema);
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

fn text(dir: &Path, name: &str) -> Option<String> {
    read(dir, name).map(|b| String::from_utf8(b).unwrap().trim().to_string())
}

fn parse(bytes: &[u8], what: &str) -> Value {
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
    let expected = parse(&fs::read(&path).unwrap(), &path.display().to_string());
    assert_eq!(actual, &expected, "{}", path.display());
}

fn check_bytes(dir: &Path, name: &str, actual: &[u8]) {
    let path = dir.join(name);
    if bless() {
        fs::write(&path, actual).unwrap();
        return;
    }
    let expected = fs::read(&path).unwrap();
    assert_eq!(
        String::from_utf8_lossy(actual),
        String::from_utf8_lossy(&expected),
        "{}",
        path.display()
    );
}

fn error_json(e: &AnthropicError) -> Value {
    json!({"status": e.status, "body": e.value()})
}

/// The response head of a case: `status.txt` and `head.json`.
fn head(dir: &Path) -> ResponseHead {
    let extra = read(dir, "head.json").map_or(Value::Null, |b| parse(&b, "head.json"));
    let field = |name: &str| extra[name].as_str().map(str::to_string);
    ResponseHead {
        status: text(dir, "status.txt").map_or(200, |s| s.parse().unwrap()),
        request_id: field("request_id"),
        error_type: field("error_type"),
    }
}

/// The answer translator of a case: from its `request.json`, else from a plain request.
fn answer(schema: &dyn ChatSchema, dir: &Path, stream: bool) -> ChainAnswer {
    let request = read(dir, "request.json").unwrap_or_else(|| {
        json!({"model": "m-1", "max_tokens": 64, "stream": stream,
            "messages": [{"role": "user", "content": "hi"}]})
        .to_string()
        .into_bytes()
    });
    chain_request(schema, &request, None, CREATED)
        .unwrap_or_else(|e| panic!("{}: {e:?}", dir.display()))
        .answer
}

fn translate_stream(answer: &ChainAnswer, head: &ResponseHead, pieces: &[&[u8]]) -> Vec<u8> {
    let mut stream = answer.stream(head);
    let mut out = Vec::new();
    for piece in pieces {
        out.extend(stream.feed(piece));
    }
    out.extend(stream.finish());
    out
}

fn upstream_stream(dir: &Path) -> Option<Vec<u8>> {
    read(dir, "upstream_response.sse").or_else(|| read(dir, "upstream_response.bin"))
}

#[test]
fn golden_cases() {
    let mut total = 0;
    for (name, schema) in schemas() {
        let schema = schema.as_ref();
        let cases = cases(name);
        assert!(cases.len() >= 4, "{name}: only {} cases", cases.len());
        for dir in &cases {
            let mut checked = 0;
            if let Some(request) = read(dir, "request.json") {
                let over = text(dir, "model_override.txt");
                match chain_request(schema, &request, over.as_deref(), CREATED) {
                    Ok(r) => {
                        let body = parse(&r.body, "upstream request");
                        let actual = json!({"path": r.path, "stream": r.stream, "body": body});
                        check_json(dir, "upstream_request.json", &actual);
                    }
                    Err(e) => check_json(dir, "error.json", &error_json(&e)),
                }
                checked += 1;
            }
            if let Some(upstream) = read(dir, "upstream_response.json") {
                let head = head(dir);
                let answer = answer(schema, dir, false);
                let actual = if (200..300).contains(&head.status) {
                    match answer.message(&head, &upstream) {
                        Ok(body) => parse(&body, "translated message"),
                        Err(e) => error_json(&e),
                    }
                } else {
                    error_json(&answer.error(&head, &upstream))
                };
                check_json(dir, "response.json", &actual);
                checked += 1;
            }
            if let Some(upstream) = upstream_stream(dir) {
                let head = head(dir);
                let out = translate_stream(&answer(schema, dir, true), &head, &[&upstream]);
                check_bytes(dir, "response.sse", &out);
                checked += 1;
            }
            assert!(checked > 0, "{}: no fixture files", dir.display());
            total += 1;
        }
    }
    assert!(total >= 16, "only {total} cases");
}

#[test]
fn streams_split_at_every_byte_give_the_same_output() {
    for (name, schema) in schemas() {
        let mut streams = 0;
        for dir in cases(name) {
            let Some(upstream) = upstream_stream(&dir) else {
                continue;
            };
            let head = head(&dir);
            let answer = answer(schema.as_ref(), &dir, true);
            let whole = translate_stream(&answer, &head, &[&upstream]);
            for at in 0..=upstream.len() {
                let split = translate_stream(&answer, &head, &[&upstream[..at], &upstream[at..]]);
                assert_eq!(split, whole, "{} split at {at}", dir.display());
            }
            let bytewise: Vec<&[u8]> = upstream.chunks(1).collect();
            assert_eq!(
                translate_stream(&answer, &head, &bytewise),
                whole,
                "{}",
                dir.display()
            );
            streams += 1;
        }
        assert!(streams >= 1, "{name}: no stream capture");
    }
}
