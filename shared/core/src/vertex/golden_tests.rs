//! Golden fixtures of the Vertex AI backends.
//!
//! `testdata/vertex/*.json` (Gemini models): one case per file, `{"case": <kind>, "input":
//! ..., "expected": ...}` as in `testdata/gemini/`, with the kinds `chat_request`,
//! `predict_request`, `predict_response`, `chat_response`, `stream` and `error`.
//!
//! `testdata/vertex_anthropic/<case>/` (Claude models), any of:
//! - `request.json` (OpenAI chat, optional `model_override.txt`) -> `upstream_request.json`
//!   (`{"path", "body"}`), or `error.json` (`{"status", "body"}`) when the gateway refuses it;
//! - `messages_request.json` (Anthropic Messages client) -> `upstream_messages.json`
//!   (`{"path", "body"}`) or `error.json`;
//! - `count_tokens_request.json` (Anthropic `count_tokens` client) -> `upstream_count_tokens.json`
//!   (`{"path", "body"}`) or `error.json`;
//! - `upstream_response.json` (optional `status.txt`) -> `response.json` (OpenAI), and for an
//!   error status also `messages_response.json` (what a Messages client gets, `null` when the
//!   body passes unchanged);
//! - `upstream_response.sse` -> `response.sse`, also split at every byte boundary.
//!
//! `AIGW_BLESS=1 cargo test -p aigw-core vertex::golden` rewrites the expected output.

use super::anthropic::{
    chat_request, count_tokens_request, messages_error, messages_request, openai_error,
};
use super::embeddings::{predict_request, predict_response};
use crate::anthropic::response::translate_response;
use crate::anthropic::stream::StreamTranslator;
use crate::gemini::error::error_response;
use crate::gemini::path::GeminiApi;
use crate::gemini::request::chat_request_for;
use crate::gemini::response::{ResponseContext, chat_response};
use crate::gemini::stream::ChatStream;
use crate::golden::{
    CREATED, case_dirs, case_files, check_bytes, check_json, check_splits, json_bytes, parse, read,
    read_text, run_case_files, sse_payloads,
};
use serde_json::{Value, json};
use std::path::Path;

// ---- Gemini models on Vertex AI ----

fn gemini_context(case: &Value) -> ResponseContext {
    ResponseContext {
        model: case["model"].as_str().unwrap_or("gemini-2.5-flash").into(),
        created: CREATED,
    }
}

fn gemini_stream(case: &Value, chunks: &[&[u8]]) -> Vec<u8> {
    let include_usage = case["include_usage"].as_bool().unwrap_or(false);
    let mut stream = ChatStream::new(gemini_context(case), include_usage);
    let mut out = Vec::new();
    for chunk in chunks {
        out.extend(stream.feed(chunk));
    }
    out.extend(stream.finish());
    out
}

fn run_gemini(case: &Value) -> Value {
    let input = json_bytes(&case["input"]);
    let model_override = case["model_override"].as_str();
    let refused = |e: crate::openai::error::OpenAiError| json!({ "status": e.status, "param": e.param, "message": e.message });
    match case["case"].as_str().unwrap() {
        "chat_request" => match chat_request_for(GeminiApi::Vertex, &input, model_override) {
            Ok(r) => json!({
                "path": r.path,
                "body": parse(&r.body, "translated request"),
                "stream": r.stream,
                "include_usage": r.include_usage,
            }),
            Err(e) => refused(e),
        },
        "predict_request" => match predict_request(&input, model_override) {
            Ok(r) => json!({
                "path": r.path,
                "body": parse(&r.body, "translated request"),
                "base64": r.base64,
            }),
            Err(e) => refused(e),
        },
        "predict_response" => {
            let base64 = case["base64"].as_bool().unwrap_or(false);
            let model = case["model"].as_str().unwrap();
            parse(&predict_response(&input, model, base64).unwrap(), "output")
        }
        "chat_response" => parse(
            &chat_response(&input, &gemini_context(case)).unwrap(),
            "output",
        ),
        "stream" => Value::Array(sse_payloads(&gemini_stream(case, &[&input]))),
        "error" => {
            let status = case["status"].as_u64().unwrap() as u16;
            parse(&error_response(status, &input), "output")
        }
        other => panic!("unknown case kind {other}"),
    }
}

