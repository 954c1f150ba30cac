//! What the golden tests of the Claude backends (Anthropic, Vertex AI, Bedrock InvokeModel)
//! share: the requests rewritten for the cloud backends, Claude's answers translated for
//! OpenAI chat clients.

use super::{
    CREATED, Case, anthropic_error_json, check_bytes, check_case_dir_splits, check_json, feed_all,
    openai_error_json, parse, path_and_body, status,
};
use crate::anthropic::messages::error::AnthropicError;
use crate::anthropic::request::PathChatRequest;
use crate::anthropic::response::translate_response;
use crate::anthropic::stream::StreamTranslator;
use crate::openai::error::OpenAiError;
use serde_json::Value;
use std::path::Path;

/// A request body and model override to the rewritten request as the expected file shows
/// it, or the refusal.
type Rewrite<'a, E> = &'a dyn Fn(&[u8], Option<&str>) -> Result<Value, E>;

/// Checks the requests of a case for a Claude cloud backend (Vertex AI, Bedrock), each when
/// the case has it, refusals against `error.json`: `request.json` (an OpenAI chat client)
/// translated by `chat` against `upstream_request.json` (`{"path", "body"}`), `messages_request.json` (an
/// Anthropic Messages client) by `messages` against `upstream_messages.json`, and
/// `count_tokens_request.json` by `count_tokens` against `upstream_count_tokens.json`.
pub fn check_claude_requests(
    case: &Case,
    chat: fn(&[u8], Option<&str>) -> Result<PathChatRequest, OpenAiError>,
    messages: Rewrite<AnthropicError>,
    count_tokens: Rewrite<AnthropicError>,
) {
    case.check_request("request.json", "upstream_request.json", |body, over| {
        let t = chat(body, over).map_err(openai_error_json)?;
        Ok(path_and_body(&t.path, &t.messages.body))
    });
    case.check_request(
        "messages_request.json",
        "upstream_messages.json",
        |body, over| messages(body, over).map_err(anthropic_error_json),
    );
    case.check_request(
        "count_tokens_request.json",
        "upstream_count_tokens.json",
        |body, over| count_tokens(body, over).map_err(anthropic_error_json),
    );
}

/// Claude's SSE stream fed `pieces` and translated into OpenAI chunks (with the usage chunk
/// when `include_usage`).
fn claude_chat_stream(pieces: &[&[u8]], include_usage: bool) -> Vec<u8> {
    let stream = StreamTranslator::new(CREATED, include_usage);
    feed_all(
        stream,
        pieces,
        StreamTranslator::feed,
        StreamTranslator::finish,
    )
}

/// Checks a case's `upstream_response.json` (Claude's answer, `status.txt` its status), when
/// it has one, translated for an OpenAI client against `response.json`: a success as a chat
/// completion, an error status through `translate_error(status, body)`.
pub fn check_claude_chat_answer(case: &Case, translate_error: impl FnOnce(u16, &[u8]) -> Vec<u8>) {
    let Some(upstream) = case.input("upstream_response.json") else {
        return;
    };
    let status = status(case.dir());
    let body = if status >= 400 {
        translate_error(status, &upstream)
    } else {
        translate_response(&upstream, CREATED).unwrap_or_else(|e| e.body())
    };
    check_json(
        case.dir(),
        "response.json",
        &parse(&body, "translated response"),
    );
}

/// Checks a case's `upstream_response.sse` (Claude's stream), when it has one, translated
/// for an OpenAI client against `response.sse`, `include_usage(dir)` telling whether the
/// client asked for usage.
pub fn check_claude_chat_stream(case: &Case, include_usage: impl FnOnce(&Path) -> bool) {
    if let Some(sse) = case.input("upstream_response.sse") {
        let out = claude_chat_stream(&[&sse], include_usage(case.dir()));
        check_bytes(case.dir(), "response.sse", &out);
    }
}

/// Checks that every Claude stream capture `upstream_response.sse` under
/// `testdata/<name>/<case>/` (at least `min`) translates for OpenAI clients the same however
/// it is split, `include_usage(dir)` telling whether the case's client asked for usage.
pub fn check_claude_chat_stream_splits(
    name: &str,
    min: usize,
    include_usage: impl Fn(&Path) -> bool,
) {
    check_case_dir_splits(name, &["upstream_response.sse"], min, |dir| {
        let usage = include_usage(dir);
        move |pieces: &[&[u8]]| claude_chat_stream(pieces, usage)
    });
}
