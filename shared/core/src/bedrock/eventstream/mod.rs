//! The AWS event-stream binary framing (`application/vnd.amazon.eventstream`), as used by
//! Bedrock `ConverseStream` and `InvokeModelWithResponseStream`.
//!
//! A frame (all integers big-endian):
//! `total_length: u32 | headers_length: u32 | prelude_crc: u32 | headers | payload | message_crc: u32`
//! where `prelude_crc` is the CRC32 of the first 8 bytes and `message_crc` the CRC32 of
//! everything before it. A header is `name_length: u8 | name | type: u8 | value`, the value
//! typed by [`HeaderValue`]. [`Decoder`] reads frames from bytes split anywhere;
//! [`encode_frame`] writes them.

mod decode;
mod encode;

pub use decode::{DEFAULT_MAX_FRAME_BYTES, DecodeError, Decoded, Decoder, decode_all};
pub use encode::encode_frame;

/// Bytes of the prelude (two lengths and the prelude CRC).
pub const PRELUDE_BYTES: usize = 12;
/// Bytes of the smallest frame: prelude and message CRC, no headers, no payload.
pub const MIN_FRAME_BYTES: usize = PRELUDE_BYTES + 4;

/// A typed header value; the wire type code is in each variant's doc.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderValue {
    /// Type 0 (true) or 1 (false), no value bytes.
    Bool(bool),
    /// Type 2: one signed byte.
    Byte(i8),
    /// Type 3: i16.
    Short(i16),
    /// Type 4: i32.
    Int(i32),
    /// Type 5: i64.
    Long(i64),
    /// Type 6: u16 length, then the bytes.
    Bytes(Vec<u8>),
    /// Type 7: u16 length, then UTF-8 text.
    String(String),
    /// Type 8: i64 milliseconds since the Unix epoch.
    Timestamp(i64),
    /// Type 9: 16 bytes.
    Uuid([u8; 16]),
}

/// One header of a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Header name (1 to 255 bytes).
    pub name: String,
    /// Typed value.
    pub value: HeaderValue,
}

/// One decoded frame.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frame {
    /// Headers in wire order.
    pub headers: Vec<Header>,
    /// The payload bytes.
    pub payload: Vec<u8>,
}

impl Frame {
    /// The value of the first string header called `name`.
    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.headers.iter().find_map(|h| match &h.value {
            HeaderValue::String(s) if h.name == name => Some(s.as_str()),
            _ => None,
        })
    }

    /// A frame with string headers (the only kind Bedrock sends) and a payload.
    pub fn with_strings(headers: &[(&str, &str)], payload: &[u8]) -> Self {
        Self {
            headers: headers
                .iter()
                .map(|(name, value)| Header {
                    name: (*name).to_string(),
                    value: HeaderValue::String((*value).to_string()),
                })
                .collect(),
            payload: payload.to_vec(),
        }
    }
}

#[cfg(test)]
mod tests;
