//! Fuzz target: see `aigw_fuzz::gateway_config`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aigw_fuzz::gateway_config(data));
