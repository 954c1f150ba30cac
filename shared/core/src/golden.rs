//! What the golden-fixture tests of every schema share: finding the cases under
//! `testdata/<name>/`, reading them, comparing output with the expected files (or rewriting
//! those with `AIGW_BLESS=1`; review the diff before committing) and checking that a stream
//! translator gives the same output however its input is split.
//!
//! Two layouts exist: a directory per case (`testdata/<name>/<case>/request.json`, ...) and
//! a JSON file per case (`{"case": <kind>, "input": ..., "expected": ...}`).

use crate::anthropic::messages::error::AnthropicError;
use crate::bedrock::eventstream::{DEFAULT_MAX_FRAME_BYTES, Frame, decode_all, encode_frame};
use crate::openai::embeddings::EmbeddingsRequest;
use crate::openai::error::OpenAiError;
use serde_json::{Value, json};
use std::cell::Cell;
use std::fs;
use std::path::{Path, PathBuf};

/// The `created` timestamp every golden response is made with.
pub const CREATED: u64 = 1_700_000_000;

/// `testdata/<name>` of the repository.
pub fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata")
        .join(name)
}

/// Whether expected files are rewritten from the output instead of compared.
pub fn bless() -> bool {
    std::env::var_os("AIGW_BLESS").is_some()
}

/// The entries of `testdata/<name>` that `keep` accepts, sorted.
fn entries(name: &str, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let root = testdata(name);
    let mut found: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| keep(p))
        .collect();
    found.sort();
    found
}

/// The case directories of `testdata/<name>`.
pub fn case_dirs(name: &str) -> Vec<PathBuf> {
    entries(name, Path::is_dir)
}

/// The `.json` case files of `testdata/<name>`.
pub fn case_files(name: &str) -> Vec<PathBuf> {
    entries(name, |p| p.extension().is_some_and(|x| x == "json"))
}

/// A file of a case directory, when present.
pub fn read(dir: &Path, name: &str) -> Option<Vec<u8>> {
    fs::read(dir.join(name)).ok()
}

/// A text file of a case directory, trimmed, when present.
pub fn read_text(dir: &Path, name: &str) -> Option<String> {
    read(dir, name).map(|b| String::from_utf8(b).unwrap().trim().to_string())
}

