//! Golden fixtures in `testdata/gemini/`: each file is one case, `{"case": <kind>, "input":
//! ..., "expected": ...}` plus the kind's settings. Run with `AIGW_BLESS=1` to rewrite the
//! `expected` members from the current output (then review the diff).

use super::embeddings::{embeddings_request, embeddings_response};
use super::error::error_response;
use super::request::chat_request;
use super::response::{ResponseContext, chat_response};
use super::stream::ChatStream;
use crate::golden::{CREATED, case_files, check_splits, json_bytes, run_case_files, sse_payloads};
use serde_json::{Value, json};

fn context(case: &Value) -> ResponseContext {
    ResponseContext {
        model: case["model"]
            .as_str()
            .unwrap_or("gemini-2.0-flash")
            .to_string(),
        created: CREATED,
    }
}

fn stream_output(case: &Value, chunks: &[&[u8]]) -> Vec<u8> {
    let include_usage = case["include_usage"].as_bool().unwrap_or(false);
    let mut stream = ChatStream::new(context(case), include_usage);
    let mut out = Vec::new();
    for chunk in chunks {
        out.extend(stream.feed(chunk));
    }
    out.extend(stream.finish());
    out
}

/// The actual output of a case, in the form its `expected` member has.
fn run(case: &Value) -> Value {
    let input = &case["input"];
    let model_override = case["model_override"].as_str();
    match case["case"].as_str().unwrap() {
        "chat_request" => match chat_request(&json_bytes(input), model_override) {
            Ok(r) => json!({
                "path": r.path,
                "body": serde_json::from_slice::<Value>(&r.body).unwrap(),
                "stream": r.stream,
                "include_usage": r.include_usage,
            }),
            Err(e) => json!({ "status": e.status, "param": e.param, "message": e.message }),
        },
        "embeddings_request" => match embeddings_request(&json_bytes(input), model_override) {
            Ok(r) => json!({
                "path": r.path,
                "body": serde_json::from_slice::<Value>(&r.body).unwrap(),
                "base64": r.base64,
            }),
            Err(e) => json!({ "status": e.status, "param": e.param, "message": e.message }),
        },
        "chat_response" => {
            let out = chat_response(&json_bytes(input), &context(case)).unwrap();
            serde_json::from_slice(&out).unwrap()
        }
        "embeddings_response" => {
            let base64 = case["base64"].as_bool().unwrap_or(false);
            let model = case["model"].as_str().unwrap();
            let out = embeddings_response(&json_bytes(input), model, base64).unwrap();
            serde_json::from_slice(&out).unwrap()
        }
        "stream" => Value::Array(sse_payloads(&stream_output(case, &[&json_bytes(input)]))),
        "error" => {
            let status = case["status"].as_u64().unwrap() as u16;
            serde_json::from_slice(&error_response(status, &json_bytes(input))).unwrap()
        }
        other => panic!("unknown case kind {other}"),
    }
}

#[test]
fn golden_fixtures() {
    run_case_files("gemini", 25, run);
}

/// Every stream fixture gives the same output when split in two at every byte, and when
/// fed one byte at a time.
#[test]
fn streams_split_at_every_byte() {
    let mut streams = 0;
    for file in case_files("gemini") {
        let case: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        if case["case"] != "stream" {
            continue;
        }
        streams += 1;
        let input = json_bytes(&case["input"]);
        check_splits(&input, &file.display().to_string(), |pieces| {
            stream_output(&case, pieces)
        });
    }
    assert!(streams >= 3, "only {streams} stream fixtures");
}

/// A stream breaking the SSE line limit gets one OpenAI error event, then only `[DONE]`.
#[test]
fn oversized_line_ends_the_stream_with_an_error_event() {
    let case = json!({ "case": "stream", "include_usage": true });
    let line = vec![b'x'; crate::sse::DEFAULT_MAX_LINE_BYTES + 1];
    let out = stream_output(&case, &[b"data: {\"candidates\":[]}\n\n", &line, b"\n\n"]);
    let events = sse_payloads(&out);
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0]["error"]["code"], "GEMINI_STREAM");
    assert_eq!(events[1], "[DONE]");
}
