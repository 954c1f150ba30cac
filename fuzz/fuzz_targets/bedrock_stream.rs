//! Fuzz target: see `aigw_fuzz::bedrock_stream`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aigw_fuzz::bedrock_stream(data));
