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
use crate::chat_schema::{
    BedrockChat, ChatSchema, ChunkStream, CohereChat, GeminiChat, ResponseHead,
};
use crate::gemini::path::GeminiApi;
use crate::golden::{
    CREATED, case_dirs, check_bytes, check_json, check_splits, parse, read, read_text,
};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

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
    case_dirs(&format!("messages_chain/{schema}"))
}

fn error_json(e: &AnthropicError) -> Value {
    json!({"status": e.status, "body": e.value()})
}

/// The response head of a case: `status.txt` and `head.json`.
fn head(dir: &Path) -> ResponseHead {
    let extra = read(dir, "head.json").map_or(Value::Null, |b| parse(&b, "head.json"));
    let field = |name: &str| extra[name].as_str().map(str::to_string);
    ResponseHead {
        status: read_text(dir, "status.txt").map_or(200, |s| s.parse().unwrap()),
        request_id: field("request_id"),
        error_type: field("error_type"),
        input_tokens: None,
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
                let over = read_text(dir, "model_override.txt");
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
            check_splits(&upstream, &dir.display().to_string(), |pieces| {
                translate_stream(&answer, &head, pieces)
            });
            streams += 1;
        }
        assert!(streams >= 1, "{name}: no stream capture");
    }
}