#[test]
fn gemini_golden_fixtures() {
    run_case_files("vertex", 10, run_gemini);
}

#[test]
fn gemini_streams_split_at_every_byte() {
    let mut streams = 0;
    for file in case_files("vertex") {
        let case = parse(&std::fs::read(&file).unwrap(), "case");
        if case["case"] != "stream" {
            continue;
        }
        streams += 1;
        let input = json_bytes(&case["input"]);
        check_splits(&input, &file.display().to_string(), |pieces| {
            gemini_stream(&case, pieces)
        });
    }
    assert!(streams >= 2, "only {streams} Vertex stream fixtures");
}

// ---- Claude models on Vertex AI ----

fn include_usage(dir: &Path) -> bool {
    let request = read(dir, "request.json").expect("a streaming case needs request.json");
    chat_request(&request, None).unwrap().messages.include_usage
}

fn claude_stream(pieces: &[&[u8]], include_usage: bool) -> Vec<u8> {
    let mut t = StreamTranslator::new(CREATED, include_usage);
    let mut out = Vec::new();
    for piece in pieces {
        out.extend(t.feed(piece));
    }
    out.extend(t.finish());
    out
}

fn anthropic_cases() -> Vec<std::path::PathBuf> {
    case_dirs("vertex_anthropic")
}

#[test]
fn anthropic_golden_cases() {
    let cases = anthropic_cases();
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
            match messages_request(&request, over.as_deref()) {
                Ok(t) => {
                    let body = parse(&t.body, "rewritten request");
                    check_json(
                        dir,
                        "upstream_messages.json",
                        &json!({"path": t.path, "body": body}),
                    );
                }
                Err(e) => {
                    check_json(
                        dir,
                        "error.json",
                        &json!({"status": e.status, "body": e.value()}),
                    );
                }
            }
            checked += 1;
        }
        if let Some(request) = read(dir, "count_tokens_request.json") {
            let actual = match count_tokens_request(&request, over.as_deref()) {
                Ok(t) => json!({"path": t.path, "body": parse(&t.body, "rewritten request")}),
                Err(e) => json!({"status": e.status, "body": e.value()}),
            };
            let name = if actual.get("path").is_some() {
                "upstream_count_tokens.json"
            } else {
                "error.json"
            };
            check_json(dir, name, &actual);
            checked += 1;
        }
        if let Some(upstream) = read(dir, "upstream_response.json") {
            let status = read_text(dir, "status.txt").map_or(200, |s| s.parse::<u16>().unwrap());
            let body = if status >= 400 {
                let messages = messages_error(status, &upstream).map(|b| parse(&b, "error"));
                check_json(dir, "messages_response.json", &json!(messages));
                openai_error(status, &upstream)
            } else {
                translate_response(&upstream, CREATED).unwrap_or_else(|e| e.body())
            };
            check_json(dir, "response.json", &parse(&body, "translated response"));
            checked += 1;
        }
        if let Some(sse) = read(dir, "upstream_response.sse") {
            let out = claude_stream(&[&sse], include_usage(dir));
            check_bytes(dir, "response.sse", &out);
            checked += 1;
        }
        assert!(checked > 0, "{}: no fixture files", dir.display());
    }
}

#[test]
fn anthropic_streams_split_at_every_byte() {
    let mut streams = 0;
    for dir in anthropic_cases() {
        let Some(sse) = read(&dir, "upstream_response.sse") else {
            continue;
        };
        let usage = include_usage(&dir);
        check_splits(&sse, &dir.display().to_string(), |pieces| {
            claude_stream(pieces, usage)
        });
        streams += 1;
    }
    assert!(streams >= 2, "only {streams} stream captures");
}
