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
//! - `upstream_response.json` (optional `status.txt`) -> `response.json` (OpenAI), and for an
//!   error status also `messages_response.json` (what a Messages client gets, `null` when the
//!   body passes unchanged);
//! - `upstream_response.sse` -> `response.sse`, also split at every byte boundary.
//!
//! `AIGW_BLESS=1 cargo test -p aigw-core vertex::golden` rewrites the expected output.

use super::anthropic::{chat_request, messages_error, messages_request, openai_error};
use super::embeddings::{predict_request, predict_response};
use crate::anthropic::response::translate_response;
use crate::anthropic::stream::StreamTranslator;
use crate::gemini::error::error_response;
use crate::gemini::path::GeminiApi;
use crate::gemini::request::chat_request_for;
use crate::gemini::response::{ResponseContext, chat_response};
use crate::gemini::stream::ChatStream;
use serde_json::{Value, json};
use std::fs;
use std::path::{Path, PathBuf};

const CREATED: u64 = 1_700_000_000;

fn bless() -> bool {
    std::env::var_os("AIGW_BLESS").is_some()
}

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata")
        .join(name)
}

fn entries(dir: &Path, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| keep(p))
        .collect();
    found.sort();
    found
}

fn parse(bytes: &[u8], what: &str) -> Value {
    serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{what}: {e}"))
}

fn input_bytes(v: &Value) -> Vec<u8> {
    match v {
        Value::String(s) => s.as_bytes().to_vec(),
        other => other.to_string().into_bytes(),
    }
}

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

fn sse_payloads(body: &[u8]) -> Vec<Value> {
    let text = std::str::from_utf8(body).unwrap();
    text.split("\n\n")
        .filter(|e| !e.is_empty())
        .map(|event| {
            let data = event.strip_prefix("data: ").unwrap();
            serde_json::from_str(data).unwrap_or_else(|_| Value::String(data.into()))
        })
        .collect()
}

fn run_gemini(case: &Value) -> Value {
    let input = input_bytes(&case["input"]);
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
    let files = entries(&testdata("vertex"), |p| {
        p.extension().is_some_and(|x| x == "json")
    });
    assert!(files.len() >= 10, "only {} Vertex fixtures", files.len());
    for file in files {
        let mut case = parse(&fs::read(&file).unwrap(), &file.display().to_string());
        let actual = run_gemini(&case);
        if bless() {
            case["expected"] = actual;
            fs::write(&file, serde_json::to_string_pretty(&case).unwrap() + "\n").unwrap();
        } else {
            assert_eq!(actual, case["expected"], "{}", file.display());
        }
    }
}

#[test]
fn gemini_streams_split_at_every_byte() {
    let mut streams = 0;
    for file in entries(&testdata("vertex"), |p| {
        p.extension().is_some_and(|x| x == "json")
    }) {
        let case = parse(&fs::read(&file).unwrap(), "case");
        if case["case"] != "stream" {
            continue;
        }
        streams += 1;
        let input = input_bytes(&case["input"]);
        let whole = gemini_stream(&case, &[&input]);
        for at in 0..=input.len() {
            let (a, b) = input.split_at(at);
            assert_eq!(
                gemini_stream(&case, &[a, b]),
                whole,
                "{} at {at}",
                file.display()
            );
        }
        let bytes: Vec<&[u8]> = input.chunks(1).collect();
        assert_eq!(gemini_stream(&case, &bytes), whole, "{}", file.display());
    }
    assert!(streams >= 2, "only {streams} Vertex stream fixtures");
}

// ---- Claude models on Vertex AI ----

fn read(dir: &Path, name: &str) -> Option<Vec<u8>> {
    fs::read(dir.join(name)).ok()
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

fn anthropic_cases() -> Vec<PathBuf> {
    entries(&testdata("vertex_anthropic"), Path::is_dir)
}

#[test]
fn anthropic_golden_cases() {
    let cases = anthropic_cases();
    assert!(cases.len() >= 10, "only {} cases", cases.len());
    for dir in &cases {
        let mut checked = 0;
        let over = read(dir, "model_override.txt")
            .map(|b| String::from_utf8(b).unwrap().trim().to_string());
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
        if let Some(upstream) = read(dir, "upstream_response.json") {
            let status = read(dir, "status.txt")
                .map(|b| String::from_utf8(b).unwrap().trim().parse::<u16>().unwrap())
                .unwrap_or(200);
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
fn anthropic_streams_split_at_every_byte() {
    let mut streams = 0;
    for dir in anthropic_cases() {
        let Some(sse) = read(&dir, "upstream_response.sse") else {
            continue;
        };
        let usage = include_usage(&dir);
        let whole = claude_stream(&[&sse], usage);
        for at in 0..=sse.len() {
            let split = claude_stream(&[&sse[..at], &sse[at..]], usage);
            assert_eq!(split, whole, "{} split at {at}", dir.display());
        }
        let bytewise: Vec<&[u8]> = sse.chunks(1).collect();
        assert_eq!(claude_stream(&bytewise, usage), whole, "{}", dir.display());
        streams += 1;
    }
    assert!(streams >= 2, "only {streams} stream captures");
}
