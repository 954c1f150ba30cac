//! The event-stream encoder (used by the fake Bedrock and to write fixtures).

use super::{Frame, HeaderValue, PRELUDE_BYTES};

/// Appends one encoded frame to `out`. Header names are cut to 255 bytes and string/bytes
/// values to 65,535 bytes (the wire limits).
pub fn encode_frame(frame: &Frame, out: &mut Vec<u8>) {
    let mut headers = Vec::new();
    for header in &frame.headers {
        let name = &header.name.as_bytes()[..header.name.len().min(255)];
        headers.push(name.len() as u8);
        headers.extend_from_slice(name);
        match &header.value {
            HeaderValue::Bool(true) => headers.push(0),
            HeaderValue::Bool(false) => headers.push(1),
            HeaderValue::Byte(v) => {
                headers.push(2);
                headers.push(*v as u8);
            }
            HeaderValue::Short(v) => {
                headers.push(3);
                headers.extend_from_slice(&v.to_be_bytes());
            }
            HeaderValue::Int(v) => {
                headers.push(4);
                headers.extend_from_slice(&v.to_be_bytes());
            }
            HeaderValue::Long(v) => {
                headers.push(5);
                headers.extend_from_slice(&v.to_be_bytes());
            }
            HeaderValue::Bytes(data) => {
                headers.push(6);
                push_sized(&mut headers, data);
            }
            HeaderValue::String(text) => {
                headers.push(7);
                push_sized(&mut headers, text.as_bytes());
            }
            HeaderValue::Timestamp(v) => {
                headers.push(8);
                headers.extend_from_slice(&v.to_be_bytes());
            }
            HeaderValue::Uuid(v) => {
                headers.push(9);
                headers.extend_from_slice(v);
            }
        }
    }
    let total = PRELUDE_BYTES + headers.len() + frame.payload.len() + 4;
    let start = out.len();
    out.extend_from_slice(&(total as u32).to_be_bytes());
    out.extend_from_slice(&(headers.len() as u32).to_be_bytes());
    let prelude_crc = crc32fast::hash(&out[start..start + 8]);
    out.extend_from_slice(&prelude_crc.to_be_bytes());
    out.extend_from_slice(&headers);
    out.extend_from_slice(&frame.payload);
    let message_crc = crc32fast::hash(&out[start..]);
    out.extend_from_slice(&message_crc.to_be_bytes());
}

fn push_sized(out: &mut Vec<u8>, data: &[u8]) {
    let data = &data[..data.len().min(u16::MAX as usize)];
    out.extend_from_slice(&(data.len() as u16).to_be_bytes());
    out.extend_from_slice(data);
}
