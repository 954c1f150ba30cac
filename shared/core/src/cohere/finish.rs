//! Cohere `finish_reason` to OpenAI `finish_reason`.

/// Maps a finish reason: `COMPLETE` and `STOP_SEQUENCE` -> `stop`, `MAX_TOKENS` (and v1's
/// `ERROR_LIMIT`) -> `length`, `TOOL_CALL` -> `tool_calls`, v1's `ERROR_TOXIC` ->
/// `content_filter`; anything else -> `stop` (`tool_calls` when the answer called tools).
/// `ERROR` is handled by the callers before this.
pub(crate) fn finish_reason(reason: &str, called_tools: bool) -> &'static str {
    match reason {
        "MAX_TOKENS" | "ERROR_LIMIT" => "length",
        "ERROR_TOXIC" => "content_filter",
        "TOOL_CALL" => "tool_calls",
        _ if called_tools => "tool_calls",
        _ => "stop",
    }
}
