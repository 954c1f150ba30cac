//! Our own declarations of the Envoy 1.40 dynamic-module ABI (version `v0.2.0`), limited to
//! what the native host uses. Written from Envoy's `source/extensions/dynamic_modules/abi/abi.h`;
//! `tests/native_abi_symbols.rs` checks every callback declared here against the symbols the
//! Envoy binary exports.
//!
//! C enums cross the boundary as `u32` with named constants, so an unexpected value from
//! Envoy can never be undefined behaviour on our side.

use std::ffi::c_void;

/// ABI version string returned from `envoy_dynamic_module_on_program_init` (NUL-terminated).
pub const ABI_VERSION: &[u8] = b"v0.2.0\0";

/// Envoy's per-config object (`DynamicModuleHttpFilterConfig`).
pub type ConfigEnvoyPtr = *mut c_void;
/// Envoy's per-stream filter object (`DynamicModuleHttpFilter`).
pub type FilterEnvoyPtr = *mut c_void;

/// Bytes owned by the module, lent to Envoy for the duration of a call.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ModuleBuffer {
    pub ptr: *const u8,
    pub len: usize,
}

/// Bytes owned by Envoy, valid until the end of the current hook (or the next setter call).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct EnvoyBuffer {
    pub ptr: *const u8,
    pub len: usize,
}

/// A scheduler of one stream (`DynamicModuleHttpFilterScheduler`), owned by the module:
/// created by `..._scheduler_new`, released by `..._scheduler_delete`. Envoy holds the
/// stream weakly, so committing after the stream ended does nothing.
pub type SchedulerPtr = *mut c_void;

/// A header owned by the module.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ModuleHeader {
    pub key_ptr: *const u8,
    pub key_len: usize,
    pub value_ptr: *const u8,
    pub value_len: usize,
}

/// A header owned by Envoy.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct EnvoyHeader {
    pub key_ptr: *const u8,
    pub key_len: usize,
    pub value_ptr: *const u8,
    pub value_len: usize,
}

/// `envoy_dynamic_module_type_http_header_type`.
pub type HeaderType = u32;
pub const HEADER_REQUEST: HeaderType = 0;
pub const HEADER_RESPONSE: HeaderType = 2;

/// `envoy_dynamic_module_type_http_body_type`.
pub type BodyType = u32;
pub const BODY_RECEIVED_REQUEST: BodyType = 0;
pub const BODY_BUFFERED_REQUEST: BodyType = 1;
pub const BODY_RECEIVED_RESPONSE: BodyType = 2;
pub const BODY_BUFFERED_RESPONSE: BodyType = 3;

/// `envoy_dynamic_module_type_log_level`.
pub type AbiLogLevel = u32;
pub const LOG_TRACE: AbiLogLevel = 0;
pub const LOG_DEBUG: AbiLogLevel = 1;
pub const LOG_INFO: AbiLogLevel = 2;
pub const LOG_WARN: AbiLogLevel = 3;
pub const LOG_ERROR: AbiLogLevel = 4;

/// Request/response headers status returned from the headers hooks.
pub const HEADERS_CONTINUE: u32 = 0;
pub const HEADERS_STOP_ITERATION: u32 = 1;

/// Request/response body status returned from the body hooks.
pub const BODY_CONTINUE: u32 = 0;
pub const BODY_STOP_AND_BUFFER: u32 = 1;
pub const BODY_STOP_NO_BUFFER: u32 = 3;

/// Request/response trailers status returned from the trailers hooks.
pub const TRAILERS_CONTINUE: u32 = 0;
pub const TRAILERS_STOP_ITERATION: u32 = 1;

/// `envoy_dynamic_module_type_http_callout_init_result`.
pub type CalloutInitResult = u32;
pub const CALLOUT_INIT_SUCCESS: CalloutInitResult = 0;
pub const CALLOUT_INIT_MISSING_HEADERS: CalloutInitResult = 1;
pub const CALLOUT_INIT_CLUSTER_NOT_FOUND: CalloutInitResult = 2;
pub const CALLOUT_INIT_DUPLICATE_ID: CalloutInitResult = 3;
pub const CALLOUT_INIT_CANNOT_CREATE: CalloutInitResult = 4;

/// `envoy_dynamic_module_type_http_callout_result`.
pub type CalloutResultCode = u32;
pub const CALLOUT_SUCCESS: CalloutResultCode = 0;
pub const CALLOUT_RESET: CalloutResultCode = 1;
pub const CALLOUT_EXCEED_BUFFER_LIMIT: CalloutResultCode = 2;

/// `envoy_dynamic_module_type_metrics_result`.
pub type MetricsResult = u32;
pub const METRICS_SUCCESS: MetricsResult = 0;
pub const METRICS_NOT_FOUND: MetricsResult = 1;
pub const METRICS_INVALID_LABELS: MetricsResult = 2;
pub const METRICS_FROZEN: MetricsResult = 3;

