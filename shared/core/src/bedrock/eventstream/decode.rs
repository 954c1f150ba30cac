//! The incremental event-stream decoder: bytes in any split -> frames, with every length
//! and CRC checked. Memory is bounded: at most one incomplete frame (no larger than the
//! configured maximum) is buffered; whole frames in the input are read in place.

use super::{Frame, Header, HeaderValue, MIN_FRAME_BYTES, PRELUDE_BYTES};
use std::fmt;

/// Default largest frame accepted: 1 MiB (Bedrock's stream frames are a few hundred bytes;
/// a large tool-call delta stays far below this).
pub const DEFAULT_MAX_FRAME_BYTES: usize = 1024 * 1024;

/// Why a stream cannot be decoded. After an error the decoder refuses further input: the
/// framing cannot be resynchronized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The prelude CRC does not match its 8 bytes.
    PreludeCrc {
        /// CRC carried by the frame.
        expected: u32,
        /// CRC computed over the bytes received.
        actual: u32,
    },
    /// The message CRC does not match the frame.
    MessageCrc {
        /// CRC carried by the frame.
        expected: u32,
        /// CRC computed over the bytes received.
        actual: u32,
    },
    /// `total_length` is above the decoder's maximum.
    FrameTooLarge {
        /// Announced frame length.
        length: u64,
        /// The maximum.
        max: usize,
    },
    /// `total_length` is below the 16 bytes of an empty frame.
    FrameTooShort {
        /// Announced frame length.
        length: u32,
    },
    /// `headers_length` does not fit in the frame.
    HeadersTooLong {
        /// Announced headers length.
        headers_length: u32,
        /// Announced frame length.
        length: u32,
    },
    /// A header is cut short, has an unknown type or a name/value that is not UTF-8.
    BadHeader(String),
    /// The stream ended inside a frame.
    Truncated {
        /// Bytes of the incomplete frame.
        buffered: usize,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PreludeCrc { expected, actual } => write!(
                f,
                "event-stream prelude CRC mismatch (frame says {expected:#010x}, computed {actual:#010x})"
            ),
            Self::MessageCrc { expected, actual } => write!(
                f,
                "event-stream message CRC mismatch (frame says {expected:#010x}, computed {actual:#010x})"
            ),
            Self::FrameTooLarge { length, max } => write!(
                f,
                "event-stream frame of {length} bytes exceeds the limit of {max} bytes"
            ),
            Self::FrameTooShort { length } => write!(
                f,
                "event-stream frame length {length} is below the minimum of {MIN_FRAME_BYTES} bytes"
            ),
            Self::HeadersTooLong {
                headers_length,
                length,
            } => write!(
                f,
                "event-stream headers length {headers_length} does not fit in a frame of {length} bytes"
            ),
            Self::BadHeader(why) => write!(f, "event-stream header: {why}"),
            Self::Truncated { buffered } => write!(
                f,
                "event stream ended inside a frame ({buffered} bytes of it received)"
            ),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Decodes a stream fed in arbitrary pieces.
#[derive(Debug, Clone)]
pub struct Decoder {
    /// The start of an incomplete frame (at most `max_frame_bytes`).
    pending: Vec<u8>,
    max_frame_bytes: usize,
    failed: Option<DecodeError>,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_FRAME_BYTES)
    }
}

impl Decoder {
    /// A decoder refusing frames longer than `max_frame_bytes` (at least 16 is useful).
    pub fn new(max_frame_bytes: usize) -> Self {
        Self {
            pending: Vec::new(),
            max_frame_bytes,
            failed: None,
        }
    }

    /// Reads `input`, calling `on_frame` for every frame it completes, in order. The first
    /// error stops decoding; it is returned again for any later input.
    pub fn feed(
        &mut self,
        input: &[u8],
        mut on_frame: impl FnMut(Frame),
    ) -> Result<(), DecodeError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        let result = self.feed_inner(input, &mut on_frame);
        if let Err(error) = &result {
            self.failed = Some(error.clone());
            self.pending = Vec::new();
        }
        result
    }

    /// Ends the stream: an error if it stopped inside a frame (or failed before).
    pub fn finish(&mut self) -> Result<(), DecodeError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        if self.pending.is_empty() {
            return Ok(());
        }
        let error = DecodeError::Truncated {
            buffered: self.pending.len(),
        };
        self.failed = Some(error.clone());
        self.pending = Vec::new();
        Err(error)
    }

    fn feed_inner(
        &mut self,
        mut input: &[u8],
        on_frame: &mut impl FnMut(Frame),
    ) -> Result<(), DecodeError> {
        if !self.pending.is_empty() {
            if self.pending.len() < PRELUDE_BYTES {
                let take = (PRELUDE_BYTES - self.pending.len()).min(input.len());
                self.pending.extend_from_slice(&input[..take]);
                input = &input[take..];
                if self.pending.len() < PRELUDE_BYTES {
                    return Ok(());
                }
            }
            let total = frame_length(&self.pending, self.max_frame_bytes)?;
            let take = (total - self.pending.len()).min(input.len());
            self.pending.extend_from_slice(&input[..take]);
            input = &input[take..];
            if self.pending.len() < total {
                return Ok(());
            }
            on_frame(parse_frame(&self.pending)?);
            self.pending.clear();
        }
        while input.len() >= PRELUDE_BYTES {
            let total = frame_length(input, self.max_frame_bytes)?;
            if input.len() < total {
                break;
            }
            on_frame(parse_frame(&input[..total])?);
            input = &input[total..];
        }
        self.pending.extend_from_slice(input);
        Ok(())
    }
}

