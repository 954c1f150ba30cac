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
use crate::gemini::error::error_response;
use crate::gemini::path::GeminiApi;
use crate::gemini::request::chat_request_for;
use crate::gemini::response::{ResponseContext, chat_response};
use crate::gemini::stream::ChatStream;
use crate::golden::{
    CREATED, OpenAiCases, chat_request_fields, check_case_file_splits, check_claude_chat_answer,
    check_claude_chat_stream, check_claude_chat_stream_splits, check_claude_requests, check_json,
    feed_all, parse, path_and_body, read, run_case_dirs, run_case_files,
};
use serde_json::{Value, json};
use std::path::Path;

// ---- Gemini models on Vertex AI ----

/// The response context of a case: its `model`, else a default.
fn gemini_context(case: &Value) -> ResponseContext {
    let model = case["model"].as_str().unwrap_or("gemini-2.5-flash").into();
    ResponseContext {
        model,
        created: CREATED,
    }
}

/// The translated stream of a case (`include_usage` as it says) fed `chunks`.
fn gemini_stream(case: &Value, chunks: &[&[u8]]) -> Vec<u8> {
    let stream = ChatStream::new(gemini_context(case), case["include_usage"] == true);
    feed_all(stream, chunks, ChatStream::feed, ChatStream::finish)
}

/// How each Gemini case kind is translated.
const GEMINI_CASES: OpenAiCases = OpenAiCases {
    embeddings_kinds: ["predict_request", "predict_response"],
    chat_request: |body, over| {
        let r = chat_request_for(GeminiApi::Vertex, body, over)?;
        Ok(chat_request_fields(
            &r.path,
            &r.body,
            r.stream,
            r.include_usage,
        ))
    },
    embeddings_request: predict_request,
    chat_response: |case, body| {
        parse(
            &chat_response(body, &gemini_context(case)).unwrap(),
            "output",
        )
    },
    embeddings_response: predict_response,
    stream: gemini_stream,
    error: error_response,
};

#[test]
fn gemini_golden_fixtures() {
    run_case_files("vertex", 10, |case| GEMINI_CASES.run(case));
}

#[test]
fn gemini_streams_split_at_every_byte() {
    check_case_file_splits("vertex", 2, gemini_stream);
}

// ---- Claude models on Vertex AI ----

/// Whether the client of a streaming case asked for usage.
fn include_usage(dir: &Path) -> bool {
    let request = read(dir, "request.json").expect("a streaming case needs request.json");
    chat_request(&request, None).unwrap().messages.include_usage
}

#[test]
fn anthropic_golden_cases() {
    run_case_dirs("vertex_anthropic", 10, |case| {
        check_claude_requests(
            case,
            chat_request,
            &|body, over| {
                let t = messages_request(body, over)?;
                Ok(path_and_body(&t.path, &t.body))
            },
            &|body, over| {
                let t = count_tokens_request(body, over)?;
                Ok(path_and_body(&t.path, &t.body))
            },
        );
        check_claude_chat_answer(case, |status, upstream| {
            let messages = messages_error(status, upstream).map(|b| parse(&b, "error"));
            check_json(case.dir(), "messages_response.json", &json!(messages));
            openai_error(status, upstream)
        });
        check_claude_chat_stream(case, include_usage);
    });
}

#[test]
fn anthropic_streams_split_at_every_byte() {
    check_claude_chat_stream_splits("vertex_anthropic", 2, include_usage);
}
