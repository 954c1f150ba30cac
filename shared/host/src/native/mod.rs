//! Native host: runs a [`crate::FilterFactory`] as an Envoy dynamic module (`.so`) through
//! Envoy 1.40's dynamic-module ABI (`v0.2.0`), declared by us in [`abi`].
//!
//! A filter crate has `crate-type = ["cdylib", "rlib"]` and exports itself with
//! `aigw_host::export_filter!(MyFactory);`, which expands to
//! [`__export_native!`](crate::__export_native) on non-wasm targets: every
//! `envoy_dynamic_module_on_*` hook Envoy requires, forwarding to this module. Nothing else
//! is needed: the hooks are left out of the crate's own unit-test build (`cfg(test)`), and
//! test executables of dependents or integration tests link without Envoy's callback
//! symbols (the linker drops the unreferenced hooks).
//!
//! Behaviour filters can rely on:
//! * `filter_name` in the Envoy config must be the crate name (`aigw_translate`); any
//!   other name, or a config `FilterFactory::from_config` rejects, fails the config load
//!   with the reason logged.
//! * Header setters act while Envoy still holds those headers (in the headers callback,
//!   and after `StopIteration` until the stream continues); later they are ignored with a
//!   warning.
//! * In a body callback `request_body()` is all data buffered so far plus the new chunk
//!   (the chunk once when Envoy says it *is* the buffered body), and `set_request_body`
//!   replaces exactly that; same for responses. Outside a body callback the accessors see
//!   the buffered body only. Trailers end a stream whose body end the filter has not seen
//!   with one more body callback (`end_of_stream = true`).
//! * A panic in a filter is caught: it is logged, the stream answers 500 with an
//!   OpenAI-style error when no response has started, and the filter is not called again
//!   for that stream. Needs `panic = "unwind"` (the workspace profile).
//! * A filter's own local reply does not run its own response callbacks (Envoy re-enters
//!   the filter synchronously; the host passes that through).
//! * `Host::waker` is the stream's Envoy scheduler (`http_filter_scheduler_new`); a wake
//!   commits an event that Envoy delivers on the stream's worker after the current hook,
//!   as `on_http_filter_scheduled`, which runs `Filter::on_wake` (nothing once the stream
//!   is gone: Envoy holds it weakly).

pub mod abi;
mod body;
mod callout;
pub mod config;
mod ffi;
mod guard;
pub mod hooks;
mod host;
mod log;
mod metrics;
mod state;
mod stream;
mod waker;

pub use body::Direction;
pub use host::METADATA_NAMESPACE;