/// What [`decode_all`] read: the frames before the first error, and that error.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Decoded {
    /// Frames decoded, in order.
    pub frames: Vec<Frame>,
    /// The error that stopped decoding (a trailing partial frame is `Truncated`).
    pub error: Option<DecodeError>,
}

/// Decodes a whole stream at once: the entry point for fuzzing and tests.
pub fn decode_all(bytes: &[u8], max_frame_bytes: usize) -> Decoded {
    let mut decoder = Decoder::new(max_frame_bytes);
    let mut frames = Vec::new();
    let error = decoder
        .feed(bytes, |frame| frames.push(frame))
        .and_then(|()| decoder.finish())
        .err();
    Decoded { frames, error }
}

fn be32(bytes: &[u8]) -> u32 {
    u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

/// Checks the prelude at the start of `bytes` (at least 12 long) and returns the frame length.
fn frame_length(bytes: &[u8], max: usize) -> Result<usize, DecodeError> {
    let total = be32(bytes);
    let headers_length = be32(&bytes[4..]);
    let expected = be32(&bytes[8..]);
    let actual = crc32fast::hash(&bytes[..8]);
    if expected != actual {
        return Err(DecodeError::PreludeCrc { expected, actual });
    }
    if (total as usize) < MIN_FRAME_BYTES {
        return Err(DecodeError::FrameTooShort { length: total });
    }
    if u64::from(total) > max as u64 {
        return Err(DecodeError::FrameTooLarge {
            length: total.into(),
            max,
        });
    }
    if u64::from(headers_length) > u64::from(total) - MIN_FRAME_BYTES as u64 {
        return Err(DecodeError::HeadersTooLong {
            headers_length,
            length: total,
        });
    }
    Ok(total as usize)
}

/// Parses one complete frame whose prelude was checked by [`frame_length`].
fn parse_frame(frame: &[u8]) -> Result<Frame, DecodeError> {
    let body_end = frame.len() - 4;
    let expected = be32(&frame[body_end..]);
    let actual = crc32fast::hash(&frame[..body_end]);
    if expected != actual {
        return Err(DecodeError::MessageCrc { expected, actual });
    }
    let headers_end = PRELUDE_BYTES + be32(&frame[4..]) as usize;
    let headers = parse_headers(&frame[PRELUDE_BYTES..headers_end])?;
    Ok(Frame {
        headers,
        payload: frame[headers_end..body_end].to_vec(),
    })
}

fn bad(why: impl Into<String>) -> DecodeError {
    DecodeError::BadHeader(why.into())
}

/// Reads `n` bytes at the cursor.
fn take<'a>(bytes: &mut &'a [u8], n: usize, what: &str) -> Result<&'a [u8], DecodeError> {
    if bytes.len() < n {
        return Err(bad(format!(
            "{what} needs {n} bytes, {} left in the headers",
            bytes.len()
        )));
    }
    let (head, rest) = bytes.split_at(n);
    *bytes = rest;
    Ok(head)
}

fn parse_headers(mut bytes: &[u8]) -> Result<Vec<Header>, DecodeError> {
    let mut headers = Vec::new();
    while !bytes.is_empty() {
        let name_length = take(&mut bytes, 1, "header name length")?[0] as usize;
        if name_length == 0 {
            return Err(bad("empty header name"));
        }
        let name = std::str::from_utf8(take(&mut bytes, name_length, "header name")?)
            .map_err(|_| bad("header name is not UTF-8"))?
            .to_string();
        let kind = take(&mut bytes, 1, "header type")?[0];
        let value = match kind {
            0 => HeaderValue::Bool(true),
            1 => HeaderValue::Bool(false),
            2 => HeaderValue::Byte(take(&mut bytes, 1, &name)?[0] as i8),
            3 => {
                let b = take(&mut bytes, 2, &name)?;
                HeaderValue::Short(i16::from_be_bytes([b[0], b[1]]))
            }
            4 => HeaderValue::Int(be32(take(&mut bytes, 4, &name)?) as i32),
            5 | 8 => {
                let b = take(&mut bytes, 8, &name)?;
                let v = i64::from_be_bytes(b.try_into().unwrap_or([0; 8]));
                if kind == 5 {
                    HeaderValue::Long(v)
                } else {
                    HeaderValue::Timestamp(v)
                }
            }
            6 | 7 => {
                let b = take(&mut bytes, 2, &name)?;
                let len = u16::from_be_bytes([b[0], b[1]]) as usize;
                let data = take(&mut bytes, len, &name)?;
                if kind == 6 {
                    HeaderValue::Bytes(data.to_vec())
                } else {
                    let text = std::str::from_utf8(data)
                        .map_err(|_| bad(format!("value of {name} is not UTF-8")))?;
                    HeaderValue::String(text.to_string())
                }
            }
            9 => {
                let b = take(&mut bytes, 16, &name)?;
                HeaderValue::Uuid(b.try_into().unwrap_or([0; 16]))
            }
            other => return Err(bad(format!("unknown type {other} of header {name}"))),
        };
        headers.push(Header { name, value });
    }
    Ok(headers)
}
