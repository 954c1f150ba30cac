//! Golden fixtures with a JSON file per case: `{"case": <kind>, "input": ..., "expected":
//! ...}` plus the kind's settings.

use super::{bless, case_files, check_splits, json_bytes, parse, sse_payloads};
use crate::openai::embeddings::EmbeddingsRequest;
use crate::openai::error::OpenAiError;
use serde_json::{Value, json};
use std::fs;

/// Runs every case file of `testdata/<name>` (at least `min`) through `run` and compares
/// the result with its `expected` member (or rewrites that member when blessing).
pub fn run_case_files(name: &str, min: usize, run: impl Fn(&Value) -> Value) {
    let files = case_files(name);
    assert!(files.len() >= min, "only {} {name} fixtures", files.len());
    for file in files {
        let mut case: Value = parse(&fs::read(&file).unwrap(), &file.display().to_string());
        let actual = run(&case);
        if bless() {
            case["expected"] = actual;
            let text = serde_json::to_string_pretty(&case).unwrap() + "\n";
            fs::write(&file, text).unwrap();
        } else {
            assert_eq!(actual, case["expected"], "{}", file.display());
        }
    }
}

/// Checks that every `stream` case file of `testdata/<name>` (at least `min`) gives the same
/// output however its input is split ([`check_splits`]); `translate(case, pieces)` is the
/// case's stream translation.
pub fn check_case_file_splits(
    name: &str,
    min: usize,
    translate: impl Fn(&Value, &[&[u8]]) -> Vec<u8>,
) {
    let mut streams = 0;
    for file in case_files(name) {
        let case = parse(&fs::read(&file).unwrap(), &file.display().to_string());
        if case["case"] != "stream" {
            continue;
        }
        streams += 1;
        let input = json_bytes(&case["input"]);
        check_splits(&input, &file.display().to_string(), |pieces| {
            translate(&case, pieces)
        });
    }
    assert!(streams >= min, "only {streams} {name} stream fixtures");
}

/// A translated answer body, or why it could not be translated.
type Translated = Result<Vec<u8>, String>;

/// How a schema whose fixtures are OpenAI case files (Gemini, Cohere, Vertex AI's Gemini)
/// translates each case kind: `chat_request`, `chat_response`, `stream`, `error` and the two
/// of [`OpenAiCases::embeddings_kinds`].
pub struct OpenAiCases {
    /// The names of the embeddings request and answer kinds.
    pub embeddings_kinds: [&'static str; 2],
    /// A request body and model override to the translated chat request's `{"path", "body",
    /// "stream", "include_usage"}` (see [`chat_request_fields`]), or the refusal.
    pub chat_request: fn(&[u8], Option<&str>) -> Result<Value, OpenAiError>,
    /// A request body and model override to the translated embeddings request.
    pub embeddings_request: fn(&[u8], Option<&str>) -> Result<EmbeddingsRequest, OpenAiError>,
    /// A case and its answer body to the `expected` form of the translated answer.
    pub chat_response: fn(&Value, &[u8]) -> Value,
    /// An embeddings answer body, the model and whether base64 was asked to the answer.
    pub embeddings_response: fn(&[u8], &str, bool) -> Translated,
    /// A case and the pieces of its stream to the translated stream.
    pub stream: fn(&Value, &[&[u8]]) -> Vec<u8>,
    /// A status and error body to the translated error body.
    pub error: fn(u16, &[u8]) -> Vec<u8>,
}

impl OpenAiCases {
    /// The actual output of `case`, in the form its `expected` member has.
    pub fn run(&self, case: &Value) -> Value {
        let input = json_bytes(&case["input"]);
        let model_override = case["model_override"].as_str();
        let [embeddings_request, embeddings_response] = self.embeddings_kinds;
        match case["case"].as_str().unwrap() {
            "chat_request" => {
                (self.chat_request)(&input, model_override).unwrap_or_else(error_fields)
            }
            kind if kind == embeddings_request => {
                match (self.embeddings_request)(&input, model_override) {
                    Ok(r) => json!({
                        "path": r.path,
                        "body": parse(&r.body, "translated request"),
                        "base64": r.base64,
                    }),
                    Err(e) => error_fields(e),
                }
            }
            "chat_response" => (self.chat_response)(case, &input),
            kind if kind == embeddings_response => {
                let base64 = case["base64"].as_bool().unwrap_or(false);
                let model = case["model"].as_str().unwrap();
                let out = (self.embeddings_response)(&input, model, base64).unwrap();
                parse(&out, "output")
            }
            "stream" => Value::Array(sse_payloads(&(self.stream)(case, &[&input]))),
            "error" => {
                let status = case["status"].as_u64().unwrap() as u16;
                parse(&(self.error)(status, &input), "output")
            }
            other => panic!("unknown case kind {other}"),
        }
    }
}

/// A refused request as a case file's `expected` member shows the OpenAI error:
/// `{"status", "param", "message"}`.
fn error_fields(e: OpenAiError) -> Value {
    json!({ "status": e.status, "param": e.param, "message": e.message })
}

/// A chat request translation as a case file's `expected` member shows it: `{"path",
/// "body", "stream", "include_usage"}`.
pub fn chat_request_fields(path: &str, body: &[u8], stream: bool, include_usage: bool) -> Value {
    json!({
        "path": path,
        "body": parse(body, "translated request"),
        "stream": stream,
        "include_usage": include_usage,
    })
}
