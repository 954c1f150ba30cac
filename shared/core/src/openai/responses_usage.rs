//! Token usage and model of OpenAI Responses API answers (`POST /v1/responses`): a whole
//! `response` object ([`extract_responses_usage`]) or the `data:` events of a stream
//! ([`ResponsesStreamUsage`]), whose `response.created`, `response.in_progress`,
//! `response.completed`, `response.incomplete` and `response.failed` events carry the
//! response object (with `usage` once it is known).
//!
//! The usage object names its counts `input_tokens`, `output_tokens`, `total_tokens`,
//! `input_tokens_details.cached_tokens` and `output_tokens_details.reasoning_tokens`. Bodies
//! are read through borrowing views; output text is skipped without being built.

use crate::usage::{ResponseUsage, StreamTally, TokenUsage, UsageError};
use crate::usage_view::{CompletionDetailsView, NonEmpty, PromptDetailsView, Text};
use serde::Deserialize;

/// A `response` object: only its model and usage are read.
#[derive(Deserialize)]
struct ResponseObjectView<'a> {
    #[serde(borrow)]
    model: Option<Text<'a>>,
    usage: Option<ResponsesUsageView>,
}

/// The Responses API `usage` object.
#[derive(Deserialize)]
struct ResponsesUsageView {
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
    total_tokens: Option<u64>,
    input_tokens_details: Option<PromptDetailsView>,
    output_tokens_details: Option<CompletionDetailsView>,
}

impl From<ResponsesUsageView> for TokenUsage {
    fn from(view: ResponsesUsageView) -> Self {
        let input_tokens = view.input_tokens.unwrap_or(0);
        let output_tokens = view.output_tokens.unwrap_or(0);
        let input_details = view.input_tokens_details.as_ref();
        Self {
            input_tokens,
            output_tokens,
            total_tokens: view
                .total_tokens
                .unwrap_or(input_tokens.saturating_add(output_tokens)),
            cached_input_tokens: input_details.and_then(|d| d.cached_tokens).unwrap_or(0),
            cache_creation_input_tokens: input_details
                .and_then(|d| d.cache_creation_tokens)
                .unwrap_or(0),
            reasoning_tokens: view
                .output_tokens_details
                .and_then(|d| d.reasoning_tokens)
                .unwrap_or(0),
        }
    }
}

impl ResponseObjectView<'_> {
    fn into_usage(self) -> ResponseUsage {
        ResponseUsage {
            model: self.model.map(|m| m.0.into_owned()).unwrap_or_default(),
            usage: self.usage.map(TokenUsage::from),
        }
    }
}

/// One streamed event: the response object of the lifecycle events, and the `delta` of the
/// `*.delta` events (output text, refusal, reasoning, function-call arguments).
#[derive(Deserialize)]
struct EventView<'a> {
    #[serde(borrow)]
    response: Option<ResponseObjectView<'a>>,
    delta: Option<NonEmpty>,
}

/// Extracts the model and token usage from a whole Responses API response body.
pub fn extract_responses_usage(body: &[u8]) -> Result<ResponseUsage, UsageError> {
    let view: ResponseObjectView<'_> = serde_json::from_slice(body).map_err(UsageError)?;
    Ok(view.into_usage())
}

/// Accumulates the model and usage over the events of a streamed Responses API answer.
/// The last non-null `response.usage` wins (it arrives with `response.completed`,
/// `response.incomplete` or `response.failed`), as does the last non-empty `response.model`.
#[derive(Debug, Default)]
pub struct ResponsesStreamUsage {
    tally: StreamTally,
}

impl ResponsesStreamUsage {
    /// Reads one event's data. Returns whether the event carries generated output (a
    /// non-empty string `delta`): the first such event marks the first token.
    pub fn on_event_data(&mut self, data: &[u8]) -> Result<bool, UsageError> {
        let event: EventView<'_> = serde_json::from_slice(data).map_err(UsageError)?;
        let (model, usage) = match event.response {
            Some(response) => (response.model, response.usage.map(TokenUsage::from)),
            None => (None, None),
        };
        let model = model.as_ref().map(|m| m.0.as_ref());
        let output = event.delta.is_some_and(|d| d.0);
        Ok(self.tally.note(model, usage, output))
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
#[path = "responses_usage_tests.rs"]
mod tests;
