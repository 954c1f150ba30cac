//! Names of the GenAI metrics and their labels (OpenTelemetry GenAI semantic conventions,
//! with `.` in label names replaced by `_` as Envoy stats tags require).

/// Histogram of tokens per response, one record per token type.
pub const TOKEN_USAGE: &str = "gen_ai.client.token.usage";
/// Histogram of request duration, in milliseconds.
pub const REQUEST_DURATION: &str = "gen_ai.server.request.duration";
/// Histogram of the time to the first output token of a stream, in milliseconds.
pub const TIME_TO_FIRST_TOKEN: &str = "gen_ai.server.time_to_first_token";
/// Histogram of the time per output token after the first of a stream, in milliseconds.
pub const TIME_PER_OUTPUT_TOKEN: &str = "gen_ai.server.time_per_output_token";

/// Label: the GenAI operation (`chat`, `text_completion`, `embeddings`).
pub const LABEL_OPERATION_NAME: &str = "gen_ai_operation_name";
/// Label: the model the client asked for.
pub const LABEL_REQUEST_MODEL: &str = "gen_ai_request_model";
/// Label: the model the backend says answered.
pub const LABEL_RESPONSE_MODEL: &str = "gen_ai_response_model";
/// Label: the backend that served the request.
pub const LABEL_BACKEND: &str = "aigw_backend";
/// Label: the token type of a [`TOKEN_USAGE`] record.
pub const LABEL_TOKEN_TYPE: &str = "gen_ai_token_type";

/// Label names of the request metrics, in recording order.
pub const REQUEST_LABELS: [&str; 4] = [
    LABEL_OPERATION_NAME,
    LABEL_REQUEST_MODEL,
    LABEL_RESPONSE_MODEL,
    LABEL_BACKEND,
];
/// Label names of [`TOKEN_USAGE`], in recording order.
pub const TOKEN_USAGE_LABELS: [&str; 5] = [
    LABEL_OPERATION_NAME,
    LABEL_REQUEST_MODEL,
    LABEL_RESPONSE_MODEL,
    LABEL_BACKEND,
    LABEL_TOKEN_TYPE,
];

/// Counter of tokens per caller identity and model (opt-in: the gateway config's
/// `identity_metrics` names the request headers), one add per token type, for chargeback.
pub const IDENTITY_TOKEN_USAGE: &str = "aigw.identity.token.usage";
/// Label: the user of an [`IDENTITY_TOKEN_USAGE`] add, from its request header.
pub const LABEL_USER: &str = "aigw_user";
/// Label: the team of an [`IDENTITY_TOKEN_USAGE`] add, from its request header.
pub const LABEL_TEAM: &str = "aigw_team";
/// Label names of [`IDENTITY_TOKEN_USAGE`], in recording order.
pub const IDENTITY_TOKEN_USAGE_LABELS: [&str; 4] = [
    LABEL_USER,
    LABEL_TEAM,
    LABEL_REQUEST_MODEL,
    LABEL_TOKEN_TYPE,
];
/// Longest identity label value; longer header values are cut here.
pub const MAX_IDENTITY_LABEL_BYTES: usize = 64;

/// An identity label value from a request header value: at most
/// [`MAX_IDENTITY_LABEL_BYTES`] bytes of letters, digits and `.`, `_`, `-`, `@`, `:`, `+`;
/// any other byte becomes `_` (so a value can never add a label or break the stat name),
/// and a missing header is the empty value.
pub fn identity_label(value: Option<&str>) -> String {
    value
        .unwrap_or_default()
        .bytes()
        .take(MAX_IDENTITY_LABEL_BYTES)
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'_' | b'-' | b'@' | b':' | b'+' => {
                b as char
            }
            _ => '_',
        })
        .collect()
}

/// [`LABEL_TOKEN_TYPE`] value for prompt tokens.
pub const TOKEN_TYPE_INPUT: &str = "input";
/// [`LABEL_TOKEN_TYPE`] value for completion tokens.
pub const TOKEN_TYPE_OUTPUT: &str = "output";
/// [`LABEL_TOKEN_TYPE`] value for prompt tokens read from the backend's cache.
pub const TOKEN_TYPE_CACHED_INPUT: &str = "cached_input";
/// [`LABEL_TOKEN_TYPE`] value for prompt tokens written to the backend's cache.
pub const TOKEN_TYPE_CACHE_CREATION_INPUT: &str = "cache_creation_input";
/// [`LABEL_TOKEN_TYPE`] value for reasoning tokens (part of the output tokens).
pub const TOKEN_TYPE_REASONING: &str = "reasoning";