/// `bytes` as JSON; `what` names them when they are not.
pub fn parse(bytes: &[u8], what: &str) -> Value {
    serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// Compares `actual` with the expected JSON file `dir/name` (or writes it when blessing).
pub fn check_json(dir: &Path, name: &str, actual: &Value) {
    let path = dir.join(name);
    if bless() {
        fs::write(&path, serde_json::to_string_pretty(actual).unwrap() + "\n").unwrap();
        return;
    }
    let expected = parse(&fs::read(&path).unwrap(), &path.display().to_string());
    assert_eq!(actual, &expected, "{}", path.display());
}

/// Compares `actual` with the expected file `dir/name` byte for byte, shown as text (or
/// writes it when blessing).
pub fn check_bytes(dir: &Path, name: &str, actual: &[u8]) {
    let path = dir.join(name);
    if bless() {
        fs::write(&path, actual).unwrap();
        return;
    }
    let expected = fs::read(&path).unwrap();
    assert_eq!(
        String::from_utf8_lossy(actual),
        String::from_utf8_lossy(&expected),
        "{}",
        path.display()
    );
}

/// A case's `input` as bytes: a string as written, any other JSON value serialised.
pub fn json_bytes(v: &Value) -> Vec<u8> {
    match v {
        Value::String(s) => s.as_bytes().to_vec(),
        other => other.to_string().into_bytes(),
    }
}

/// The `data:` payloads of an OpenAI SSE body, parsed (`[DONE]` kept as a string).
pub fn sse_payloads(body: &[u8]) -> Vec<Value> {
    let text = std::str::from_utf8(body).unwrap();
    assert!(
        text.ends_with("\n\n"),
        "events end with a blank line: {text:?}"
    );
    text.split("\n\n")
        .filter(|e| !e.is_empty())
        .map(|event| {
            let data = event.strip_prefix("data: ").unwrap();
            serde_json::from_str(data).unwrap_or_else(|_| Value::String(data.into()))
        })
        .collect()
}

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

/// Checks that `translate` (fed the pieces in order, then finished) gives the same output
/// for `input` whole, split in two at every byte, and fed one byte at a time.
pub fn check_splits(input: &[u8], what: &str, translate: impl Fn(&[&[u8]]) -> Vec<u8>) {
    let whole = translate(&[input]);
    for at in 0..=input.len() {
        let (a, b) = input.split_at(at);
        assert_eq!(translate(&[a, b]), whole, "{what} split at {at}");
    }
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(translate(&bytes), whole, "{what} byte by byte");
}

/// The output of the stream translator `stream` fed `pieces` in order with `feed`, then
/// ended with `finish`.
pub fn feed_all<S>(
    mut stream: S,
    pieces: &[&[u8]],
    feed: impl Fn(&mut S, &[u8]) -> Vec<u8>,
    finish: impl FnOnce(&mut S) -> Vec<u8>,
) -> Vec<u8> {
    let mut out = Vec::new();
    for piece in pieces {
        out.extend(feed(&mut stream, piece));
    }
    out.extend(finish(&mut stream));
    out
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

/// A case file's refused request as its `expected` member shows the OpenAI error:
/// `{"status", "param", "message"}`.
pub fn openai_error_fields(e: OpenAiError) -> Value {
    json!({ "status": e.status, "param": e.param, "message": e.message })
}

/// A case file's chat request translation as its `expected` member shows it: `{"path",
/// "body", "stream", "include_usage"}`.
pub fn chat_request_fields(path: &str, body: &[u8], stream: bool, include_usage: bool) -> Value {
    json!({
        "path": path,
        "body": parse(body, "translated request"),
        "stream": stream,
        "include_usage": include_usage,
    })
}

/// A case file's embeddings request translation as its `expected` member shows it:
/// `{"path", "body", "base64"}`, or the refusal's fields.
pub fn embeddings_request_case(outcome: Result<EmbeddingsRequest, OpenAiError>) -> Value {
    match outcome {
        Ok(r) => json!({
            "path": r.path,
            "body": parse(&r.body, "translated request"),
            "base64": r.base64,
        }),
        Err(e) => openai_error_fields(e),
    }
}

/// A case file's embeddings answer translated by `translate(body, model, base64)` (its
/// `model` and optional `base64` members), parsed.
pub fn embeddings_response_case(
    case: &Value,
    translate: impl Fn(&[u8], &str, bool) -> Result<Vec<u8>, String>,
) -> Value {
    let base64 = case["base64"].as_bool().unwrap_or(false);
    let model = case["model"].as_str().unwrap();
    parse(
        &translate(&json_bytes(&case["input"]), model, base64).unwrap(),
        "output",
    )
}

/// A `stream` case file's output: the SSE payloads of `translate(case, [whole input])`.
pub fn stream_case(case: &Value, translate: impl Fn(&Value, &[&[u8]]) -> Vec<u8>) -> Value {
    Value::Array(sse_payloads(&translate(
        case,
        &[&json_bytes(&case["input"])],
    )))
}

/// An `error` case file's output: `translate(status, input)` (its `status` member), parsed.
pub fn error_case(case: &Value, translate: impl Fn(u16, &[u8]) -> Vec<u8>) -> Value {
    let status = case["status"].as_u64().unwrap() as u16;
    parse(&translate(status, &json_bytes(&case["input"])), "output")
}

/// A case directory being checked: its path, and how many of its input files were read.
pub struct Case {
    dir: PathBuf,
    inputs: Cell<usize>,
}

impl Case {
    /// The case directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The input file `name` when the case has one (then counted as checked).
    pub fn input(&self, name: &str) -> Option<Vec<u8>> {
        let bytes = read(&self.dir, name);
        if bytes.is_some() {
            self.inputs.set(self.inputs.get() + 1);
        }
        bytes
    }
}

/// Runs `check` on every case directory of `testdata/<name>` (at least `min`), each of
/// which must have an input file that `check` reads with [`Case::input`]; returns how many
/// cases there were.
pub fn run_case_dirs(name: &str, min: usize, check: impl Fn(&Case)) -> usize {
    let dirs = case_dirs(name);
    assert!(dirs.len() >= min, "{name}: only {} cases", dirs.len());
    for dir in &dirs {
        let case = Case {
            dir: dir.clone(),
            inputs: Cell::new(0),
        };
        check(&case);
        assert!(case.inputs.get() > 0, "{}: no fixture files", dir.display());
    }
    dirs.len()
}

/// The upstream status of a case directory: `status.txt`, else 200.
pub fn status(dir: &Path) -> u16 {
    read_text(dir, "status.txt").map_or(200, |s| s.parse().unwrap())
}

/// Compares a request translation's outcome with its expected file: a translation with
/// `translated`, a refusal with `error.json`.
pub fn check_outcome(dir: &Path, translated: &str, outcome: Result<Value, Value>) {
    match outcome {
        Ok(actual) => check_json(dir, translated, &actual),
        Err(refusal) => check_json(dir, "error.json", &refusal),
    }
}

/// An OpenAI error (a refusal, an untranslatable answer) as the case directories' expected
/// files show it: `{"status", "body"}`.
pub fn openai_error_json(e: OpenAiError) -> Value {
    json!({"status": e.status, "body": parse(&e.body(), "error")})
}

/// An Anthropic error (a refusal, a translated error answer) as the case directories'
/// expected files show it: `{"status", "body"}`.
pub fn anthropic_error_json(e: AnthropicError) -> Value {
    json!({"status": e.status, "body": e.value()})
}

/// A translated request as the `upstream_*.json` files show it: `{"path", "body"}`.
pub fn path_and_body(path: &str, body: &[u8]) -> Value {
    json!({"path": path, "body": parse(body, "translated request")})
}

/// Checks that every case directory of `testdata/<name>` with a stream capture (the first
/// of `captures` it has; at least `min` such cases) gives the same output however the
/// capture is split ([`check_splits`]); `translator(dir)` is the case's translation.
pub fn check_case_dir_splits<T: Fn(&[&[u8]]) -> Vec<u8>>(
    name: &str,
    captures: &[&str],
    min: usize,
    translator: impl Fn(&Path) -> T,
) {
    let mut streams = 0;
    for dir in case_dirs(name) {
        let Some(capture) = captures.iter().find_map(|c| read(&dir, c)) else {
            continue;
        };
        check_splits(&capture, &dir.display().to_string(), translator(&dir));
        streams += 1;
    }
    assert!(streams >= min, "{name}: only {streams} stream captures");
}

/// Checks (or, blessing, writes) a case's Bedrock event-stream capture
/// `upstream_response.bin` against its readable description `description` (when the case
/// has one), `frames` turning the description into the frames the capture must hold.
pub fn check_event_stream_capture(
    dir: &Path,
    description: &str,
    frames: impl Fn(&Value) -> Vec<Frame>,
) {
    let Some(text) = read(dir, description) else {
        return;
    };
    let frames = frames(&parse(&text, description));
    let path = dir.join("upstream_response.bin");
    if bless() {
        let mut bytes = Vec::new();
        for frame in &frames {
            encode_frame(frame, &mut bytes);
        }
        fs::write(&path, bytes).unwrap();
        return;
    }
    let decoded = decode_all(&fs::read(&path).unwrap(), DEFAULT_MAX_FRAME_BYTES);
    assert_eq!(decoded.error, None, "{}", path.display());
    assert_eq!(decoded.frames, frames, "{}", path.display());
}
