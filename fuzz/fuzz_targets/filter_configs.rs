//! Fuzz target: see `aigw_fuzz::filter_configs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aigw_fuzz::filter_configs(data));
