//! Fuzz target: see `aigw_fuzz::cohere_stream`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aigw_fuzz::cohere_stream(data));
