//! The proxy-wasm ABI calls the host makes, declared here with raw `u32` statuses.
//!
//! The `proxy-wasm` crate's own wrappers panic on any status they do not expect, and a
//! panic traps the VM (every later request on that worker then fails). These wrappers
//! return every status as an error instead, so the adapter can log it and carry on.
//! Callouts are the exception: they go through `proxy_wasm::hostcalls::dispatch_http_call`
//! because the crate's dispatcher must register the token to route the answer.

use super::pairs;
use std::ptr::{null, null_mut};

/// A non-Ok status returned by the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostStatus(pub u32);

impl std::fmt::Display for HostStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self.0 {
            1 => "NotFound",
            2 => "BadArgument",
            3 => "SerializationFailure",
            4 => "ParseFailure",
            7 => "Empty",
            8 => "CasMismatch",
            10 => "InternalFailure",
            12 => "Unimplemented",
            _ => "unknown status",
        };
        write!(f, "{name} ({})", self.0)
    }
}

const OK: u32 = 0;
const NOT_FOUND: u32 = 1;

/// Buffer types of the ABI.
pub const BUFFER_REQUEST_BODY: u32 = 0;
/// Response body buffer.
pub const BUFFER_RESPONSE_BODY: u32 = 1;
/// Body of an HTTP callout response.
pub const BUFFER_CALLOUT_RESPONSE_BODY: u32 = 4;
/// Plugin configuration (`configuration` of the filter config).
pub const BUFFER_PLUGIN_CONFIGURATION: u32 = 7;

/// Request headers map.
pub const MAP_REQUEST_HEADERS: u32 = 0;
/// Response headers map.
pub const MAP_RESPONSE_HEADERS: u32 = 2;
/// Headers of an HTTP callout response.
pub const MAP_CALLOUT_RESPONSE_HEADERS: u32 = 6;

/// Stream type of `proxy_continue_stream`: the request.
pub const STREAM_REQUEST: u32 = 0;
/// Stream type of `proxy_continue_stream`: the response.
pub const STREAM_RESPONSE: u32 = 1;

/// Metric types of `proxy_define_metric`.
pub const METRIC_COUNTER: u32 = 0;
/// Histogram metric type.
pub const METRIC_HISTOGRAM: u32 = 2;

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn proxy_log(level: u32, message_data: *const u8, message_size: usize) -> u32;
    fn proxy_get_current_time_nanoseconds(return_time: *mut u64) -> u32;
    fn proxy_get_buffer_bytes(
        buffer_type: u32,
        start: usize,
        max_size: usize,
        return_data: *mut *mut u8,
        return_size: *mut usize,
    ) -> u32;
    fn proxy_set_buffer_bytes(
        buffer_type: u32,
        start: usize,
        size: usize,
        data: *const u8,
        data_size: usize,
    ) -> u32;
    fn proxy_get_header_map_pairs(
        map_type: u32,
        return_data: *mut *mut u8,
        return_size: *mut usize,
    ) -> u32;
    fn proxy_get_header_map_value(
        map_type: u32,
        key_data: *const u8,
        key_size: usize,
        return_data: *mut *mut u8,
        return_size: *mut usize,
    ) -> u32;
    fn proxy_replace_header_map_value(
        map_type: u32,
        key_data: *const u8,
        key_size: usize,
        value_data: *const u8,
        value_size: usize,
    ) -> u32;
    fn proxy_remove_header_map_value(map_type: u32, key_data: *const u8, key_size: usize) -> u32;
    fn proxy_get_property(
        path_data: *const u8,
        path_size: usize,
        return_data: *mut *mut u8,
        return_size: *mut usize,
    ) -> u32;
    fn proxy_set_property(
        path_data: *const u8,
        path_size: usize,
        value_data: *const u8,
        value_size: usize,
    ) -> u32;
    fn proxy_continue_stream(stream_type: u32) -> u32;
    fn proxy_set_effective_context(context_id: u32) -> u32;
    fn proxy_send_local_response(
        status_code: u32,
        details_data: *const u8,
        details_size: usize,
        body_data: *const u8,
        body_size: usize,
        headers_data: *const u8,
        headers_size: usize,
        grpc_status: i32,
    ) -> u32;
    fn proxy_call_foreign_function(
        name_data: *const u8,
        name_size: usize,
        arguments_data: *const u8,
        arguments_size: usize,
        return_data: *mut *mut u8,
        return_size: *mut usize,
    ) -> u32;
    fn proxy_define_metric(
        metric_type: u32,
        name_data: *const u8,
        name_size: usize,
        return_id: *mut u32,
    ) -> u32;
    fn proxy_increment_metric(metric_id: u32, offset: i64) -> u32;
    fn proxy_record_metric(metric_id: u32, value: u64) -> u32;
}

