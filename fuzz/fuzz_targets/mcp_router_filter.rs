//! Fuzz target: see `aigw_fuzz::mcp_router_filter`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| aigw_fuzz::mcp_router_filter(data));
