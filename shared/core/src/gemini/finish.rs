//! Gemini `finishReason` to OpenAI `finish_reason`.

/// Maps a finish reason: `STOP` -> `stop` (`tool_calls` when the choice called tools),
/// `MAX_TOKENS` -> `length`, the safety family (`SAFETY`, `RECITATION`, `BLOCKLIST`,
/// `PROHIBITED_CONTENT`, `SPII`, `IMAGE_SAFETY`) -> `content_filter`, a function call
/// Gemini could not form (`MALFORMED_FUNCTION_CALL`, `UNEXPECTED_TOOL_CALL`) and anything
/// else (`LANGUAGE`, `OTHER`, unknown values) -> `stop`.
pub(crate) fn finish_reason(reason: &str, called_tools: bool) -> &'static str {
    match reason {
        "MAX_TOKENS" => "length",
        "SAFETY" | "RECITATION" | "BLOCKLIST" | "PROHIBITED_CONTENT" | "SPII" | "IMAGE_SAFETY" => {
            "content_filter"
        }
        _ if called_tools => "tool_calls",
        _ => "stop",
    }
}