/// Generates the Envoy dynamic-module hooks for a [`crate::FilterFactory`]. Use through
/// [`crate::export_filter!`].
#[doc(hidden)]
#[macro_export]
macro_rules! __export_native {
    ($factory:ty) => {
        #[cfg(not(test))]
        const _: () = {
            use ::std::ffi::{c_char, c_void};
            use $crate::native::abi::{EnvoyBuffer, EnvoyHeader};
            use $crate::native::{Direction, config as __cfg, hooks as __hooks};

            #[unsafe(no_mangle)]
            extern "C" fn envoy_dynamic_module_on_program_init() -> *const c_char {
                __cfg::program_init()
            }

            #[unsafe(no_mangle)]
            unsafe extern "C" fn envoy_dynamic_module_on_http_filter_config_new(
                envoy: *mut c_void,
                name: EnvoyBuffer,
                config: EnvoyBuffer,
            ) -> *const c_void {
                unsafe {
                    __cfg::config_new::<$factory>(envoy, name, config, env!("CARGO_CRATE_NAME"))
                }
            }

            #[unsafe(no_mangle)]
            unsafe extern "C" fn envoy_dynamic_module_on_http_filter_config_destroy(
                config: *const c_void,
            ) {
                unsafe { __cfg::config_destroy::<$factory>(config) }
            }

            #[unsafe(no_mangle)]
            unsafe extern "C" fn envoy_dynamic_module_on_http_filter_new(
                config: *const c_void,
                envoy: *mut c_void,
            ) -> *const c_void {
                unsafe { __cfg::filter_new::<$factory>(config, envoy) }
            }

            #[unsafe(no_mangle)]
            unsafe extern "C" fn envoy_dynamic_module_on_http_filter_destroy(module: *const c_void) {
                unsafe { __cfg::filter_destroy::<$factory>(module) }
            }

            #[unsafe(no_mangle)]
            unsafe extern "C" fn envoy_dynamic_module_on_http_filter_request_headers(
                envoy: *mut c_void,
                module: *const c_void,
                end_of_stream: bool,
            ) -> u32 {
                unsafe { __hooks::headers::<$factory>(envoy, module, Direction::Request, end_of_stream) }
            }

            #[unsafe(no_mangle)]
            unsafe extern "C" fn envoy_dynamic_module_on_http_filter_request_body(
                envoy: *mut c_void,
                module: *const c_void,
                end_of_stream: bool,
            ) -> u32 {
                unsafe { __hooks::body::<$factory>(envoy, module, Direction::Request, end_of_stream) }
            }

            #[unsafe(no_mangle)]
            unsafe extern "C" fn envoy_dynamic_module_on_http_filter_request_trailers(
                envoy: *mut c_void,
                module: *const c_void,
            ) -> u32 {
                unsafe { __hooks::trailers::<$factory>(envoy, module, Direction::Request) }
            }

            #[unsafe(no_mangle)]
            unsafe extern "C" fn envoy_dynamic_module_on_http_filter_response_headers(
                envoy: *mut c_void,
                module: *const c_void,
                end_of_stream: bool,
            ) -> u32 {
                unsafe { __hooks::headers::<$factory>(envoy, module, Direction::Response, end_of_stream) }
            }

            #[unsafe(no_mangle)]
            unsafe extern "C" fn envoy_dynamic_module_on_http_filter_response_body(
                envoy: *mut c_void,
                module: *const c_void,
                end_of_stream: bool,
            ) -> u32 {
                unsafe { __hooks::body::<$factory>(envoy, module, Direction::Response, end_of_stream) }
            }

            #[unsafe(no_mangle)]
            unsafe extern "C" fn envoy_dynamic_module_on_http_filter_response_trailers(
                envoy: *mut c_void,
                module: *const c_void,
            ) -> u32 {
                unsafe { __hooks::trailers::<$factory>(envoy, module, Direction::Response) }
            }

            #[unsafe(no_mangle)]
            unsafe extern "C" fn envoy_dynamic_module_on_http_filter_stream_complete(
                envoy: *mut c_void,
                module: *const c_void,
            ) {
                unsafe { __hooks::complete::<$factory>(envoy, module) }
            }

            #[unsafe(no_mangle)]
            unsafe extern "C" fn envoy_dynamic_module_on_http_filter_http_callout_done(
                envoy: *mut c_void,
                module: *const c_void,
                callout_id: u64,
                result: u32,
                headers: *const EnvoyHeader,
                headers_len: usize,
                chunks: *const EnvoyBuffer,
                chunks_len: usize,
            ) {
                unsafe {
                    __hooks::callout_done::<$factory>(
                        envoy, module, callout_id, result, headers, headers_len, chunks, chunks_len,
                    )
                }
            }

            #[unsafe(no_mangle)]
            unsafe extern "C" fn envoy_dynamic_module_on_http_filter_scheduled(
                envoy: *mut c_void,
                module: *const c_void,
                event: u64,
            ) {
                unsafe { __hooks::scheduled::<$factory>(envoy, module, event) }
            }

            // Hooks Envoy requires but our filters never trigger (streamed callouts,
            // terminal-filter watermarks): nothing to do.
            #[unsafe(no_mangle)]
            extern "C" fn envoy_dynamic_module_on_http_filter_http_stream_headers(
                _envoy: *mut c_void,
                _module: *const c_void,
                _stream: u64,
                _headers: *const EnvoyHeader,
                _headers_len: usize,
                _end_stream: bool,
            ) {
            }

            #[unsafe(no_mangle)]
            extern "C" fn envoy_dynamic_module_on_http_filter_http_stream_data(
                _envoy: *mut c_void,
                _module: *const c_void,
                _stream: u64,
                _data: *const EnvoyBuffer,
                _data_len: usize,
                _end_stream: bool,
            ) {
            }

            #[unsafe(no_mangle)]
            extern "C" fn envoy_dynamic_module_on_http_filter_http_stream_trailers(
                _envoy: *mut c_void,
                _module: *const c_void,
                _stream: u64,
                _trailers: *const EnvoyHeader,
                _trailers_len: usize,
            ) {
            }

            #[unsafe(no_mangle)]
            extern "C" fn envoy_dynamic_module_on_http_filter_http_stream_complete(
                _envoy: *mut c_void,
                _module: *const c_void,
                _stream: u64,
            ) {
            }

            #[unsafe(no_mangle)]
            extern "C" fn envoy_dynamic_module_on_http_filter_http_stream_reset(
                _envoy: *mut c_void,
                _module: *const c_void,
                _stream: u64,
                _reason: u32,
            ) {
            }

            #[unsafe(no_mangle)]
            extern "C" fn envoy_dynamic_module_on_http_filter_downstream_above_write_buffer_high_watermark(
                _envoy: *mut c_void,
                _module: *const c_void,
            ) {
            }

            #[unsafe(no_mangle)]
            extern "C" fn envoy_dynamic_module_on_http_filter_downstream_below_write_buffer_low_watermark(
                _envoy: *mut c_void,
                _module: *const c_void,
            ) {
            }
        };
    };
}
