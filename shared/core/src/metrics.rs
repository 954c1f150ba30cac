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
