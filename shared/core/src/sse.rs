//! Incremental parser for Server-Sent Events (`text/event-stream`, WHATWG HTML §9.2).
//!
//! Bytes are fed chunk by chunk as they arrive from the network; an event may be split
//! across chunks at any byte, including between the `\r` and `\n` of a line ending.
//! Memory is bounded: a line longer than the line limit, or an event whose data is larger
//! than the event limit, stops the parser with an [`SseError`].
//!
//! Only the `data` and `event` fields are kept; `id` and `retry` only matter to a client
//! that reconnects, which a gateway never does, so they are skipped like comments.

use memchr::memchr2;
use std::fmt;

/// Default limit on one line (field name and value), in bytes.
pub const DEFAULT_MAX_LINE_BYTES: usize = 1 << 20;
/// Default limit on the data of one event (all `data:` lines joined), in bytes.
pub const DEFAULT_MAX_EVENT_BYTES: usize = 4 << 20;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why the parser stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SseError {
    /// A line exceeded the line limit.
    LineTooLong {
        /// The limit in bytes.
        limit: usize,
    },
    /// The data of one event exceeded the event limit.
    EventTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
}

impl fmt::Display for SseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LineTooLong { limit } => write!(f, "SSE line longer than {limit} bytes"),
            Self::EventTooLarge { limit } => {
                write!(f, "SSE event data larger than {limit} bytes")
            }
        }
    }
}

impl std::error::Error for SseError {}

/// One dispatched event, borrowed from the parser until the callback returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SseEvent<'a> {
    /// The event type: the last `event:` field, or `message` when there was none.
    pub event: &'a [u8],
    /// The `data:` lines joined with `\n`.
    pub data: &'a [u8],
}

/// A streaming SSE parser with bounded memory. Buffers are reused across events, so after
/// the first few events parsing a stream does not allocate.
#[derive(Debug)]
pub struct SseParser {
    max_line: usize,
    max_event: usize,
    /// The start of a line whose end has not arrived yet.
    partial: Vec<u8>,
    /// Data of the current event, each line followed by `\n`.
    data: Vec<u8>,
    /// Type of the current event (empty when not set).
    event: Vec<u8>,
    /// The previous chunk ended in `\r`: a `\n` starting the next chunk belongs to it.
    after_cr: bool,
    /// No line was processed yet (a leading byte-order mark is dropped).
    first_line: bool,
    failed: Option<SseError>,
}

impl Default for SseParser {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_LINE_BYTES, DEFAULT_MAX_EVENT_BYTES)
    }
}

impl SseParser {
    /// A parser with the given line and event-data limits, in bytes.
    pub fn new(max_line: usize, max_event: usize) -> Self {
        Self {
            max_line,
            max_event,
            partial: Vec::new(),
            data: Vec::new(),
            event: Vec::new(),
            after_cr: false,
            first_line: true,
            failed: None,
        }
    }

    /// Parses the next chunk of the stream, calling `on_event` for every event it completes.
    /// After an error the parser has released its buffers and returns the same error for
    /// every later call.
    pub fn feed<F>(&mut self, chunk: &[u8], mut on_event: F) -> Result<(), SseError>
    where
        F: FnMut(SseEvent<'_>),
    {
        if let Some(err) = self.failed {
            return Err(err);
        }
        let result = self.feed_lines(chunk, &mut on_event);
        self.check(result)
    }

    /// Ends the stream: a last line without a line ending is processed and a pending event
    /// without its closing blank line is dispatched. (The WHATWG algorithm drops such an
    /// event; a gateway counting tokens keeps it, since some servers omit the final blank
    /// line.) The parser is then ready for a new stream.
    pub fn finish<F>(&mut self, mut on_event: F) -> Result<(), SseError>
    where
        F: FnMut(SseEvent<'_>),
    {
        if let Some(err) = self.failed {
            return Err(err);
        }
        let mut result = Ok(());
        if !self.partial.is_empty() {
            let line = std::mem::take(&mut self.partial);
            result = self.process_line(&line, &mut on_event);
            self.partial = line;
            self.partial.clear();
        }
        if result.is_ok() {
            self.dispatch(&mut on_event);
        }
        self.after_cr = false;
        self.first_line = true;
        self.check(result)
    }

    fn check(&mut self, result: Result<(), SseError>) -> Result<(), SseError> {
        if let Err(err) = result {
            self.failed = Some(err);
            self.partial = Vec::new();
            self.data = Vec::new();
            self.event = Vec::new();
        }
        result
    }

    fn feed_lines<F>(&mut self, mut chunk: &[u8], on_event: &mut F) -> Result<(), SseError>
    where
        F: FnMut(SseEvent<'_>),
    {
        if self.after_cr && !chunk.is_empty() {
            self.after_cr = false;
            if chunk[0] == b'\n' {
                chunk = &chunk[1..];
            }
        }
        while let Some(end) = memchr2(b'\n', b'\r', chunk) {
            let next = match (chunk[end], chunk.get(end + 1)) {
                (b'\r', Some(b'\n')) => end + 2,
                (b'\r', None) => {
                    self.after_cr = true;
                    end + 1
                }
                _ => end + 1,
            };
            let line = &chunk[..end];
            if self.partial.is_empty() {
                if line.len() > self.max_line {
                    return Err(SseError::LineTooLong {
                        limit: self.max_line,
                    });
                }
                self.process_line(line, on_event)?;
            } else {
                self.push_partial(line)?;
                let whole = std::mem::take(&mut self.partial);
                let result = self.process_line(&whole, on_event);
                self.partial = whole;
                self.partial.clear();
                result?;
            }
            chunk = &chunk[next..];
        }
        self.push_partial(chunk)
    }

    fn push_partial(&mut self, bytes: &[u8]) -> Result<(), SseError> {
        if self.partial.len() + bytes.len() > self.max_line {
            return Err(SseError::LineTooLong {
                limit: self.max_line,
            });
        }
        self.partial.extend_from_slice(bytes);
        Ok(())
    }

    fn process_line<F>(&mut self, mut line: &[u8], on_event: &mut F) -> Result<(), SseError>
    where
        F: FnMut(SseEvent<'_>),
    {
        if self.first_line {
            self.first_line = false;
            line = line.strip_prefix(BOM).unwrap_or(line);
        }
        if line.is_empty() {
            self.dispatch(on_event);
            return Ok(());
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(0) => return Ok(()), // comment
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &[][..]),
        };
        match field {
            b"data" => {
                if self.data.len() + value.len() + 1 > self.max_event {
                    return Err(SseError::EventTooLarge {
                        limit: self.max_event,
                    });
                }
                self.data.extend_from_slice(value);
                self.data.push(b'\n');
            }
            b"event" => {
                self.event.clear();
                self.event.extend_from_slice(value);
            }
            _ => {}
        }
        Ok(())
    }

    fn dispatch<F>(&mut self, on_event: &mut F)
    where
        F: FnMut(SseEvent<'_>),
    {
        if let Some((_, data)) = self.data.split_last() {
            let event = if self.event.is_empty() {
                &b"message"[..]
            } else {
                self.event.as_slice()
            };
            on_event(SseEvent { event, data });
        }
        self.data.clear();
        self.event.clear();
    }
}

#[cfg(test)]
#[path = "sse_tests.rs"]
mod tests;
