//! [`Host`] over the dynamic-module ABI, for the duration of one hook.

use super::abi::{self, FilterEnvoyPtr, HeaderType};
use super::body::{self, Direction};
use super::ffi::{envoy_headers, envoy_string, module_buffer, module_headers, null_buffer};
use super::state::{Phase, Shared, StreamState};
use super::waker::SchedulerWaker;
use super::{callout, log, metrics};
use crate::{Host, LogLevel, MetadataValue, MetricId, Waker};
use std::time::{Duration, SystemTime};

/// Dynamic metadata namespace of the gateway.
pub const METADATA_NAMESPACE: &str = "io.envoy.ai_gateway";
/// Response code details attached to local replies.
const LOCAL_REPLY_DETAILS: &str = "aigw_filter_local_reply";

/// The host handle a filter receives in one hook.
pub struct NativeHost<'a> {
    pub(super) envoy: FilterEnvoyPtr,
    pub(super) state: &'a mut StreamState,
    pub(super) shared: &'a Shared,
    pub(super) phase: Phase,
}

/// The first value of header `name` of the stream `envoy` (a live stream pointer of the
/// current hook).
pub fn get_header(envoy: FilterEnvoyPtr, header_type: HeaderType, name: &str) -> Option<String> {
    let mut out = abi::EnvoyBuffer {
        ptr: std::ptr::null(),
        len: 0,
    };
    // SAFETY: `envoy` is the live stream pointer of the current hook; the returned buffer is
    // copied before any setter runs.
    unsafe {
        let found = abi::envoy_dynamic_module_callback_http_get_header(
            envoy,
            header_type,
            module_buffer(name.as_bytes()),
            &mut out,
            0,
            std::ptr::null_mut(),
        );
        (found && !out.ptr.is_null()).then(|| envoy_string(out))
    }
}

impl NativeHost<'_> {
    fn get_header(&self, header_type: HeaderType, name: &str) -> Option<String> {
        get_header(self.envoy, header_type, name)
    }

    fn get_headers(&self, header_type: HeaderType) -> Vec<(String, String)> {
        // SAFETY: as in `get_header`; the array is sized from Envoy's own count.
        unsafe {
            let count =
                abi::envoy_dynamic_module_callback_http_get_headers_size(self.envoy, header_type);
            if count == 0 {
                return Vec::new();
            }
            let mut raw = vec![
                abi::EnvoyHeader {
                    key_ptr: std::ptr::null(),
                    key_len: 0,
                    value_ptr: std::ptr::null(),
                    value_len: 0,
                };
                count
            ];
            if !abi::envoy_dynamic_module_callback_http_get_headers(
                self.envoy,
                header_type,
                raw.as_mut_ptr(),
            ) {
                return Vec::new();
            }
            envoy_headers(raw.as_ptr(), count)
        }
    }

    /// Sets (`Some`) or removes (`None`) a header if Envoy can still honour it.
    fn write_header(&mut self, header_type: HeaderType, name: &str, value: Option<&str>) {
        let (open, side) = if header_type == abi::HEADER_REQUEST {
            (self.state.request_headers_open, "request")
        } else {
            (self.state.response_headers_open, "response")
        };
        if !open {
            self.log(
                LogLevel::Warn,
                &format!(
                    "ignored change of {side} header `{name}`: the {side} headers were already sent"
                ),
            );
            return;
        }
        let value = value.map_or_else(null_buffer, |v| module_buffer(v.as_bytes()));
        // SAFETY: `envoy` is live; buffers outlive the call.
        let ok = unsafe {
            abi::envoy_dynamic_module_callback_http_set_header(
                self.envoy,
                header_type,
                module_buffer(name.as_bytes()),
                value,
            )
        };
        if !ok {
            self.log(
                LogLevel::Warn,
                &format!(
                    "ignored change of {side} header `{name}`: Envoy has no {side} headers now"
                ),
            );
        }
    }

    fn body_phase(&self, dir: Direction) -> bool {
        self.phase == Phase::Body(dir)
    }

    fn write_body(&mut self, dir: Direction, data: &[u8]) {
        let in_hook = self.body_phase(dir);
        let old_len = body::size(self.envoy, dir, in_hook);
        if !body::replace(self.envoy, dir, in_hook, data) {
            self.log(
                LogLevel::Warn,
                &format!("ignored body replacement: Envoy holds no {dir:?} body now"),
            );
            return;
        }
        if data.len() != old_len {
            self.fix_content_length(dir, data.len());
        }
    }

    /// After a body change of size, while the headers are still held: at end of stream the
    /// data is the whole body, so its length is the new `content-length`; before the end the
    /// final length is unknown and the header is dropped (chunked). Same rule as the wasm host.
    fn fix_content_length(&mut self, dir: Direction, len: usize) {
        let (open, ended, header_type) = match dir {
            Direction::Request => (
                self.state.request_headers_open,
                self.state.request_end_seen,
                abi::HEADER_REQUEST,
            ),
            Direction::Response => (
                self.state.response_headers_open,
                self.state.response_end_seen,
                abi::HEADER_RESPONSE,
            ),
        };
        if !open || self.get_header(header_type, "content-length").is_none() {
            return;
        }
        let len = len.to_string();
        let value = ended.then_some(len.as_str());
        self.write_header(header_type, "content-length", value);
    }
}

