//! Requests a server sends the client inside an SSE answer or stream (elicitation,
//! sampling, roots): their ids become `{server}{separator}{id as JSON}`, so the client's
//! response, which carries that id, can be routed back to the server with the server's own
//! id. A resource-update notification (`notifications/resources/updated`, sent for a
//! subscription) gets the client-facing `{server}+{uri}`. Every other event, and every
//! other byte, passes unchanged; memory is bounded by one event.

use super::naming::{URI_SEPARATOR, prefixed, route};
use memchr::{memchr2, memmem};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// Largest event held back while waiting for its end; beyond it the rest of the stream
/// passes unchanged (a server request in it is then not relabelled).
pub const MAX_HELD_EVENT_BYTES: usize = 256 * 1024;

/// The id the client sees for request `id` of `server`.
pub fn relayed_id(server: &str, separator: &str, id: &Value) -> Value {
    Value::String(prefixed(server, separator, &id.to_string()))
}

/// The server (index in `servers`) and its own request id of a relayed id, or `None` when
/// `id` is not one.
pub fn original_id<'s>(
    servers: impl IntoIterator<Item = &'s str>,
    separator: &str,
    id: &Value,
) -> Option<(usize, Value)> {
    let (slot, own) = route(servers, separator, id.as_str()?)?;
    match serde_json::from_str(own).ok()? {
        own @ Value::String(_) => Some((slot, own)),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some((slot, Value::Number(n))),
        _ => None,
    }
}

/// Relabels the server requests of one SSE stream, chunk by chunk.
#[derive(Debug)]
pub struct SseRelabel {
    server: String,
    separator: String,
    /// The start of an event whose end has not arrived yet.
    held: Vec<u8>,
    /// An event outgrew the limit: the rest passes unchanged.
    gave_up: bool,
}

/// The notification whose resource URI the client sees prefixed.
const RESOURCE_UPDATED: &str = "notifications/resources/updated";

/// The parts of a message that tell a request from other messages (the method borrowed
/// from the event unless it has escapes).
#[derive(Deserialize)]
struct Peek<'a> {
    id: Option<Value>,
    #[serde(borrow)]
    method: Option<Cow<'a, str>>,
}

impl SseRelabel {
    /// Relabels requests of `server` with `separator`.
    pub fn new(server: &str, separator: &str) -> Self {
        Self {
            server: server.to_string(),
            separator: separator.to_string(),
            held: Vec::new(),
            gave_up: false,
        }
    }

    /// The bytes to pass on for the next `chunk`: `None` when the chunk passes unchanged,
    /// otherwise the complete events so far (relabelled); the start of an unfinished event
    /// is held back until its end arrives.
    pub fn feed(&mut self, chunk: &[u8]) -> Option<Vec<u8>> {
        if self.gave_up {
            return None;
        }
        if self.held.is_empty() {
            let end = complete_end(chunk);
            let (done, rest) = chunk.split_at(end);
            let out = self.relabel_events(done);
            if out.is_none() && rest.is_empty() {
                return None;
            }
            let out = out.unwrap_or_else(|| done.to_vec());
            return Some(self.hold(out, rest));
        }
        let mut held = std::mem::take(&mut self.held);
        held.extend_from_slice(chunk);
        let end = complete_end(&held);
        let out = self
            .relabel_events(&held[..end])
            .unwrap_or_else(|| held[..end].to_vec());
        Some(self.hold(out, &held[end..]))
    }

    /// Ends the stream: the held-back rest, relabelled as one last event.
    pub fn finish(&mut self) -> Vec<u8> {
        let held = std::mem::take(&mut self.held);
        self.relabel_event(&held).unwrap_or(held)
    }

    /// Holds `rest` back after `out`, or gives up and passes it on when it is too large.
    fn hold(&mut self, mut out: Vec<u8>, rest: &[u8]) -> Vec<u8> {
        if rest.len() > MAX_HELD_EVENT_BYTES {
            self.gave_up = true;
            out.extend_from_slice(rest);
        } else {
            self.held.extend_from_slice(rest);
        }
        out
    }

    /// `events` (complete events) with server requests relabelled; `None` when none was.
    fn relabel_events(&self, events: &[u8]) -> Option<Vec<u8>> {
        memmem::find(events, b"\"method\"")?;
        let mut out: Option<Vec<u8>> = None;
        let mut start = 0;
        for (line, end) in Lines::complete(events) {
            if !line.is_empty() {
                continue;
            }
            let event = &events[start..end];
            match (self.relabel_event(event), &mut out) {
                (Some(new), Some(out)) => out.extend_from_slice(&new),
                (Some(new), None) => {
                    let mut first = events[..start].to_vec();
                    first.extend_from_slice(&new);
                    out = Some(first);
                }
                (None, Some(out)) => out.extend_from_slice(event),
                (None, None) => {}
            }
            start = end;
        }
        out
    }