/// Histogram of the duration of one MCP request or notification the gateway handled, from
/// its body being read until the client is answered, in milliseconds (OpenTelemetry MCP
/// semantic conventions; they give seconds, but Envoy histograms hold integers).
pub const MCP_OPERATION_DURATION: &str = "mcp.server.operation.duration";
/// Label: the JSON-RPC method (one of [`MCP_METHODS`], else [`OTHER_METHOD`]).
pub const LABEL_MCP_METHOD: &str = "mcp_method_name";
/// Label: the tool a `tools/call` ran (the server's own name); empty otherwise, and when
/// the call failed (a client could otherwise mint a series per made-up name).
pub const LABEL_TOOL_NAME: &str = "gen_ai_tool_name";
/// Label: why the operation failed (JSON-RPC error code, `denied`, `tool_error`), else empty.
pub const LABEL_ERROR_TYPE: &str = "error_type";
/// Label: the MCP protocol version of the session (or negotiated by `initialize`).
pub const LABEL_MCP_PROTOCOL_VERSION: &str = "mcp_protocol_version";
/// Label: the configured MCP server a routed request went to; empty for fanned-out ones.
pub const LABEL_MCP_SERVER: &str = "aigw_mcp_server";

/// Label names of [`MCP_OPERATION_DURATION`], in recording order.
pub const MCP_OPERATION_LABELS: [&str; 5] = [
    LABEL_MCP_METHOD,
    LABEL_TOOL_NAME,
    LABEL_ERROR_TYPE,
    LABEL_MCP_PROTOCOL_VERSION,
    LABEL_MCP_SERVER,
];

/// [`LABEL_ERROR_TYPE`] of a request the authorization rules denied.
pub const ERROR_TYPE_DENIED: &str = "denied";
/// [`LABEL_ERROR_TYPE`] of a `tools/call` whose result says `isError: true`.
pub const ERROR_TYPE_TOOL_ERROR: &str = "tool_error";
/// [`LABEL_MCP_METHOD`] of a method that is not one of [`MCP_METHODS`].
pub const OTHER_METHOD: &str = "_OTHER";

/// The MCP methods recorded under their own name (bounded label values).
pub const MCP_METHODS: [&str; 22] = [
    "initialize",
    "server/discover",
    "ping",
    "tools/list",
    "tools/call",
    "prompts/list",
    "prompts/get",
    "resources/list",
    "resources/templates/list",
    "resources/read",
    "resources/subscribe",
    "resources/unsubscribe",
    "completion/complete",
    "logging/setLevel",
    "notifications/initialized",
    "notifications/cancelled",
    "notifications/progress",
    "notifications/roots/list_changed",
    "notifications/message",
    "sampling/createMessage",
    "elicitation/create",
    "roots/list",
];

/// The [`LABEL_MCP_METHOD`] value of `method`.
pub fn mcp_method_label(method: &str) -> &str {
    MCP_METHODS
        .iter()
        .find(|m| **m == method)
        .copied()
        .unwrap_or(OTHER_METHOD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_mcp_methods_keep_their_name_others_are_folded() {
        assert_eq!(mcp_method_label("tools/call"), "tools/call");
        assert_eq!(mcp_method_label("server/discover"), "server/discover");
        assert_eq!(
            mcp_method_label("notifications/initialized"),
            "notifications/initialized"
        );
        assert_eq!(mcp_method_label("tools/call2"), OTHER_METHOD);
        assert_eq!(mcp_method_label(""), OTHER_METHOD);
    }

    #[test]
    fn identity_labels_keep_safe_bytes_and_a_bounded_length() {
        assert_eq!(
            identity_label(Some("alice@example.com")),
            "alice@example.com"
        );
        assert_eq!(identity_label(Some("team-a:eu+1_x")), "team-a:eu+1_x");
        // `;` and `=` would add a label to a wasm stat name; spaces and UTF-8 are folded too.
        assert_eq!(identity_label(Some("a;b=c d")), "a_b_c_d");
        assert_eq!(identity_label(Some("zoë")), "zo__");
        assert_eq!(identity_label(None), "");
        let long = "u".repeat(100);
        assert_eq!(identity_label(Some(&long)).len(), MAX_IDENTITY_LABEL_BYTES);
    }
}
