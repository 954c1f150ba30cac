//! aigw-mcp-router: the MCP gateway filter. Many MCP servers behind one Streamable HTTP
//! endpoint: `initialize` and the list methods fan out to every server and are merged, tools
//! and prompts are renamed `{server}{separator}{name}` and calls are routed back by that
//! prefix and forwarded through Envoy's router, and the client's session id carries the
//! servers' session ids, sealed. Built as a
//! proxy-wasm module and as an Envoy dynamic module.

mod authorize;
mod backend;
mod backend_sessions;
mod callouts;
mod client_response;
pub mod config;
mod dispatch;
mod exchange;
mod filter;
mod flow;
mod forward;
mod handshake;
mod jwks;
mod relist;
mod renewal;
mod respond;
mod server_stream;
mod stateless;
mod telemetry;
#[cfg(test)]
mod test_support;

pub use filter::{McpRouterFactory, McpRouterFilter};

aigw_host::export_filter!(McpRouterFactory);
