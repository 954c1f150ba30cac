//! Anthropic `usage` -> OpenAI `usage`.
//!
//! Anthropic's `input_tokens` excludes the prompt tokens read from or written to the prompt
//! cache; OpenAI's `prompt_tokens` counts the whole prompt, cached part included. So
//! `prompt_tokens = input_tokens + cache_read_input_tokens + cache_creation_input_tokens`,
//! `prompt_tokens_details.cached_tokens = cache_read_input_tokens`,
//! `completion_tokens = output_tokens`.

use serde::Deserialize;
use serde_json::{Value, json};

/// Token counts as Anthropic reports them (every field optional: `message_delta` events
/// carry only some of them).
#[derive(Debug, Default, Clone, Copy, Deserialize)]
pub struct Usage {
    #[serde(default)]
    pub input_tokens: Option<u64>,
    #[serde(default)]
    pub output_tokens: Option<u64>,
    #[serde(default)]
    pub cache_read_input_tokens: Option<u64>,
    #[serde(default)]
    pub cache_creation_input_tokens: Option<u64>,
}

impl Usage {
    /// Takes every count `later` reports (Anthropic's counts are cumulative).
    pub fn update(&mut self, later: &Usage) {
        let pick = |a: &mut Option<u64>, b: Option<u64>| {
            if b.is_some() {
                *a = b;
            }
        };
        pick(&mut self.input_tokens, later.input_tokens);
        pick(&mut self.output_tokens, later.output_tokens);
        pick(
            &mut self.cache_read_input_tokens,
            later.cache_read_input_tokens,
        );
        pick(
            &mut self.cache_creation_input_tokens,
            later.cache_creation_input_tokens,
        );
    }

    /// The OpenAI `usage` object.
    pub fn to_openai(self) -> Value {
        let cached = self.cache_read_input_tokens.unwrap_or(0);
        let prompt =
            self.input_tokens.unwrap_or(0) + cached + self.cache_creation_input_tokens.unwrap_or(0);
        let completion = self.output_tokens.unwrap_or(0);
        json!({
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": { "cached_tokens": cached },
        })
    }
}
