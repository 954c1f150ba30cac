//! The `mcp_router_filter` check on inputs like the seeds of `scripts/fuzz.sh`: initialize
//! fanned out and answered, a call forwarded and answered as SSE, an empty and a broken
//! body. An integration test, not a unit test of the library, so that the link of the four
//! filter crates gets `fuzz/build.rs`'s flag.

use aigw_fuzz::mcp_router_filter;

/// Separates the request body from the answers (see `fuzz/src/mcp_filter.rs`).
const SEPARATOR: &[u8] = b"\n--\n";

#[test]
fn seed_like_inputs_pass() {
    let initialize = br#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"f","version":"1"}}}"#;
    let init_reply = br#"{"jsonrpc":"2.0","id":0,"result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{}},"serverInfo":{"name":"s","version":"1"}}}"#;
    let mut input = vec![0u8];
    input.extend_from_slice(initialize);
    for _ in 0..4 {
        input.extend_from_slice(SEPARATOR);
        input.extend_from_slice(&[0, 0]);
        input.extend_from_slice(init_reply);
    }
    mcp_router_filter(&input);
    let call = br#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"weather__now","arguments":{}}}"#;
    let mut input = vec![4u8 | 16];
    input.extend_from_slice(call);
    input.extend_from_slice(SEPARATOR);
    input.extend_from_slice(
        b"\x00\x01event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}\n\n",
    );
    mcp_router_filter(&input);
    mcp_router_filter(b"");
    mcp_router_filter(b"\x0c{not json");
}