impl Host for NativeHost<'_> {
    fn request_header(&self, name: &str) -> Option<String> {
        self.get_header(abi::HEADER_REQUEST, name)
    }

    fn request_headers(&self) -> Vec<(String, String)> {
        self.get_headers(abi::HEADER_REQUEST)
    }

    fn set_request_header(&mut self, name: &str, value: &str) {
        self.write_header(abi::HEADER_REQUEST, name, Some(value));
    }

    fn remove_request_header(&mut self, name: &str) {
        self.write_header(abi::HEADER_REQUEST, name, None);
    }

    fn response_header(&self, name: &str) -> Option<String> {
        self.get_header(abi::HEADER_RESPONSE, name)
    }

    fn response_headers(&self) -> Vec<(String, String)> {
        self.get_headers(abi::HEADER_RESPONSE)
    }

    fn set_response_header(&mut self, name: &str, value: &str) {
        self.write_header(abi::HEADER_RESPONSE, name, Some(value));
    }

    fn remove_response_header(&mut self, name: &str) {
        self.write_header(abi::HEADER_RESPONSE, name, None);
    }

    fn request_body(&self) -> Vec<u8> {
        body::read(
            self.envoy,
            Direction::Request,
            self.body_phase(Direction::Request),
        )
    }

    fn set_request_body(&mut self, body: &[u8]) {
        self.write_body(Direction::Request, body);
    }

    fn response_body(&self) -> Vec<u8> {
        body::read(
            self.envoy,
            Direction::Response,
            self.body_phase(Direction::Response),
        )
    }

    fn set_response_body(&mut self, body: &[u8]) {
        self.write_body(Direction::Response, body);
    }

    fn clear_route_cache(&mut self) {
        // SAFETY: `envoy` is live; Envoy makes this a no-op in the wrong phase.
        unsafe { abi::envoy_dynamic_module_callback_http_clear_route_cache(self.envoy) }
    }

    fn continue_request(&mut self) {
        self.state.request_headers_open = false;
        // SAFETY: `envoy` is live.
        unsafe { abi::envoy_dynamic_module_callback_http_filter_continue_decoding(self.envoy) }
    }

    fn continue_response(&mut self) {
        self.state.response_headers_open = false;
        self.state.response_headers_sent = true;
        // SAFETY: `envoy` is live.
        unsafe { abi::envoy_dynamic_module_callback_http_filter_continue_encoding(self.envoy) }
    }

    fn send_local_reply(&mut self, status: u16, headers: &[(&str, &str)], body: &[u8]) {
        if self.state.response_headers_sent || self.state.local_reply_sent {
            self.log(
                LogLevel::Warn,
                &format!("ignored local reply {status}: a response was already sent"),
            );
            return;
        }
        send_response(self.envoy, status, headers, body);
        self.state.local_reply_sent = true;
        self.state.request_headers_open = false;
        self.state.response_headers_open = false;
    }

    fn set_metadata(&mut self, key: &str, value: MetadataValue) {
        let ns = module_buffer(METADATA_NAMESPACE.as_bytes());
        let k = module_buffer(key.as_bytes());
        // SAFETY: `envoy` is live; buffers outlive the calls.
        unsafe {
            match &value {
                MetadataValue::Str(s) => {
                    abi::envoy_dynamic_module_callback_http_set_dynamic_metadata_string(
                        self.envoy,
                        ns,
                        k,
                        module_buffer(s.as_bytes()),
                    )
                }
                MetadataValue::Num(n) => {
                    abi::envoy_dynamic_module_callback_http_set_dynamic_metadata_number(
                        self.envoy, ns, k, *n,
                    )
                }
            }
        }
    }

    fn filter_state(&self, key: &str) -> Option<Vec<u8>> {
        let mut out = abi::EnvoyBuffer {
            ptr: std::ptr::null(),
            len: 0,
        };
        // SAFETY: `envoy` is live; the returned bytes are copied before any setter runs.
        unsafe {
            let found = abi::envoy_dynamic_module_callback_http_get_filter_state_bytes(
                self.envoy,
                module_buffer(key.as_bytes()),
                &mut out,
            );
            (found && !out.ptr.is_null())
                .then(|| std::slice::from_raw_parts(out.ptr, out.len).to_vec())
        }
    }

    fn set_filter_state(&mut self, key: &str, value: &[u8]) {
        // SAFETY: `envoy` is live; buffers outlive the call.
        let stored = unsafe {
            abi::envoy_dynamic_module_callback_http_set_filter_state_bytes(
                self.envoy,
                module_buffer(key.as_bytes()),
                module_buffer(value),
            )
        };
        if !stored {
            self.log(
                LogLevel::Warn,
                &format!("filter state {key} was not stored"),
            );
        }
    }

    fn record_metric(&mut self, id: MetricId, labels: &[&str], value: u64) {
        if let Err(e) = metrics::record(self.envoy, &self.shared.metrics, id, labels, value) {
            self.log(LogLevel::Warn, &e);
        }
    }

    fn http_callout(
        &mut self,
        cluster: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        timeout: Duration,
    ) -> Result<u32, String> {
        callout::start(self.envoy, cluster, headers, body, timeout)
    }

    fn waker(&mut self) -> Box<dyn Waker> {
        Box::new(SchedulerWaker::new(self.envoy))
    }

    fn log(&self, level: LogLevel, message: &str) {
        log::log(self.shared.name, level, message);
    }

    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Sends a local reply on the stream.
pub fn send_response(envoy: FilterEnvoyPtr, status: u16, headers: &[(&str, &str)], body: &[u8]) {
    let raw = module_headers(headers);
    // SAFETY: `envoy` is live; all buffers outlive the call.
    unsafe {
        abi::envoy_dynamic_module_callback_http_send_response(
            envoy,
            u32::from(status),
            raw.as_ptr(),
            raw.len(),
            module_buffer(body),
            module_buffer(LOCAL_REPLY_DETAILS.as_bytes()),
        )
    }
}
