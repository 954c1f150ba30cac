//! Reading a backend's answer (a JSON body or an SSE stream of JSON-RPC messages) and
//! writing the client's answer in a form its `Accept` header allows.

use crate::sse::SseParser;
use serde_json::Value;

/// What a backend answered to one request.
#[derive(Debug, Clone, PartialEq)]
pub struct BackendReply {
    /// Messages the backend sent before the response on an SSE stream (progress and log
    /// notifications, requests to the client), in order.
    pub messages: Vec<Value>,
    /// The JSON-RPC response to the request (with `result` or `error`).
    pub response: Value,
}

/// Reads the response to the request with `id` from a backend's body. `content_type` is
/// the backend's `content-type` header. Errors say what was wrong, for the client's
/// JSON-RPC error.
pub fn read_backend_reply(
    content_type: Option<&str>,
    body: &[u8],
    id: &Value,
) -> Result<BackendReply, String> {
    let media = content_type
        .and_then(|c| c.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let messages = match media.as_str() {
        "text/event-stream" => sse_messages(body)?,
        "application/json" => {
            vec![serde_json::from_slice(body).map_err(|e| format!("invalid JSON response: {e}"))?]
        }
        other => return Err(format!("unexpected content-type {other:?}")),
    };
    let mut before = Vec::new();
    for message in messages {
        let is_response = message.get("id") == Some(id)
            && (message.get("result").is_some() || message.get("error").is_some());
        if is_response {
            return Ok(BackendReply {
                messages: before,
                response: message,
            });
        }
        before.push(message);
    }
    Err("no response to the request".to_string())
}

fn sse_messages(body: &[u8]) -> Result<Vec<Value>, String> {
    let mut parser = SseParser::default();
    let mut data = Vec::new();
    let mut collect = |event: crate::sse::SseEvent<'_>| {
        if event.event == b"message" && !event.data.is_empty() {
            data.push(event.data.to_vec());
        }
    };
    parser.feed(body, &mut collect).map_err(|e| e.to_string())?;
    parser.finish(&mut collect).map_err(|e| e.to_string())?;
    data.iter()
        .map(|d| serde_json::from_slice(d).map_err(|e| format!("invalid JSON in SSE event: {e}")))
        .collect()
}

/// The body forms a client accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accepts {
    /// `application/json` (or a wildcard covering it, or no `Accept` header).
    pub json: bool,
    /// `text/event-stream` (or a wildcard covering it).
    pub sse: bool,
}

impl Accepts {
    /// Reads an `Accept` header value.
    pub fn from_header(accept: Option<&str>) -> Self {
        let Some(accept) = accept else {
            return Self {
                json: true,
                sse: false,
            };
        };
        let mut out = Self {
            json: false,
            sse: false,
        };
        for media in accept.split(',') {
            let media = media
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            match media.as_str() {
                "*/*" => (out.json, out.sse) = (true, true),
                "application/json" | "application/*" => out.json = true,
                "text/event-stream" | "text/*" => out.sse = true,
                _ => {}
            }
        }
        out
    }

    /// Whether the client accepts either form.
    pub fn any(self) -> bool {
        self.json || self.sse
    }
}

/// Writes the client's answer: JSON of `response` alone when the client accepts JSON and
/// there are no other `messages` to relay (or it does not accept SSE), otherwise an SSE
/// stream of `messages` then `response`. Returns the content type and the body.
pub fn client_body(
    accepts: Accepts,
    messages: &[Value],
    response: &Value,
) -> (&'static str, Vec<u8>) {
    let use_sse = accepts.sse && (!accepts.json || !messages.is_empty());
    if !use_sse {
        return ("application/json", response.to_string().into_bytes());
    }
    let mut body = Vec::new();
    for message in messages.iter().chain(std::iter::once(response)) {
        body.extend_from_slice(b"event: message\ndata: ");
        body.extend_from_slice(message.to_string().as_bytes());
        body.extend_from_slice(b"\n\n");
    }
    ("text/event-stream", body)
}

#[cfg(test)]
#[path = "reply_tests.rs"]
mod tests;
