//! Fuzz target: see `aigw_fuzz::sse_parser`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aigw_fuzz::sse_parser(data));
