//! Converse `usage` -> OpenAI `usage`.
//!
//! Bedrock's `inputTokens` excludes the prompt tokens read from or written to the prompt
//! cache; OpenAI's `prompt_tokens` counts the whole prompt. So
//! `prompt_tokens = inputTokens + cacheReadInputTokens + cacheWriteInputTokens`,
//! `prompt_tokens_details.cached_tokens = cacheReadInputTokens`,
//! `completion_tokens = outputTokens`.

use serde::Deserialize;
use serde_json::{Value, json};

/// Token counts as Converse reports them.
#[derive(Debug, Default, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    /// Prompt tokens neither read from nor written to the cache.
    #[serde(default)]
    pub input_tokens: u64,
    /// Generated tokens.
    #[serde(default)]
    pub output_tokens: u64,
    /// Prompt tokens read from the cache.
    #[serde(default)]
    pub cache_read_input_tokens: u64,
    /// Prompt tokens written to the cache.
    #[serde(default)]
    pub cache_write_input_tokens: u64,
}

impl Usage {
    /// The OpenAI `usage` object.
    pub fn to_openai(self) -> Value {
        let prompt =
            self.input_tokens + self.cache_read_input_tokens + self.cache_write_input_tokens;
        json!({
            "prompt_tokens": prompt,
            "completion_tokens": self.output_tokens,
            "total_tokens": prompt + self.output_tokens,
            "prompt_tokens_details": { "cached_tokens": self.cache_read_input_tokens },
        })
    }
}
