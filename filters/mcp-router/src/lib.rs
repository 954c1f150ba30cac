//! MCP gateway filter. Only the crate skeleton exists so far: the MCP router is built in
//! its own issue, and nothing here is exported to Envoy yet.
