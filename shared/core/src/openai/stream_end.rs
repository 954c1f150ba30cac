//! The end of an OpenAI chat or completions stream passed through from a provider.
//!
//! A provider that ends its body cleanly in the middle of an event, or before `[DONE]`,
//! leaves the client with a half event its SSE parser turns into broken JSON, or with a
//! stream that just stops. [`StreamEnd`] forwards only whole events (a partial event is
//! held until its end arrives; providers flush whole events, so usually nothing is held),
//! and at the end of a stream without `[DONE]` drops the partial event and writes an
//! OpenAI error event and `[DONE]` instead.

use memchr::memmem;

/// Largest partial event held back; a longer one is passed on as it is and the check ends.
pub const MAX_HELD_BYTES: usize = 1 << 20;

/// What the stream's data since the last event boundary is.
#[derive(Debug, Default)]
pub struct StreamEnd {
    /// The partial event held back.
    held: Vec<u8>,
    /// The last whole event forwarded was `data: [DONE]`.
    done: bool,
    /// The check gave up (a partial event over [`MAX_HELD_BYTES`]).
    off: bool,
}

impl StreamEnd {
    /// Takes the next `chunk` of the stream (`end` on the last one). Returns the bytes to
    /// send instead of the chunk, `None` to send it unchanged.
    pub fn feed(&mut self, chunk: &[u8], end: bool) -> Option<Vec<u8>> {
        if self.off {
            return None;
        }
        if self.held.is_empty() && !end && last_boundary(chunk) == Some(chunk.len()) {
            self.done = ends_with_done(chunk);
            return None;
        }
        let mut out = std::mem::take(&mut self.held);
        // The held part has no boundary, but one may straddle it and the chunk.
        let from = out.len().saturating_sub(3);
        out.extend_from_slice(chunk);
        let whole = last_boundary(&out[from..]).map_or(0, |cut| from + cut);
        if whole > 0 {
            self.done = ends_with_done(&out[..whole]);
        }
        self.held = out.split_off(whole);
        if end {
            if !self.done {
                self.held.clear();
                out.extend_from_slice(ERROR_EVENT);
                out.extend_from_slice(b"data: [DONE]\n\n");
            }
        } else if self.held.len() > MAX_HELD_BYTES {
            out.append(&mut self.held);
            self.off = true;
        }
        Some(out)
    }
}

/// The error event that ends a stream the provider broke off.
const ERROR_EVENT: &[u8] = b"data: {\"error\":{\"message\":\"The provider's stream ended before it was complete.\",\"type\":\"server_error\",\"param\":null,\"code\":\"incomplete_stream\"}}\n\n";

/// The position just after the last blank line (`\n\n`, `\r\n\r\n` or `\r\r`) in `data`.
fn last_boundary(data: &[u8]) -> Option<usize> {
    let lf = memmem::rfind(data, b"\n\n").map(|i| i + 2);
    let cr = memmem::rfind(data, b"\r\r").map(|i| i + 2);
    let crlf = memmem::rfind(data, b"\n\r\n").map(|i| i + 3);
    [lf, cr, crlf].into_iter().flatten().max()
}

/// Whether the last event of `events` (whole events) is `data: [DONE]`.
fn ends_with_done(events: &[u8]) -> bool {
    let trimmed = events.trim_ascii_end();
    let start = [b"\n\n".as_slice(), b"\r\r", b"\n\r\n"]
        .iter()
        .filter_map(|sep| memmem::rfind(trimmed, sep).map(|i| i + sep.len()))
        .max()
        .unwrap_or(0);
    let event = trimmed[start..].trim_ascii();
    event == b"data: [DONE]" || event == b"data:[DONE]"
}

#[cfg(test)]
#[path = "stream_end_tests.rs"]
mod tests;
