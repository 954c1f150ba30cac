//! Conversions between Rust data and the ABI's buffer and header structs.

use super::abi::{EnvoyBuffer, EnvoyHeader, ModuleBuffer, ModuleHeader};

/// Lends `bytes` to Envoy for the duration of one call.
pub fn module_buffer(bytes: &[u8]) -> ModuleBuffer {
    ModuleBuffer {
        ptr: bytes.as_ptr(),
        len: bytes.len(),
    }
}

/// A null module buffer (for optional ABI arguments, and "remove" in header setters).
pub fn null_buffer() -> ModuleBuffer {
    ModuleBuffer {
        ptr: std::ptr::null(),
        len: 0,
    }
}

/// Lends `(name, value)` pairs to Envoy as ABI headers; the pairs must outlive the call.
pub fn module_headers(headers: &[(&str, &str)]) -> Vec<ModuleHeader> {
    headers
        .iter()
        .map(|(k, v)| ModuleHeader {
            key_ptr: k.as_ptr(),
            key_len: k.len(),
            value_ptr: v.as_ptr(),
            value_len: v.len(),
        })
        .collect()
}

/// Views bytes owned by Envoy.
///
/// # Safety
/// `ptr` must be null or point to `len` readable bytes that stay valid for `'a`.
pub unsafe fn envoy_bytes<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if ptr.is_null() || len == 0 {
        &[]
    } else {
        // SAFETY: guaranteed by the caller.
        unsafe { std::slice::from_raw_parts(ptr, len) }
    }
}

/// Copies an Envoy buffer into a string (invalid UTF-8 replaced).
///
/// # Safety
/// As [`envoy_bytes`].
pub unsafe fn envoy_string(buffer: EnvoyBuffer) -> String {
    // SAFETY: guaranteed by the caller.
    String::from_utf8_lossy(unsafe { envoy_bytes(buffer.ptr, buffer.len) }).into_owned()
}

/// Copies an array of Envoy headers into owned `(name, value)` pairs.
///
/// # Safety
/// `headers` must be null or point to `len` valid headers whose buffers are valid.
pub unsafe fn envoy_headers(headers: *const EnvoyHeader, len: usize) -> Vec<(String, String)> {
    if headers.is_null() || len == 0 {
        return Vec::new();
    }
    // SAFETY: guaranteed by the caller.
    let headers = unsafe { std::slice::from_raw_parts(headers, len) };
    headers
        .iter()
        .map(|h| {
            // SAFETY: guaranteed by the caller.
            let (k, v) = unsafe {
                (
                    envoy_bytes(h.key_ptr, h.key_len),
                    envoy_bytes(h.value_ptr, h.value_len),
                )
            };
            (
                String::from_utf8_lossy(k).into_owned(),
                String::from_utf8_lossy(v).into_owned(),
            )
        })
        .collect()
}

/// Concatenates an array of Envoy buffers.
///
/// # Safety
/// `chunks` must be null or point to `len` valid buffers.
pub unsafe fn envoy_chunks(chunks: *const EnvoyBuffer, len: usize, out: &mut Vec<u8>) {
    if chunks.is_null() || len == 0 {
        return;
    }
    // SAFETY: guaranteed by the caller.
    let chunks = unsafe { std::slice::from_raw_parts(chunks, len) };
    for c in chunks {
        // SAFETY: guaranteed by the caller.
        out.extend_from_slice(unsafe { envoy_bytes(c.ptr, c.len) });
    }
}