    /// One event (its lines and closing blank line) with its data relabelled when it is a
    /// server request; `None` when it is not one.
    fn relabel_event(&self, event: &[u8]) -> Option<Vec<u8>> {
        memmem::find(event, b"\"method\"")?;
        let mut data: Option<Vec<u8>> = None;
        for (line, _) in Lines::complete(event) {
            if let Some(value) = data_value(line) {
                match &mut data {
                    Some(data) => {
                        data.push(b'\n');
                        data.extend_from_slice(value);
                    }
                    None => data = Some(value.to_vec()),
                }
            }
        }
        let data = data?;
        let peek: Peek<'_> = serde_json::from_slice(&data).ok()?;
        let method = peek.method?;
        if peek.id.is_none() && method != RESOURCE_UPDATED {
            return None;
        }
        let mut message: Map<String, Value> = serde_json::from_slice(&data).ok()?;
        match peek.id {
            Some(id) => {
                let relayed = relayed_id(&self.server, &self.separator, &id);
                message.insert("id".to_string(), relayed);
            }
            None => {
                let uri = message.get_mut("params")?.get_mut("uri")?;
                *uri = Value::String(prefixed(&self.server, URI_SEPARATOR, uri.as_str()?));
            }
        }
        let new_data = serde_json::to_vec(&message).ok()?;
        let mut out = Vec::with_capacity(event.len() + self.server.len() + 8);
        let mut written = false;
        let mut start = 0;
        for (line, end) in Lines::complete(event) {
            let whole = &event[start..end];
            if data_value(line).is_some() {
                if !written {
                    out.extend_from_slice(b"data: ");
                    out.extend_from_slice(&new_data);
                    out.extend_from_slice(&whole[line.len()..]);
                    written = true;
                }
            } else {
                out.extend_from_slice(whole);
            }
            start = end;
        }
        out.extend_from_slice(&event[start..]);
        Some(out)
    }
}

/// The value of a `data` field line (one leading space removed), `None` for other lines.
fn data_value(line: &[u8]) -> Option<&[u8]> {
    let rest = line.strip_prefix(b"data")?;
    if rest.is_empty() {
        return Some(rest);
    }
    let value = rest.strip_prefix(b":")?;
    Some(value.strip_prefix(b" ").unwrap_or(value))
}

/// The index just after the last complete event (its closing blank line) in `buf`.
fn complete_end(buf: &[u8]) -> usize {
    let mut end = 0;
    for (line, line_end) in Lines::new(buf) {
        if line.is_empty() {
            end = line_end;
        }
    }
    end
}

/// The complete lines of a buffer: each line's content and the index after its line
/// ending (`\n`, `\r\n` or `\r`). An unterminated last line is not yielded.
struct Lines<'b> {
    buf: &'b [u8],
    at: usize,
    /// Whether nothing follows the buffer (complete events, or the end of the stream): a
    /// `\r` ending it is a line ending. Otherwise it is left for the next chunk, which may
    /// start with its `\n`.
    ends_here: bool,
}

impl<'b> Lines<'b> {
    /// The lines of a stream's received part, more of which may follow.
    fn new(buf: &'b [u8]) -> Self {
        Self {
            buf,
            at: 0,
            ends_here: false,
        }
    }

    /// The lines of a span known to end at a line ending (complete events) or at the end
    /// of the stream.
    fn complete(buf: &'b [u8]) -> Self {
        Self {
            buf,
            at: 0,
            ends_here: true,
        }
    }
}

impl<'b> Iterator for Lines<'b> {
    type Item = (&'b [u8], usize);

    fn next(&mut self) -> Option<Self::Item> {
        let start = self.at;
        let offset = memchr2(b'\n', b'\r', &self.buf[start..])?;
        let at = start + offset;
        let end = match self.buf[at] {
            b'\n' => at + 1,
            _ if at + 1 == self.buf.len() && self.ends_here => at + 1,
            _ if at + 1 == self.buf.len() => return None,
            _ if self.buf[at + 1] == b'\n' => at + 2,
            _ => at + 1,
        };
        self.at = end;
        Some((&self.buf[start..at], end))
    }
}

#[cfg(test)]
#[path = "server_requests_tests.rs"]
mod tests;
