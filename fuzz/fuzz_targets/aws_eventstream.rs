//! Fuzz target: see `aigw_fuzz::aws_eventstream`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aigw_fuzz::aws_eventstream(data));
