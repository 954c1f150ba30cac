//! The stream hooks the export macro forwards to, one per `envoy_dynamic_module_on_*` hook.
//! Each resolves the module pointer and contains any panic of the host itself.

use super::abi::{self, EnvoyBuffer, EnvoyHeader, FilterEnvoyPtr};
use super::body::Direction;
use super::callout;
use super::config::stream;
use super::guard::contain;
use crate::FilterFactory;
use std::ffi::c_void;

/// Request/response headers hook.
///
/// # Safety
/// `module` must be a live stream of factory `F` created by this module.
pub unsafe fn headers<F: FilterFactory>(
    envoy: FilterEnvoyPtr,
    module: *const c_void,
    dir: Direction,
    end_of_stream: bool,
) -> u32 {
    // SAFETY: guaranteed by the caller.
    let s = unsafe { stream::<F>(module) };
    contain(s.name(), "headers hook", || {
        s.headers(envoy, dir, end_of_stream)
    })
    .unwrap_or(abi::HEADERS_CONTINUE)
}

/// Request/response body hook.
///
/// # Safety
/// As [`headers`].
pub unsafe fn body<F: FilterFactory>(
    envoy: FilterEnvoyPtr,
    module: *const c_void,
    dir: Direction,
    end_of_stream: bool,
) -> u32 {
    // SAFETY: guaranteed by the caller.
    let s = unsafe { stream::<F>(module) };
    contain(s.name(), "body hook", || s.body(envoy, dir, end_of_stream))
        .unwrap_or(abi::BODY_CONTINUE)
}

/// Request/response trailers hook.
///
/// # Safety
/// As [`headers`].
pub unsafe fn trailers<F: FilterFactory>(
    envoy: FilterEnvoyPtr,
    module: *const c_void,
    dir: Direction,
) -> u32 {
    // SAFETY: guaranteed by the caller.
    let s = unsafe { stream::<F>(module) };
    contain(s.name(), "trailers hook", || s.trailers(envoy, dir)).unwrap_or(abi::TRAILERS_CONTINUE)
}

/// Stream-complete hook.
///
/// # Safety
/// As [`headers`].
pub unsafe fn complete<F: FilterFactory>(envoy: FilterEnvoyPtr, module: *const c_void) {
    // SAFETY: guaranteed by the caller.
    let s = unsafe { stream::<F>(module) };
    contain(s.name(), "stream-complete hook", || s.complete(envoy));
}

/// Callout-done hook.
///
/// # Safety
/// As [`headers`]; the header and chunk arrays must be those Envoy passed.
#[allow(clippy::too_many_arguments)]
pub unsafe fn callout_done<F: FilterFactory>(
    envoy: FilterEnvoyPtr,
    module: *const c_void,
    callout_id: u64,
    result: abi::CalloutResultCode,
    headers: *const EnvoyHeader,
    headers_len: usize,
    chunks: *const EnvoyBuffer,
    chunks_len: usize,
) {
    // SAFETY: guaranteed by the caller.
    let s = unsafe { stream::<F>(module) };
    // SAFETY: guaranteed by the caller.
    let outcome = unsafe { callout::outcome(result, headers, headers_len, chunks, chunks_len) };
    let Ok(token) = u32::try_from(callout_id) else {
        return;
    };
    contain(s.name(), "callout-done hook", || {
        s.callout_done(envoy, token, outcome)
    });
}

/// Scheduled-event hook: a [`crate::Waker`] of this stream was woken.
///
/// # Safety
/// As [`headers`].
pub unsafe fn scheduled<F: FilterFactory>(
    envoy: FilterEnvoyPtr,
    module: *const c_void,
    event: u64,
) {
    if event != super::waker::WAKE_EVENT {
        return;
    }
    // SAFETY: guaranteed by the caller.
    let s = unsafe { stream::<F>(module) };
    contain(s.name(), "scheduled hook", || s.wake(envoy));
}