fn check(status: u32) -> Result<(), HostStatus> {
    if status == OK {
        Ok(())
    } else {
        Err(HostStatus(status))
    }
}

/// Takes ownership of memory the host filled through `proxy_on_memory_allocate`.
///
/// # Safety
/// `data` must be null or a block of exactly `size` bytes from that allocator.
unsafe fn take_returned(data: *mut u8, size: usize) -> Vec<u8> {
    if data.is_null() {
        return Vec::new();
    }
    // SAFETY: the proxy-wasm allocator hands out a boxed slice of exactly `size` bytes,
    // which has the layout of a Vec with length and capacity `size`.
    unsafe { Vec::from_raw_parts(data, size, size) }
}

/// Writes a log line (errors are ignored: there is nowhere else to report them).
pub fn log(level: u32, message: &str) {
    // SAFETY: pointer and length describe a live string.
    let _ = unsafe { proxy_log(level, message.as_ptr(), message.len()) };
}

/// Wall-clock time in nanoseconds since the Unix epoch.
pub fn current_time_nanos() -> Result<u64, HostStatus> {
    let mut nanos = 0u64;
    // SAFETY: the host writes one u64 through a valid pointer.
    check(unsafe { proxy_get_current_time_nanoseconds(&mut nanos) })?;
    Ok(nanos)
}

/// Reads `max_size` bytes of a buffer from `start`; an absent buffer reads as empty.
pub fn get_buffer(buffer_type: u32, start: usize, max_size: usize) -> Result<Vec<u8>, HostStatus> {
    let mut data = null_mut();
    let mut size = 0usize;
    // SAFETY: out-pointers are valid; returned memory comes from our allocator.
    let status =
        unsafe { proxy_get_buffer_bytes(buffer_type, start, max_size, &mut data, &mut size) };
    match status {
        OK => Ok(unsafe { take_returned(data, size) }),
        NOT_FOUND => Ok(Vec::new()),
        other => Err(HostStatus(other)),
    }
}

/// Replaces `size` bytes of a buffer from `start` with `value`.
pub fn set_buffer(
    buffer_type: u32,
    start: usize,
    size: usize,
    value: &[u8],
) -> Result<(), HostStatus> {
    // SAFETY: pointer and length describe a live slice.
    check(unsafe { proxy_set_buffer_bytes(buffer_type, start, size, value.as_ptr(), value.len()) })
}

/// All entries of a header map (names as the host gives them, values lossily UTF-8).
pub fn get_map(map_type: u32) -> Result<Vec<(String, String)>, HostStatus> {
    let mut data = null_mut();
    let mut size = 0usize;
    // SAFETY: out-pointers are valid; returned memory comes from our allocator.
    check(unsafe { proxy_get_header_map_pairs(map_type, &mut data, &mut size) })?;
    let bytes = unsafe { take_returned(data, size) };
    pairs::decode(&bytes).ok_or(HostStatus(3))
}

/// One header value, `None` when absent.
pub fn get_map_value(map_type: u32, key: &str) -> Result<Option<String>, HostStatus> {
    let mut data = null_mut();
    let mut size = 0usize;
    // SAFETY: key is a live string; out-pointers are valid.
    let status = unsafe {
        proxy_get_header_map_value(map_type, key.as_ptr(), key.len(), &mut data, &mut size)
    };
    match status {
        OK if data.is_null() => Ok(None),
        OK => {
            let bytes = unsafe { take_returned(data, size) };
            Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
        }
        NOT_FOUND => Ok(None),
        other => Err(HostStatus(other)),
    }
}

