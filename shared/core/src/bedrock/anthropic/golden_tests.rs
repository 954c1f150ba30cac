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
use crate::bedrock::eventstream::Frame;
use crate::golden::{
    CREATED, anthropic_error_json, check_bytes, check_case_dir_splits, check_claude_chat_answer,
    check_claude_requests, check_event_stream_capture, check_json, feed_all, parse, path_and_body,
    read, read_text, run_case_dirs,
};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use std::path::Path;

fn include_usage(dir: &Path) -> bool {
    read(dir, "request.json")
        .is_some_and(|r| chat_request(&r, None).unwrap().messages.include_usage)
}

fn chat_stream(pieces: &[&[u8]], include_usage: bool) -> Vec<u8> {
    let stream = ChatStream::new(CREATED, include_usage);
    feed_all(stream, pieces, ChatStream::feed, ChatStream::finish)
}

fn messages_stream(pieces: &[&[u8]]) -> Vec<u8> {
    feed_all(
        MessagesStream::default(),
        pieces,
        MessagesStream::feed,
        MessagesStream::finish,
    )
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

/// The `upstream_count_tokens.json` form of a CountTokens request body: the InvokeModel
/// body inside it shown decoded as `invoke_model_body`.
fn count_tokens_json(path: &str, body: &[u8]) -> Value {
    let mut body = parse(body, "rewritten request");
    let inner = body["input"]["invokeModel"]["body"].as_str().unwrap();
    let inner = STANDARD.decode(inner).unwrap();
    body["input"]["invokeModel"]["body"] = json!("<base64 of invoke_model_body>");
    json!({"path": path, "body": body, "invoke_model_body": parse(&inner, "InvokeModel body")})
}

#[test]
fn golden_cases() {
    run_case_dirs("bedrock_anthropic", 10, |case| {
        let dir = case.dir();
        let beta = read_text(dir, "anthropic_beta.txt");
        check_claude_requests(
            case,
            chat_request,
            &|body, over| {
                let t = messages_request(body, over, beta.as_deref())?;
                Ok(path_and_body(&t.path, &t.body))
            },
            &|body, over| {
                let t = count_tokens_request(body, over, beta.as_deref())?;
                Ok(count_tokens_json(&t.path, &t.body))
            },
        );
        if let Some(upstream) = case.input("upstream_count_tokens_response.json") {
            let actual = match count_tokens_response(&upstream) {
                Ok(body) => parse(&body, "count_tokens answer"),
                Err(e) => anthropic_error_json(e),
            };
            check_json(dir, "count_tokens_response.json", &actual);
        }
        check_claude_chat_answer(case, |status, upstream| {
            let error_type = read_text(dir, "error_type.txt");
            let messages = messages_error(status, error_type.as_deref(), upstream);
            check_json(dir, "messages_response.json", &messages.value());
            openai_error(status, error_type.as_deref(), upstream)
        });
        check_event_stream_capture(dir, "upstream_events.json", described_frames);
        if let Some(bin) = case.input("upstream_response.bin") {
            check_bytes(
                dir,
                "response.sse",
                &chat_stream(&[&bin], include_usage(dir)),
            );
            check_bytes(dir, "messages_response.sse", &messages_stream(&[&bin]));
        }
    });
}

#[test]
fn streams_split_at_every_byte_give_the_same_output() {
    let capture = ["upstream_response.bin"];
    check_case_dir_splits("bedrock_anthropic", &capture, 3, |dir| {
        let usage = include_usage(dir);
        move |pieces: &[&[u8]]| chat_stream(pieces, usage)
    });
    check_case_dir_splits("bedrock_anthropic", &capture, 3, |_| messages_stream);
}
