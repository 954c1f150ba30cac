//! How a backend's answer to a forwarded request ended, learned while the answer streams
//! through untouched: the HTTP status, and the JSON-RPC response seen in a JSON body or in
//! an SSE event. Memory is bounded; an answer too large to watch reports no error.

use crate::metrics::ERROR_TYPE_TOOL_ERROR;
use crate::sse::SseParser;
use serde::Deserialize;
use serde_json::Value;

/// Largest JSON body, or SSE line or event, the watcher looks into.
pub const MAX_WATCHED_BYTES: usize = 256 * 1024;

/// Why a JSON-RPC `response` reports a failure: its error code, or `tool_error` for a
/// tool result marked `isError`; `None` for success.
pub fn response_error_type(response: &Value) -> Option<String> {
    if let Some(error) = response.get("error") {
        return Some(match error.get("code") {
            Some(code @ Value::Number(_)) => code.to_string(),
            _ => "unknown".to_string(),
        });
    }
    let failed = response["result"]["isError"] == Value::Bool(true);
    failed.then(|| ERROR_TYPE_TOOL_ERROR.to_string())
}

/// Watches one forwarded answer chunk by chunk.
#[derive(Debug)]
pub struct AnswerWatch {
    body: Body,
    /// The error type learned so far (from the status or the response message).
    error: Option<String>,
}

#[derive(Debug)]
enum Body {
    /// A JSON body, copied while it stays under the limit.
    Json(Vec<u8>),
    /// An SSE stream, read event by event.
    Sse(SseParser),
    /// Nothing to look at (error status, other media type, too large).
    Ignored,
}

/// The parts of a JSON-RPC message the watcher needs; the rest is skipped unparsed.
#[derive(Deserialize)]
struct Peek {
    result: Option<ResultPeek>,
    error: Option<ErrorPeek>,
}

#[derive(Deserialize)]
struct ResultPeek {
    #[serde(rename = "isError")]
    is_error: Option<bool>,
}

#[derive(Deserialize)]
struct ErrorPeek {
    code: Option<serde_json::Number>,
}

impl AnswerWatch {
    /// Starts watching an answer with HTTP `status` and `content_type`. A non-2xx status is
    /// the error type (its number) and the body is not looked into.
    pub fn new(status: u16, content_type: Option<&str>) -> Self {
        if !(200..300).contains(&status) {
            return Self {
                body: Body::Ignored,
                error: Some(status.to_string()),
            };
        }
        let media = content_type
            .and_then(|c| c.split(';').next())
            .map(|m| m.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let body = match media.as_str() {
            "application/json" => Body::Json(Vec::new()),
            "text/event-stream" => Body::Sse(SseParser::new(MAX_WATCHED_BYTES, MAX_WATCHED_BYTES)),
            _ => Body::Ignored,
        };
        Self { body, error: None }
    }

    /// Looks at the next chunk of the answer.
    pub fn feed(&mut self, chunk: &[u8]) {
        match &mut self.body {
            Body::Json(copy) if copy.len() + chunk.len() <= MAX_WATCHED_BYTES => {
                copy.extend_from_slice(chunk)
            }
            Body::Json(_) => self.body = Body::Ignored,
            Body::Sse(parser) => {
                let error = &mut self.error;
                if parser
                    .feed(chunk, |event| see_event(error, event.data))
                    .is_err()
                {
                    self.body = Body::Ignored;
                }
            }
            Body::Ignored => {}
        }
    }

    /// Ends the answer; returns its error type, `None` when it succeeded (or could not be
    /// seen).
    pub fn finish(mut self) -> Option<String> {
        match std::mem::replace(&mut self.body, Body::Ignored) {
            Body::Json(copy) => see_response(&mut self.error, &copy),
            Body::Sse(mut parser) => {
                let error = &mut self.error;
                let _ = parser.finish(|event| see_event(error, event.data));
            }
            Body::Ignored => {}
        }
        self.error
    }
}

fn see_event(error: &mut Option<String>, data: &[u8]) {
    if !data.is_empty() {
        see_response(error, data);
    }
}

/// Records the error type of `message` when it is a failed JSON-RPC response (requests
/// and notifications have neither `result` nor `error`).
fn see_response(error: &mut Option<String>, message: &[u8]) {
    let Ok(peek) = serde_json::from_slice::<Peek>(message) else {
        return;
    };
    if let Some(e) = peek.error {
        *error = Some(
            e.code
                .map_or_else(|| "unknown".to_string(), |c| c.to_string()),
        );
    } else if peek.result.and_then(|r| r.is_error) == Some(true) {
        *error = Some(ERROR_TYPE_TOOL_ERROR.to_string());
    }
}

#[cfg(test)]
#[path = "answer_tests.rs"]
mod tests;
