//! Token usage and response model from OpenAI-schema responses: a whole JSON body
//! ([`extract_response_usage`]) or the `data:` events of a stream ([`StreamUsage`]).
//!
//! Bodies are read through small typed views: fields the gateway does not need (message
//! contents, embeddings, logprobs) are skipped by the JSON parser without being built.

use crate::usage_view::{ResponseView, StreamChunkView, UsageView};
use std::fmt;

/// Token counts of one response. Counts the backend did not report are zero.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TokenUsage {
    /// `usage.prompt_tokens`.
    pub input_tokens: u64,
    /// `usage.completion_tokens` (zero for embeddings).
    pub output_tokens: u64,
    /// `usage.total_tokens`, or input + output when absent.
    pub total_tokens: u64,
    /// `usage.prompt_tokens_details.cached_tokens`.
    pub cached_input_tokens: u64,
    /// Prompt tokens written to the backend's cache:
    /// `usage.prompt_tokens_details.cache_creation_tokens` (alias `cache_write_tokens`) or
    /// `usage.cache_creation_input_tokens`.
    pub cache_creation_input_tokens: u64,
    /// `usage.completion_tokens_details.reasoning_tokens` (part of the output tokens).
    pub reasoning_tokens: u64,
}

impl From<UsageView> for TokenUsage {
    fn from(view: UsageView) -> Self {
        let input_tokens = view.prompt_tokens.unwrap_or(0);
        let output_tokens = view.completion_tokens.unwrap_or(0);
        Self {
            input_tokens,
            output_tokens,
            total_tokens: view
                .total_tokens
                .unwrap_or(input_tokens.saturating_add(output_tokens)),
            cached_input_tokens: view
                .prompt_tokens_details
                .as_ref()
                .and_then(|d| d.cached_tokens)
                .unwrap_or(0),
            cache_creation_input_tokens: view
                .prompt_tokens_details
                .as_ref()
                .and_then(|d| d.cache_creation_tokens)
                .or(view.cache_creation_input_tokens)
                .unwrap_or(0),
            reasoning_tokens: view
                .completion_tokens_details
                .and_then(|d| d.reasoning_tokens)
                .unwrap_or(0),
        }
    }
}

/// What a whole (non-streaming) response says about itself.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ResponseUsage {
    /// The response's `model` (empty when absent).
    pub model: String,
    /// The `usage` object, when present and not null.
    pub usage: Option<TokenUsage>,
}

/// A response body or stream event that is not the expected JSON.
#[derive(Debug)]
pub struct UsageError(pub(crate) serde_json::Error);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "response is not an OpenAI-schema JSON object: {}",
            self.0
        )
    }
}

impl std::error::Error for UsageError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// Extracts the model and token usage from a whole chat completion, completion or
/// embeddings response body.
pub fn extract_response_usage(body: &[u8]) -> Result<ResponseUsage, UsageError> {
    let view: ResponseView<'_> = serde_json::from_slice(body).map_err(UsageError)?;
    Ok(ResponseUsage {
        model: view.model.map(|m| m.0.into_owned()).unwrap_or_default(),
        usage: view.usage.map(TokenUsage::from),
    })
}

/// The `data` of the event that ends an OpenAI stream.
pub const DONE_MARKER: &[u8] = b"[DONE]";

/// What a stream's events said so far: the last non-empty model, the last usage, and how
/// many events carried generated output. Shared by the OpenAI stream accumulators.
#[derive(Debug, Default)]
pub struct StreamTally {
    model: String,
    usage: Option<TokenUsage>,
    output_chunks: u64,
}

impl StreamTally {
    /// Notes one event's `model` (kept unless empty; allocates only when it changes), its
    /// `usage` (replaces the last one) and whether it carried `output`. Returns `output`.
    pub fn note(&mut self, model: Option<&str>, usage: Option<TokenUsage>, output: bool) -> bool {
        if let Some(model) = model
            && !model.is_empty()
            && model != self.model
        {
            self.model.clear();
            self.model.push_str(model);
        }
        if usage.is_some() {
            self.usage = usage;
        }
        self.output_chunks += u64::from(output);
        output
    }

    /// How many events carried generated output. OpenAI streams one token per such event,
    /// so this stands in for the output tokens of a stream cut short before its usage.
    pub fn output_chunks(&self) -> u64 {
        self.output_chunks
    }

    /// The last model the stream named (empty when none).
    pub fn model(&self) -> &str {
        &self.model
    }

    /// The last usage the stream reported, if any.
    pub fn usage(&self) -> Option<TokenUsage> {
        self.usage
    }

    /// Takes the accumulated model and usage, leaving the tally empty.
    pub fn take(&mut self) -> ResponseUsage {
        self.output_chunks = 0;
        ResponseUsage {
            model: std::mem::take(&mut self.model),
            usage: self.usage.take(),
        }
    }
}

/// Accumulates usage over the `data:` events of a streamed chat completion or completion.
/// The last non-null `usage` wins (OpenAI sends it once, in the last chunk; some servers
/// send running totals), as does the last non-empty `model`.
#[derive(Debug, Default)]
pub struct StreamUsage {
    tally: StreamTally,
}

impl StreamUsage {
    /// Reads one event's data. Returns whether the chunk carries generated output (text,
    /// refusal, reasoning or a tool call): the first such chunk marks the first token.
    /// The `[DONE]` marker carries nothing. Allocates only when the model changes, and a
    /// small unescaping buffer when a string in the event has escape sequences.
    pub fn on_event_data(&mut self, data: &[u8]) -> Result<bool, UsageError> {
        if data == DONE_MARKER {
            return Ok(false);
        }
        let chunk: StreamChunkView<'_> = serde_json::from_slice(data).map_err(UsageError)?;
        let model = chunk.model.as_ref().map(|m| m.0.as_ref());
        let output = chunk.choices.is_some_and(|c| c.0);
        Ok(self
            .tally
            .note(model, chunk.usage.map(TokenUsage::from), output))
    }

    /// The tally so far (model, usage, output events).
    pub fn tally(&self) -> &StreamTally {
        &self.tally
    }

    /// Takes the accumulated model and usage, leaving the accumulator empty.
    pub fn take(&mut self) -> ResponseUsage {
        self.tally.take()
    }
}

#[cfg(test)]
#[path = "usage_tests.rs"]
mod tests;
