//! [`Host`] on proxy-wasm: every call is checked against the stream state first and every
//! host error is logged, so nothing a filter does can trap the VM.

use super::abi::{self, HostStatus};
use super::metrics::Metrics;
use super::state::{Phase, StreamState};
use super::wake::ContextWaker;
use crate::{Host, LogLevel, MetadataValue, MetricId, Waker};
use std::cell::RefCell;
use std::time::{Duration, SystemTime};

/// Filter-state prefix of the gateway namespace (readable as `wasm.io.envoy.ai_gateway.<key>`).
const METADATA_PREFIX: &str = "io.envoy.ai_gateway.";

/// Writes one log line through Envoy's logger.
pub fn log_line(level: LogLevel, message: &str) {
    let level = match level {
        LogLevel::Trace => 0,
        LogLevel::Debug => 1,
        LogLevel::Info => 2,
        LogLevel::Warn => 3,
        LogLevel::Error => 4,
    };
    abi::log(level, message);
}

/// The per-callback host handle given to a filter.
pub struct WasmHost<'a> {
    /// Stream state, updated by the calls the filter makes.
    pub state: &'a mut StreamState,
    /// Metrics of the plugin this stream belongs to.
    pub metrics: &'a RefCell<Metrics>,
}

impl WasmHost<'_> {
    pub(super) fn ignored(&self, call: &str, why: &str) {
        log_line(LogLevel::Warn, &format!("{call} ignored: {why}"));
    }

    pub(super) fn refused(&self, call: &str, status: HostStatus) {
        log_line(LogLevel::Warn, &format!("{call}: host refused: {status}"));
    }

    pub(super) fn read_header(&self, map: u32, name: &str) -> Option<String> {
        abi::get_map_value(map, name).unwrap_or_else(|status| {
            log_line(
                LogLevel::Debug,
                &format!("header `{name}` unreadable: {status}"),
            );
            None
        })
    }

    fn read_headers(&self, map: u32) -> Vec<(String, String)> {
        abi::get_map(map).unwrap_or_else(|status| {
            log_line(LogLevel::Debug, &format!("headers unreadable: {status}"));
            Vec::new()
        })
    }

    fn write_header(&mut self, call: &str, map: u32, name: &str, value: Option<&str>) {
        let writable = if map == abi::MAP_REQUEST_HEADERS {
            self.state.request_headers_writable()
        } else {
            self.state.response_headers_writable()
        };
        if !writable {
            self.ignored(call, &format!("headers of `{name}` already sent or absent"));
            return;
        }
        let result = match value {
            Some(value) => abi::replace_map_value(map, name, value),
            None => abi::remove_map_value(map, name),
        };
        if let Err(status) = result {
            self.refused(call, status);
        }
    }

    fn resume(&mut self, request: bool) {
        let call = if request {
            "continue_request"
        } else {
            "continue_response"
        };
        let paused = if request {
            self.state.request_paused
        } else {
            self.state.response_paused
        };
        let in_own_callback = match self.state.phase {
            Phase::RequestHeaders | Phase::RequestBody { .. } => request,
            Phase::ResponseHeaders | Phase::ResponseBody { .. } => !request,
            Phase::Idle => false,
        };
        let refusal = if in_own_callback {
            Some("return a continue status from the callback instead")
        } else if self.state.local_reply_sent || self.state.complete {
            Some("the stream was answered or has ended")
        } else if !paused {
            Some("that direction is not paused")
        } else {
            None
        };
        if let Some(why) = refusal {
            self.ignored(call, why);
            return;
        }
        let stream = if request {
            abi::STREAM_REQUEST
        } else {
            abi::STREAM_RESPONSE
        };
        if let Err(status) = abi::continue_stream(stream) {
            self.refused(call, status);
            return;
        }
        if request {
            self.state.request_paused = false;
            self.state.request_headers_sent = true;
            self.state.request_held = None;
            self.state.request_awaiting_body = None;
        } else {
            self.state.response_paused = false;
            self.state.response_headers_sent = true;
            self.state.response_held = None;
            self.state.response_awaiting_body = None;
        }
    }
}

