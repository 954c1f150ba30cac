//! Fuzz target: see `aigw_fuzz::gemini_request`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aigw_fuzz::gemini_request(data));