/// Sets (replaces) one header.
pub fn replace_map_value(map_type: u32, key: &str, value: &str) -> Result<(), HostStatus> {
    // SAFETY: key and value are live strings.
    check(unsafe {
        proxy_replace_header_map_value(
            map_type,
            key.as_ptr(),
            key.len(),
            value.as_ptr(),
            value.len(),
        )
    })
}

/// Removes one header.
pub fn remove_map_value(map_type: u32, key: &str) -> Result<(), HostStatus> {
    // SAFETY: key is a live string.
    check(unsafe { proxy_remove_header_map_value(map_type, key.as_ptr(), key.len()) })
}

/// Sets a property (Envoy: filter state `wasm.<path>`) from a one-segment path.
pub fn set_property(path: &str, value: &[u8]) -> Result<(), HostStatus> {
    // SAFETY: path and value are live.
    check(unsafe { proxy_set_property(path.as_ptr(), path.len(), value.as_ptr(), value.len()) })
}

/// Reads a property from a one-segment path (Envoy falls back to filter state
/// `wasm.<path>` for names that are not built-in attributes); `None` when absent.
pub fn get_property(path: &str) -> Result<Option<Vec<u8>>, HostStatus> {
    let mut data = null_mut();
    let mut size = 0usize;
    // SAFETY: path is a live string; out-pointers are valid.
    let status = unsafe { proxy_get_property(path.as_ptr(), path.len(), &mut data, &mut size) };
    match status {
        OK if data.is_null() => Ok(None),
        OK => Ok(Some(unsafe { take_returned(data, size) })),
        NOT_FOUND => Ok(None),
        other => Err(HostStatus(other)),
    }
}

/// Resumes a paused request or response.
pub fn continue_stream(stream_type: u32) -> Result<(), HostStatus> {
    // SAFETY: plain value call.
    check(unsafe { proxy_continue_stream(stream_type) })
}

/// Makes `context_id` the context later host calls act on, until the callback returns.
pub fn set_effective_context(context_id: u32) -> Result<(), HostStatus> {
    // SAFETY: plain value call.
    check(unsafe { proxy_set_effective_context(context_id) })
}

/// Sends a local reply.
pub fn send_local_response(
    status: u32,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<(), HostStatus> {
    let serialized = pairs::encode(headers);
    // SAFETY: all pointers describe live data; `-1` means "not a gRPC reply".
    check(unsafe {
        proxy_send_local_response(
            status,
            null(),
            0,
            body.as_ptr(),
            body.len(),
            serialized.as_ptr(),
            serialized.len(),
            -1,
        )
    })
}

/// Calls an Envoy foreign function without arguments, dropping any result.
pub fn call_foreign_function(name: &str) -> Result<(), HostStatus> {
    let mut data = null_mut();
    let mut size = 0usize;
    // SAFETY: name is live; out-pointers are valid; returned memory comes from our allocator.
    let status = unsafe {
        proxy_call_foreign_function(name.as_ptr(), name.len(), null(), 0, &mut data, &mut size)
    };
    drop(unsafe { take_returned(data, size) });
    check(status)
}

/// Defines (or looks up) a metric by full name.
pub fn define_metric(metric_type: u32, name: &str) -> Result<u32, HostStatus> {
    let mut id = 0u32;
    // SAFETY: name is live; out-pointer is valid.
    check(unsafe { proxy_define_metric(metric_type, name.as_ptr(), name.len(), &mut id) })?;
    Ok(id)
}

/// Adds to a counter.
pub fn increment_metric(id: u32, offset: i64) -> Result<(), HostStatus> {
    // SAFETY: plain value call.
    check(unsafe { proxy_increment_metric(id, offset) })
}

/// Records a histogram value.
pub fn record_metric(id: u32, value: u64) -> Result<(), HostStatus> {
    // SAFETY: plain value call.
    check(unsafe { proxy_record_metric(id, value) })
}