unsafe extern "C" {
    // ---- logging ----
    pub fn envoy_dynamic_module_callback_log(level: AbiLogLevel, message: ModuleBuffer);
    pub fn envoy_dynamic_module_callback_log_enabled(level: AbiLogLevel) -> bool;

    // ---- metrics (labelled definitions; label values given when recording) ----
    pub fn envoy_dynamic_module_callback_http_filter_config_define_counter(
        config: ConfigEnvoyPtr,
        name: ModuleBuffer,
        label_names: *const ModuleBuffer,
        label_names_len: usize,
        id_out: *mut usize,
    ) -> MetricsResult;
    pub fn envoy_dynamic_module_callback_http_filter_config_define_histogram(
        config: ConfigEnvoyPtr,
        name: ModuleBuffer,
        label_names: *const ModuleBuffer,
        label_names_len: usize,
        id_out: *mut usize,
    ) -> MetricsResult;
    pub fn envoy_dynamic_module_callback_http_filter_increment_counter(
        filter: FilterEnvoyPtr,
        id: usize,
        label_values: *const ModuleBuffer,
        label_values_len: usize,
        value: u64,
    ) -> MetricsResult;
    pub fn envoy_dynamic_module_callback_http_filter_record_histogram_value(
        filter: FilterEnvoyPtr,
        id: usize,
        label_values: *const ModuleBuffer,
        label_values_len: usize,
        value: u64,
    ) -> MetricsResult;

    // ---- headers ----
    pub fn envoy_dynamic_module_callback_http_get_header(
        filter: FilterEnvoyPtr,
        header_type: HeaderType,
        key: ModuleBuffer,
        result: *mut EnvoyBuffer,
        index: usize,
        count_out: *mut usize,
    ) -> bool;
    pub fn envoy_dynamic_module_callback_http_get_headers_size(
        filter: FilterEnvoyPtr,
        header_type: HeaderType,
    ) -> usize;
    pub fn envoy_dynamic_module_callback_http_get_headers(
        filter: FilterEnvoyPtr,
        header_type: HeaderType,
        result: *mut EnvoyHeader,
    ) -> bool;
    /// Sets (replaces) a header; a null `value.ptr` removes it.
    pub fn envoy_dynamic_module_callback_http_set_header(
        filter: FilterEnvoyPtr,
        header_type: HeaderType,
        key: ModuleBuffer,
        value: ModuleBuffer,
    ) -> bool;

    // ---- bodies ----
    pub fn envoy_dynamic_module_callback_http_get_body_chunks_size(
        filter: FilterEnvoyPtr,
        body_type: BodyType,
    ) -> usize;
    pub fn envoy_dynamic_module_callback_http_get_body_chunks(
        filter: FilterEnvoyPtr,
        body_type: BodyType,
        result: *mut EnvoyBuffer,
    ) -> bool;
    pub fn envoy_dynamic_module_callback_http_get_body_size(
        filter: FilterEnvoyPtr,
        body_type: BodyType,
    ) -> usize;
    pub fn envoy_dynamic_module_callback_http_append_body(
        filter: FilterEnvoyPtr,
        body_type: BodyType,
        data: ModuleBuffer,
    ) -> bool;
    pub fn envoy_dynamic_module_callback_http_drain_body(
        filter: FilterEnvoyPtr,
        body_type: BodyType,
        bytes: usize,
    ) -> bool;
    pub fn envoy_dynamic_module_callback_http_received_buffered_request_body(
        filter: FilterEnvoyPtr,
    ) -> bool;
    pub fn envoy_dynamic_module_callback_http_received_buffered_response_body(
        filter: FilterEnvoyPtr,
    ) -> bool;

    // ---- local reply ----
    pub fn envoy_dynamic_module_callback_http_send_response(
        filter: FilterEnvoyPtr,
        status: u32,
        headers: *const ModuleHeader,
        headers_len: usize,
        body: ModuleBuffer,
        details: ModuleBuffer,
    );

    // ---- dynamic metadata ----
    pub fn envoy_dynamic_module_callback_http_set_dynamic_metadata_number(
        filter: FilterEnvoyPtr,
        namespace: ModuleBuffer,
        key: ModuleBuffer,
        value: f64,
    );
    pub fn envoy_dynamic_module_callback_http_set_dynamic_metadata_string(
        filter: FilterEnvoyPtr,
        namespace: ModuleBuffer,
        key: ModuleBuffer,
        value: ModuleBuffer,
    );

    // ---- filter state ----
    pub fn envoy_dynamic_module_callback_http_set_filter_state_bytes(
        filter: FilterEnvoyPtr,
        key: ModuleBuffer,
        value: ModuleBuffer,
    ) -> bool;
    pub fn envoy_dynamic_module_callback_http_get_filter_state_bytes(
        filter: FilterEnvoyPtr,
        key: ModuleBuffer,
        result: *mut EnvoyBuffer,
    ) -> bool;

    // ---- flow control and routing ----
    pub fn envoy_dynamic_module_callback_http_clear_route_cache(filter: FilterEnvoyPtr);
    pub fn envoy_dynamic_module_callback_http_filter_continue_decoding(filter: FilterEnvoyPtr);
    pub fn envoy_dynamic_module_callback_http_filter_continue_encoding(filter: FilterEnvoyPtr);

    // ---- scheduler: run `on_http_filter_scheduled` on the stream's worker later ----
    pub fn envoy_dynamic_module_callback_http_filter_scheduler_new(
        filter: FilterEnvoyPtr,
    ) -> SchedulerPtr;
    pub fn envoy_dynamic_module_callback_http_filter_scheduler_commit(
        scheduler: SchedulerPtr,
        event_id: u64,
    );
    pub fn envoy_dynamic_module_callback_http_filter_scheduler_delete(scheduler: SchedulerPtr);

    // ---- HTTP callout ----
    pub fn envoy_dynamic_module_callback_http_filter_http_callout(
        filter: FilterEnvoyPtr,
        callout_id_out: *mut u64,
        cluster: ModuleBuffer,
        headers: *const ModuleHeader,
        headers_len: usize,
        body: ModuleBuffer,
        timeout_ms: u64,
    ) -> CalloutInitResult;
}
