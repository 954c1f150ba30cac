//! Model Context Protocol (Streamable HTTP) logic for the MCP gateway: JSON-RPC parsing and
//! errors, `{server}{separator}{name}` naming, merging of backend answers, the encrypted
//! gateway session id, per-server tool filters, and reading backend replies (JSON or SSE).

pub mod answer;
pub mod authz;
pub mod forwarded_headers;
pub mod jsonrpc;
pub mod lists;
pub mod merge;
pub mod naming;
pub mod reply;
pub mod routed;
pub mod server_requests;
pub mod session;
pub mod stateless;
pub mod tool_filter;

/// Protocol revisions the gateway speaks, oldest first: the handshake revisions, then the
/// stateless one ([`stateless::STATELESS_VERSION`]).
pub const SUPPORTED_VERSIONS: &[&str] = &["2025-06-18", "2025-11-25", "2026-07-28"];

/// The revisions negotiated by `initialize` (the stateless revision has no handshake).
pub const HANDSHAKE_VERSIONS: &[&str] = &["2025-06-18", "2025-11-25"];

/// Header naming the configured server a routed request is forwarded to; Envoy's route
/// for that server matches it. The mcp-router filter sets it, overwriting the client's.
pub const ROUTE_HEADER: &str = "x-aigw-mcp-server";

/// The revision offered when a client asks for one the gateway does not speak.
pub const LATEST_VERSION: &str = "2025-11-25";

/// Header carrying the session id (lower case, as hosts present header names).
pub const SESSION_HEADER: &str = "mcp-session-id";

/// Header carrying the negotiated protocol version on every request after `initialize`.
pub const PROTOCOL_VERSION_HEADER: &str = "mcp-protocol-version";

/// The version `initialize` answers a client asking for `requested` with: the same when it
/// is a handshake revision, otherwise the latest one (the client then decides whether it
/// can continue).
pub fn negotiate(requested: &str) -> &'static str {
    HANDSHAKE_VERSIONS
        .iter()
        .find(|v| **v == requested)
        .copied()
        .unwrap_or(LATEST_VERSION)
}

/// Whether `version` is one the gateway speaks.
pub fn is_supported(version: &str) -> bool {
    SUPPORTED_VERSIONS.contains(&version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_keeps_supported_versions_and_offers_latest_otherwise() {
        assert_eq!(negotiate("2025-06-18"), "2025-06-18");
        assert_eq!(negotiate("2025-11-25"), "2025-11-25");
        assert_eq!(negotiate("2024-11-05"), LATEST_VERSION);
        assert_eq!(
            negotiate("2026-07-28"),
            LATEST_VERSION,
            "no handshake at 2026-07-28"
        );
        assert!(!is_supported("2024-11-05"));
        assert!(is_supported("2026-07-28"));
    }
}
