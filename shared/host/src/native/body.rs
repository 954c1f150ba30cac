//! Reading and replacing the body a body callback covers.
//!
//! In a body hook Envoy holds two buffers: the chunk just received and the data buffered so
//! far by earlier `StopAndBuffer`s. The callback covers both, except when Envoy reports that
//! the received chunk *is* the buffered body (an earlier filter buffered it), where it covers
//! the buffered body once. Outside a body hook only the buffered body exists.

use super::abi::{self, BodyType, FilterEnvoyPtr};
use super::ffi::{envoy_chunks, module_buffer};

/// Which side of the stream a body belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Request,
    Response,
}

/// The buffers a callback covers, in stream order.
fn covered(filter: FilterEnvoyPtr, dir: Direction, in_body_hook: bool) -> &'static [BodyType] {
    const REQUEST_BUFFERED: &[BodyType] = &[abi::BODY_BUFFERED_REQUEST];
    const REQUEST_BOTH: &[BodyType] = &[abi::BODY_BUFFERED_REQUEST, abi::BODY_RECEIVED_REQUEST];
    const RESPONSE_BUFFERED: &[BodyType] = &[abi::BODY_BUFFERED_RESPONSE];
    const RESPONSE_BOTH: &[BodyType] = &[abi::BODY_BUFFERED_RESPONSE, abi::BODY_RECEIVED_RESPONSE];
    let (buffered, both) = match dir {
        Direction::Request => (REQUEST_BUFFERED, REQUEST_BOTH),
        Direction::Response => (RESPONSE_BUFFERED, RESPONSE_BOTH),
    };
    if !in_body_hook {
        return buffered;
    }
    // SAFETY: `filter` is the live stream pointer of the current hook.
    let received_is_buffered = unsafe {
        match dir {
            Direction::Request => {
                abi::envoy_dynamic_module_callback_http_received_buffered_request_body(filter)
            }
            Direction::Response => {
                abi::envoy_dynamic_module_callback_http_received_buffered_response_body(filter)
            }
        }
    };
    if received_is_buffered { buffered } else { both }
}

fn append_chunks(filter: FilterEnvoyPtr, body_type: BodyType, out: &mut Vec<u8>) {
    // SAFETY: `filter` is live; the chunk array is sized from Envoy's own count and read
    // before any setter runs.
    unsafe {
        let count = abi::envoy_dynamic_module_callback_http_get_body_chunks_size(filter, body_type);
        if count == 0 {
            return;
        }
        let mut chunks = vec![
            abi::EnvoyBuffer {
                ptr: std::ptr::null(),
                len: 0
            };
            count
        ];
        if abi::envoy_dynamic_module_callback_http_get_body_chunks(
            filter,
            body_type,
            chunks.as_mut_ptr(),
        ) {
            envoy_chunks(chunks.as_ptr(), count, out);
        }
    }
}

/// Number of bytes the current callback covers.
pub fn size(filter: FilterEnvoyPtr, dir: Direction, in_body_hook: bool) -> usize {
    covered(filter, dir, in_body_hook)
        .iter()
        // SAFETY: `filter` is live.
        .map(|t| unsafe { abi::envoy_dynamic_module_callback_http_get_body_size(filter, *t) })
        .sum()
}

/// All bytes the current callback covers.
pub fn read(filter: FilterEnvoyPtr, dir: Direction, in_body_hook: bool) -> Vec<u8> {
    let types = covered(filter, dir, in_body_hook);
    let mut out = Vec::with_capacity(size(filter, dir, in_body_hook));
    for t in types {
        append_chunks(filter, *t, &mut out);
    }
    out
}

/// Replaces exactly what [`read`] returns with `data`. False when Envoy has no body to hold it.
pub fn replace(filter: FilterEnvoyPtr, dir: Direction, in_body_hook: bool, data: &[u8]) -> bool {
    let types = covered(filter, dir, in_body_hook);
    // SAFETY: `filter` is live; `data` outlives the call.
    unsafe {
        for t in types {
            let size = abi::envoy_dynamic_module_callback_http_get_body_size(filter, *t);
            if size > 0 {
                abi::envoy_dynamic_module_callback_http_drain_body(filter, *t, size);
            }
        }
        if data.is_empty() {
            return true;
        }
        // Append to the last covered buffer (the received chunk when there is one, so the
        // data flows on whatever status the filter returns); fall back to the buffered body.
        types.iter().rev().any(|t| {
            abi::envoy_dynamic_module_callback_http_append_body(filter, *t, module_buffer(data))
        })
    }
}
