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
    CREATED, anthropic_error_json, chat_request_fields, check_bytes, check_case_dir_splits,
    check_case_file_splits, check_json, check_outcome, embeddings_request_case,
    embeddings_response_case, error_case, feed_all, json_bytes, openai_error_fields,
    openai_error_json, parse, path_and_body, read, read_text, run_case_dirs, run_case_files,
    status, stream_case,
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
    let stream = ChatStream::new(gemini_context(case), include_usage);
    feed_all(stream, chunks, ChatStream::feed, ChatStream::finish)
}

fn run_gemini(case: &Value) -> Value {
    let input = json_bytes(&case["input"]);
    let model_override = case["model_override"].as_str();
    match case["case"].as_str().unwrap() {
        "chat_request" => match chat_request_for(GeminiApi::Vertex, &input, model_override) {
            Ok(r) => chat_request_fields(&r.path, &r.body, r.stream, r.include_usage),
            Err(e) => openai_error_fields(e),
        },
        "predict_request" => embeddings_request_case(predict_request(&input, model_override)),
        "predict_response" => embeddings_response_case(case, predict_response),
        "chat_response" => parse(
            &chat_response(&input, &gemini_context(case)).unwrap(),
            "output",
        ),
        "stream" => stream_case(case, gemini_stream),
        "error" => error_case(case, error_response),
        other => panic!("unknown case kind {other}"),
    }
}

#[test]
fn gemini_golden_fixtures() {
    run_case_files("vertex", 10, run_gemini);
}

#[test]
fn gemini_streams_split_at_every_byte() {
    check_case_file_splits("vertex", 2, gemini_stream);
}

// ---- Claude models on Vertex AI ----

fn include_usage(dir: &Path) -> bool {
    let request = read(dir, "request.json").expect("a streaming case needs request.json");
    chat_request(&request, None).unwrap().messages.include_usage
}

fn claude_stream(pieces: &[&[u8]], include_usage: bool) -> Vec<u8> {
    let stream = StreamTranslator::new(CREATED, include_usage);
    feed_all(
        stream,
        pieces,
        StreamTranslator::feed,
        StreamTranslator::finish,
    )
}

#[test]
fn anthropic_golden_cases() {
    run_case_dirs("vertex_anthropic", 10, |case| {
        let dir = case.dir();
        let over = read_text(dir, "model_override.txt");
        if let Some(request) = case.input("request.json") {
            let outcome = chat_request(&request, over.as_deref())
                .map(|t| path_and_body(&t.path, &t.messages.body))
                .map_err(openai_error_json);
            check_outcome(dir, "upstream_request.json", outcome);
        }
        if let Some(request) = case.input("messages_request.json") {
            let outcome = messages_request(&request, over.as_deref())
                .map(|t| path_and_body(&t.path, &t.body))
                .map_err(anthropic_error_json);
            check_outcome(dir, "upstream_messages.json", outcome);
        }
        if let Some(request) = case.input("count_tokens_request.json") {
            let outcome = count_tokens_request(&request, over.as_deref())
                .map(|t| path_and_body(&t.path, &t.body))
                .map_err(anthropic_error_json);
            check_outcome(dir, "upstream_count_tokens.json", outcome);
        }
        if let Some(upstream) = case.input("upstream_response.json") {
            let status = status(dir);
            let body = if status >= 400 {
                let messages = messages_error(status, &upstream).map(|b| parse(&b, "error"));
                check_json(dir, "messages_response.json", &json!(messages));
                openai_error(status, &upstream)
            } else {
                translate_response(&upstream, CREATED).unwrap_or_else(|e| e.body())
            };
            check_json(dir, "response.json", &parse(&body, "translated response"));
        }
        if let Some(sse) = case.input("upstream_response.sse") {
            let out = claude_stream(&[&sse], include_usage(dir));
            check_bytes(dir, "response.sse", &out);
        }
    });
}

#[test]
fn anthropic_streams_split_at_every_byte() {
    check_case_dir_splits("vertex_anthropic", &["upstream_response.sse"], 2, |dir| {
        let usage = include_usage(dir);
        move |pieces: &[&[u8]]| claude_stream(pieces, usage)
    });
}
