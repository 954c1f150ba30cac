//! The parts of OpenAI chat completion responses (whole and streamed) that the translation
//! to Anthropic messages reads.

use serde::Deserialize;
use std::borrow::Cow;

/// A `chat.completion`.
#[derive(Deserialize)]
pub struct Completion {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub model: String,
    pub choices: Vec<Choice>,
    #[serde(default)]
    pub usage: Option<Usage>,
}

/// A choice of a `chat.completion`.
#[derive(Deserialize)]
pub struct Choice {
    pub message: Message,
    #[serde(default)]
    pub finish_reason: Option<String>,
    /// The stop string (or stop token id) that ended the output, a vLLM extension the
    /// gateway's provider translations also set.
    #[serde(default)]
    pub stop_reason: Option<serde_json::Value>,
}

/// The assistant message of a choice.
#[derive(Deserialize)]
pub struct Message {
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub refusal: Option<String>,
    #[serde(default)]
    pub reasoning_content: Option<String>,
    #[serde(default)]
    pub tool_calls: Option<Vec<ToolCall>>,
}

/// A complete tool call.
#[derive(Deserialize)]
pub struct ToolCall {
    pub id: String,
    pub function: Function,
}

/// The function of a complete tool call.
#[derive(Deserialize)]
pub struct Function {
    pub name: String,
    #[serde(default)]
    pub arguments: String,
}

/// OpenAI `usage`.
#[derive(Debug, Deserialize, Default, Clone, Copy)]
pub struct Usage {
    #[serde(default)]
    pub prompt_tokens: Option<u64>,
    #[serde(default)]
    pub completion_tokens: Option<u64>,
    #[serde(default)]
    pub prompt_tokens_details: Option<PromptDetails>,
}

/// `usage.prompt_tokens_details`.
#[derive(Debug, Deserialize, Default, Clone, Copy)]
pub struct PromptDetails {
    #[serde(default)]
    pub cached_tokens: Option<u64>,
}

impl Usage {
    /// Anthropic's usage object: `input_tokens` excludes cache reads, which Anthropic counts
    /// apart (`cache_read_input_tokens`); OpenAI reports no cache writes.
    pub fn to_anthropic(self) -> serde_json::Value {
        let cached = self
            .prompt_tokens_details
            .and_then(|d| d.cached_tokens)
            .unwrap_or(0);
        let prompt = self.prompt_tokens.unwrap_or(0);
        serde_json::json!({
            "input_tokens": prompt.saturating_sub(cached),
            "output_tokens": self.completion_tokens.unwrap_or(0),
            "cache_read_input_tokens": cached,
            "cache_creation_input_tokens": 0,
        })
    }
}

/// A `chat.completion.chunk`, or an error event (`{"error": {...}}`).
#[derive(Deserialize)]
pub struct Chunk<'a> {
    #[serde(default, borrow)]
    pub id: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub model: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub choices: Vec<ChunkChoice<'a>>,
    #[serde(default)]
    pub usage: Option<Usage>,
    #[serde(default, borrow)]
    pub error: Option<ChunkError<'a>>,
}

/// The error of an error event.
#[derive(Deserialize)]
pub struct ChunkError<'a> {
    /// The OpenAI error `type` (`rate_limit_error`, `server_error`, ...).
    #[serde(default, borrow, rename = "type")]
    pub kind: Option<Cow<'a, str>>,
}

/// A choice of a chunk.
#[derive(Deserialize)]
pub struct ChunkChoice<'a> {
    #[serde(default, borrow)]
    pub delta: Option<Delta<'a>>,
    #[serde(default, borrow)]
    pub finish_reason: Option<Cow<'a, str>>,
    /// As [`Choice::stop_reason`].
    #[serde(default)]
    pub stop_reason: Option<serde_json::Value>,
}

/// What a chunk adds.
#[derive(Deserialize)]
pub struct Delta<'a> {
    #[serde(default, borrow)]
    pub content: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub refusal: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub reasoning_content: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub tool_calls: Option<Vec<ToolCallDelta<'a>>>,
}

/// A streamed piece of a tool call.
#[derive(Deserialize)]
pub struct ToolCallDelta<'a> {
    #[serde(default)]
    pub index: u32,
    #[serde(default, borrow)]
    pub id: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub function: Option<FunctionDelta<'a>>,
}

/// The function piece of a streamed tool call.
#[derive(Deserialize)]
pub struct FunctionDelta<'a> {
    #[serde(default, borrow)]
    pub name: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub arguments: Option<Cow<'a, str>>,
}
