//! Keys of the per-request metadata the gateway writes (namespace [`NAMESPACE`]).

/// Namespace of the gateway's dynamic metadata.
pub const NAMESPACE: &str = "io.envoy.ai_gateway";

/// Prompt tokens (number).
pub const INPUT_TOKENS: &str = "input_tokens";
/// Completion tokens (number).
pub const OUTPUT_TOKENS: &str = "output_tokens";
/// Total tokens (number).
pub const TOTAL_TOKENS: &str = "total_tokens";
/// Cached prompt tokens (number).
pub const CACHED_INPUT_TOKENS: &str = "cached_input_tokens";
/// Prompt tokens written to the backend's cache (number).
pub const CACHE_CREATION_INPUT_TOKENS: &str = "cache_creation_input_tokens";
/// Reasoning tokens, part of the output tokens (number).
pub const REASONING_TOKENS: &str = "reasoning_tokens";
/// Model the client asked for (string).
pub const REQUEST_MODEL: &str = "request_model";
/// Model the backend says answered (string).
pub const RESPONSE_MODEL: &str = "response_model";
/// Backend that served the request (string).
pub const BACKEND: &str = "backend";

/// Every key above: a configured cost may not reuse one.
pub const BUILTIN_KEYS: [&str; 9] = [
    INPUT_TOKENS,
    OUTPUT_TOKENS,
    TOTAL_TOKENS,
    CACHED_INPUT_TOKENS,
    CACHE_CREATION_INPUT_TOKENS,
    REASONING_TOKENS,
    REQUEST_MODEL,
    RESPONSE_MODEL,
    BACKEND,
];

/// MCP: JSON-RPC method of the request (string).
pub const MCP_METHOD: &str = "mcp_method";
/// MCP: configured server a routed request went to (string).
pub const MCP_SERVER: &str = "mcp_server";
/// MCP: tool, prompt or resource URI a routed request names, as the server knows it (string).
pub const MCP_TOOL: &str = "mcp_tool";
/// MCP: why the request failed: JSON-RPC error code, `denied` or `tool_error` (string).
pub const MCP_ERROR: &str = "mcp_error";

/// The keys the MCP router writes (access-log fields of configs with an `mcp` section); a
/// configured cost may not reuse one either.
pub const MCP_KEYS: [&str; 4] = [MCP_METHOD, MCP_SERVER, MCP_TOOL, MCP_ERROR];
