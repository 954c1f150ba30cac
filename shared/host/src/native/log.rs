//! Logging through Envoy's `dynamic_modules` logger.

use super::abi;
use super::ffi::module_buffer;
use crate::LogLevel;

fn abi_level(level: LogLevel) -> abi::AbiLogLevel {
    match level {
        LogLevel::Trace => abi::LOG_TRACE,
        LogLevel::Debug => abi::LOG_DEBUG,
        LogLevel::Info => abi::LOG_INFO,
        LogLevel::Warn => abi::LOG_WARN,
        LogLevel::Error => abi::LOG_ERROR,
    }
}

/// Writes `message` at `level`, prefixed with the filter's name.
pub fn log(filter_name: &str, level: LogLevel, message: &str) {
    let level = abi_level(level);
    // SAFETY: plain FFI calls; the buffer outlives the call.
    unsafe {
        if !abi::envoy_dynamic_module_callback_log_enabled(level) {
            return;
        }
        let line = format!("[{filter_name}] {message}");
        abi::envoy_dynamic_module_callback_log(level, module_buffer(line.as_bytes()));
    }
}
