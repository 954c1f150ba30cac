//! Golden fixtures with a directory per case: `testdata/<name>/<case>/request.json`, ...,
//! each input file next to the files its translation is compared with.

use super::{bless, case_dirs, check_json, check_splits, parse, read, read_text};
use crate::anthropic::messages::error::AnthropicError;
use crate::bedrock::eventstream::{DEFAULT_MAX_FRAME_BYTES, Frame, decode_all, encode_frame};
use crate::openai::error::OpenAiError;
use serde_json::{Value, json};
use std::cell::Cell;
use std::fs;
use std::path::{Path, PathBuf};

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

    /// Checks the translation of the input request `input` (with the case's
    /// `model_override.txt`), when the case has one: `translate(body, model_override)` against
    /// the expected file `translated`, or a refusal against `error.json`.
    pub fn check_request(
        &self,
        input: &str,
        translated: &str,
        translate: impl FnOnce(&[u8], Option<&str>) -> Result<Value, Value>,
    ) {
        if let Some(request) = self.input(input) {
            let over = read_text(&self.dir, "model_override.txt");
            check_outcome(&self.dir, translated, translate(&request, over.as_deref()));
        }
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