impl Host for WasmHost<'_> {
    fn request_header(&self, name: &str) -> Option<String> {
        self.read_header(abi::MAP_REQUEST_HEADERS, name)
    }

    fn request_headers(&self) -> Vec<(String, String)> {
        self.read_headers(abi::MAP_REQUEST_HEADERS)
    }

    fn set_request_header(&mut self, name: &str, value: &str) {
        self.write_header(
            "set_request_header",
            abi::MAP_REQUEST_HEADERS,
            name,
            Some(value),
        );
    }

    fn remove_request_header(&mut self, name: &str) {
        self.write_header(
            "remove_request_header",
            abi::MAP_REQUEST_HEADERS,
            name,
            None,
        );
    }

    fn response_header(&self, name: &str) -> Option<String> {
        if !self.state.response_headers_received {
            return None;
        }
        self.read_header(abi::MAP_RESPONSE_HEADERS, name)
    }

    fn response_headers(&self) -> Vec<(String, String)> {
        if !self.state.response_headers_received {
            return Vec::new();
        }
        self.read_headers(abi::MAP_RESPONSE_HEADERS)
    }

    fn set_response_header(&mut self, name: &str, value: &str) {
        self.write_header(
            "set_response_header",
            abi::MAP_RESPONSE_HEADERS,
            name,
            Some(value),
        );
    }

    fn remove_response_header(&mut self, name: &str) {
        self.write_header(
            "remove_response_header",
            abi::MAP_RESPONSE_HEADERS,
            name,
            None,
        );
    }

    fn request_body(&self) -> Vec<u8> {
        self.read_body(true)
    }

    fn set_request_body(&mut self, body: &[u8]) {
        self.write_body(true, body);
    }

    fn response_body(&self) -> Vec<u8> {
        self.read_body(false)
    }

    fn set_response_body(&mut self, body: &[u8]) {
        self.write_body(false, body);
    }

    fn clear_route_cache(&mut self) {
        if self.state.request_headers_sent || self.state.complete {
            self.ignored("clear_route_cache", "the route is already in use");
            return;
        }
        if let Err(status) = abi::call_foreign_function("clear_route_cache") {
            self.refused("clear_route_cache", status);
        }
    }

    fn continue_request(&mut self) {
        self.resume(true);
    }

    fn continue_response(&mut self) {
        self.resume(false);
    }

    fn send_local_reply(&mut self, status: u16, headers: &[(&str, &str)], body: &[u8]) {
        if !self.state.can_send_local_reply() {
            self.ignored("send_local_reply", "a response is already on its way");
            return;
        }
        match abi::send_local_response(u32::from(status), headers, body) {
            Ok(()) => self.state.local_reply_sent = true,
            Err(status) => self.refused("send_local_reply", status),
        }
    }

    fn set_metadata(&mut self, key: &str, value: MetadataValue) {
        let text = match value {
            MetadataValue::Str(text) => text,
            MetadataValue::Num(number) => number.to_string(),
        };
        let path = format!("{METADATA_PREFIX}{key}");
        if let Err(status) = abi::set_property(&path, text.as_bytes()) {
            self.refused("set_metadata", status);
        }
    }

    fn filter_state(&self, key: &str) -> Option<Vec<u8>> {
        match abi::get_property(key) {
            Ok(value) => value,
            Err(status) => {
                self.refused("filter_state", status);
                None
            }
        }
    }

    fn set_filter_state(&mut self, key: &str, value: &[u8]) {
        if let Err(status) = abi::set_property(key, value) {
            self.refused("set_filter_state", status);
        }
    }

    fn record_metric(&mut self, id: MetricId, labels: &[&str], value: u64) {
        match self.metrics.try_borrow_mut() {
            Ok(mut metrics) => metrics.record(id, labels, value),
            Err(_) => self.ignored("record_metric", "metrics are busy"),
        }
    }

    fn http_callout(
        &mut self,
        cluster: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        timeout: Duration,
    ) -> Result<u32, String> {
        if self.state.complete {
            return Err("http_callout: the stream has ended".to_string());
        }
        let timeout = timeout.min(Duration::from_millis(i32::MAX as u64));
        let body = (!body.is_empty()).then_some(body);
        proxy_wasm::hostcalls::dispatch_http_call(
            cluster,
            headers.to_vec(),
            body,
            Vec::new(),
            timeout,
        )
        .map_err(|status| {
            let why = match status {
                proxy_wasm::types::Status::BadArgument => {
                    "unknown cluster or missing :method/:path/:authority"
                }
                _ => "the request could not start (no healthy upstream?)",
            };
            format!("http_callout to cluster `{cluster}` refused ({status:?}): {why}")
        })
    }

    fn waker(&mut self) -> Box<dyn Waker> {
        Box::new(ContextWaker(self.state.context_id))
    }

    fn log(&self, level: LogLevel, message: &str) {
        log_line(level, message);
    }

    fn now(&self) -> SystemTime {
        match abi::current_time_nanos() {
            Ok(nanos) => SystemTime::UNIX_EPOCH + Duration::from_nanos(nanos),
            Err(status) => {
                log_line(
                    LogLevel::Warn,
                    &format!("current time unavailable: {status}"),
                );
                SystemTime::now()
            }
        }
    }
}
