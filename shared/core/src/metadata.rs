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
