//! What the golden-fixture tests of every schema share: finding the cases under
//! `testdata/<name>/`, reading them, comparing output with the expected files (or rewriting
//! those with `AIGW_BLESS=1`; review the diff before committing) and checking that a stream
//! translator gives the same output however its input is split.
//!
//! Two layouts exist: a directory per case (`testdata/<name>/<case>/request.json`, ...) and
//! a JSON file per case (`{"case": <kind>, "input": ..., "expected": ...}`).

mod case_dirs;
mod case_files;
mod claude;

pub use case_dirs::{
    Case, anthropic_error_json, check_case_dir_splits, check_event_stream_capture, check_outcome,
    openai_error_json, path_and_body, run_case_dirs, status,
};
pub use case_files::{OpenAiCases, chat_request_fields, check_case_file_splits, run_case_files};
pub use claude::{
    check_claude_chat_answer, check_claude_chat_stream, check_claude_chat_stream_splits,
    check_claude_requests,
};

use serde_json::Value;
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
