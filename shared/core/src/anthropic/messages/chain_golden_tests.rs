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
use crate::chat_schema::{
    BedrockChat, ChatSchema, ChunkStream, CohereChat, GeminiChat, ResponseHead,
};
use crate::gemini::path::GeminiApi;
use crate::golden::{
    CREATED, Case, anthropic_error_json, check_bytes, check_case_dir_splits, check_json, feed_all,
    parse, read, run_case_dirs, status,
};
use serde_json::{Value, json};
use std::path::Path;

/// The schemas, by fixture directory name.
fn schemas() -> [(&'static str, Box<dyn ChatSchema>); 4] {
    [
        ("bedrock", Box::new(BedrockChat)),
        ("cohere", Box::new(CohereChat)),
        ("gemini", Box::new(GeminiChat(GeminiApi::Gemini))),
        ("vertex", Box::new(GeminiChat(GeminiApi::Vertex))),
    ]
}

/// The stream captures a case may have: Gemini and Cohere SSE, a Bedrock event stream.
const CAPTURES: [&str; 2] = ["upstream_response.sse", "upstream_response.bin"];

/// The response head of a case: `status.txt` and `head.json`.
fn head(dir: &Path) -> ResponseHead {
    let extra = read(dir, "head.json").map_or(Value::Null, |b| parse(&b, "head.json"));
    let field = |name: &str| extra[name].as_str().map(str::to_string);
    ResponseHead {
        status: status(dir),
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
    feed_all(
        answer.stream(head),
        pieces,
        ChunkStream::feed,
        ChunkStream::finish,
    )
}

/// The stream capture of a case (counted as one of its inputs).
fn upstream_stream(case: &Case) -> Option<Vec<u8>> {
    CAPTURES.iter().find_map(|name| case.input(name))
}

#[test]
fn golden_cases() {
    let mut total = 0;
    for (name, schema) in schemas() {
        let schema = schema.as_ref();
        total += run_case_dirs(&format!("messages_chain/{name}"), 4, |case| {
            let dir = case.dir();
            case.check_request("request.json", "upstream_request.json", |request, over| {
                let r =
                    chain_request(schema, request, over, CREATED).map_err(anthropic_error_json)?;
                let body = parse(&r.body, "upstream request");
                Ok(json!({"path": r.path, "stream": r.stream, "body": body}))
            });
            if let Some(upstream) = case.input("upstream_response.json") {
                let head = head(dir);
                let answer = answer(schema, dir, false);
                let actual = if (200..300).contains(&head.status) {
                    match answer.message(&head, &upstream) {
                        Ok(body) => parse(&body, "translated message"),
                        Err(e) => anthropic_error_json(e),
                    }
                } else {
                    anthropic_error_json(answer.error(&head, &upstream))
                };
                check_json(dir, "response.json", &actual);
            }
            if let Some(upstream) = upstream_stream(case) {
                let head = head(dir);
                let out = translate_stream(&answer(schema, dir, true), &head, &[&upstream]);
                check_bytes(dir, "response.sse", &out);
            }
        });
    }
    assert!(total >= 16, "only {total} cases");
}

#[test]
fn streams_split_at_every_byte_give_the_same_output() {
    for (name, schema) in schemas() {
        let dirs = format!("messages_chain/{name}");
        check_case_dir_splits(&dirs, &CAPTURES, 1, |dir| {
            let head = head(dir);
            let answer = answer(schema.as_ref(), dir, true);
            move |pieces: &[&[u8]]| translate_stream(&answer, &head, pieces)
        });
    }
}
