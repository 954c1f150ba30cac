//! Module and filter-config lifecycle: program init, config new/destroy, stream new/destroy.

use super::abi::{self, ConfigEnvoyPtr, EnvoyBuffer, FilterEnvoyPtr};
use super::ffi::envoy_bytes;
use super::guard::contain;
use super::log::log;
use super::metrics::NativeRegistry;
use super::state::Shared;
use super::stream::Stream;
use crate::{FilterFactory, LogLevel};
use std::ffi::{c_char, c_void};
use std::sync::Arc;

/// The module-side object behind `envoy_dynamic_module_type_http_filter_config_module_ptr`.
pub struct Config<F> {
    factory: F,
    shared: Arc<Shared>,
}

/// `envoy_dynamic_module_on_program_init`: reports the ABI version we are built against.
pub fn program_init() -> *const c_char {
    abi::ABI_VERSION.as_ptr().cast()
}

/// `envoy_dynamic_module_on_http_filter_config_new`: checks the filter name, parses the
/// config and defines metrics. Returns null (failing the config load) on any error, which
/// is logged.
///
/// # Safety
/// Arguments must be those Envoy passes to the hook.
pub unsafe fn config_new<F: FilterFactory>(
    envoy: ConfigEnvoyPtr,
    name: EnvoyBuffer,
    config: EnvoyBuffer,
    crate_name: &'static str,
) -> *const c_void {
    // SAFETY: Envoy's buffers are valid for the duration of this hook.
    let (name, config) = unsafe {
        (
            envoy_bytes(name.ptr, name.len),
            envoy_bytes(config.ptr, config.len),
        )
    };
    let built = contain(crate_name, "config_new", || {
        build::<F>(envoy, name, config, crate_name)
    });
    match built {
        Some(Ok(cfg)) => Box::into_raw(Box::new(cfg)).cast_const().cast(),
        Some(Err(e)) => {
            log(crate_name, LogLevel::Error, &e);
            std::ptr::null()
        }
        None => std::ptr::null(),
    }
}

fn build<F: FilterFactory>(
    envoy: ConfigEnvoyPtr,
    name: &[u8],
    config: &[u8],
    crate_name: &'static str,
) -> Result<Config<F>, String> {
    if name != crate_name.as_bytes() {
        return Err(format!(
            "filter_name `{}` does not match this module's filter `{crate_name}`",
            String::from_utf8_lossy(name)
        ));
    }
    let config = std::str::from_utf8(config)
        .map_err(|_| "filter_config: not valid UTF-8 text".to_string())?;
    let mut registry = NativeRegistry::new(envoy);
    let factory =
        F::from_config(config, &mut registry).map_err(|e| format!("invalid filter_config: {e}"))?;
    Ok(Config {
        factory,
        shared: Arc::new(Shared {
            name: crate_name,
            metrics: registry.into_slots(),
        }),
    })
}

/// `envoy_dynamic_module_on_http_filter_config_destroy`.
///
/// # Safety
/// `config` must come from [`config_new`] for the same `F` and not be used afterwards.
pub unsafe fn config_destroy<F: FilterFactory>(config: *const c_void) {
    if !config.is_null() {
        // SAFETY: guaranteed by the caller.
        drop(unsafe { Box::from_raw(config.cast::<Config<F>>().cast_mut()) });
    }
}

/// `envoy_dynamic_module_on_http_filter_new`: one filter per stream. Null closes the stream.
///
/// # Safety
/// `config` must come from [`config_new`] for the same `F` and still be alive.
pub unsafe fn filter_new<F: FilterFactory>(
    config: *const c_void,
    _envoy: FilterEnvoyPtr,
) -> *const c_void {
    // SAFETY: guaranteed by the caller.
    let config = unsafe { &*config.cast::<Config<F>>() };
    let shared = &config.shared;
    contain(shared.name, "create_filter", || {
        Stream::new(config.factory.create_filter(), Arc::clone(shared))
    })
    .map_or(std::ptr::null(), |s| {
        Box::into_raw(Box::new(s)).cast_const().cast()
    })
}

/// `envoy_dynamic_module_on_http_filter_destroy`.
///
/// # Safety
/// `stream` must come from [`filter_new`] for the same `F` and not be used afterwards.
pub unsafe fn filter_destroy<F: FilterFactory>(stream: *const c_void) {
    if !stream.is_null() {
        // SAFETY: guaranteed by the caller.
        let stream = unsafe { Box::from_raw(stream.cast::<Stream<F::Filter>>().cast_mut()) };
        // A panicking Drop of the filter must not unwind into Envoy either.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(stream)));
    }
}

/// The stream behind a module pointer.
///
/// # Safety
/// `stream` must come from [`filter_new`] for the same `F` and still be alive.
pub unsafe fn stream<'a, F: FilterFactory>(stream: *const c_void) -> &'a Stream<F::Filter> {
    // SAFETY: guaranteed by the caller.
    unsafe { &*stream.cast::<Stream<F::Filter>>() }
}
