//! The schema of the responses a client receives, from its request path: OpenAI for
//! `/v1/...` APIs, OpenAI Responses for `/v1/responses`, Anthropic for
//! `/anthropic/v1/messages` (translation to the client's schema happened upstream). Each
//! schema has its own usage readers.

use aigw_core::anthropic::messages::{Endpoint, usage as anthropic};
use aigw_core::api_kind::ApiKind;
use aigw_core::openai::passthrough::Passthrough;
use aigw_core::openai::responses_usage::{ResponsesStreamUsage, extract_responses_usage};
use aigw_core::usage::{ResponseUsage, StreamUsage, extract_response_usage};

/// The client-facing response schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Schema {
    /// OpenAI chat completions, completions, embeddings.
    OpenAi,
    /// OpenAI Responses API (`response` objects and their stream events).
    Responses,
    /// Anthropic Messages.
    Anthropic,
}

/// The API and response schema of a request path; `None` for paths without usage.
/// Anthropic Messages and the Responses API count as chat (`gen_ai.operation.name` `chat`,
/// the GenAI conventions' value for model inference on a conversation).
pub(crate) fn classify(path: &str) -> Option<(ApiKind, Schema)> {
    if let Some(api) = ApiKind::from_path(path) {
        return Some((api, Schema::OpenAi));
    }
    if Passthrough::from_path(path) == Some(Passthrough::Responses) {
        return Some((ApiKind::ChatCompletions, Schema::Responses));
    }
    match Endpoint::from_path(path) {
        Some(Endpoint::Messages) => Some((ApiKind::ChatCompletions, Schema::Anthropic)),
        Some(Endpoint::CountTokens) | None => None,
    }
}

/// Model and usage of a whole response body in `schema`.
pub(crate) fn extract(schema: Schema, body: &[u8]) -> Result<ResponseUsage, String> {
    match schema {
        Schema::OpenAi => extract_response_usage(body).map_err(|e| e.to_string()),
        Schema::Responses => extract_responses_usage(body).map_err(|e| e.to_string()),
        Schema::Anthropic => anthropic::extract_message_usage(body)
            .map_err(|e| format!("response is not an Anthropic message: {e}")),
    }
}

/// Usage accumulated over a stream's events in one schema.
#[derive(Debug)]
pub(crate) enum StreamReader {
    /// `chat.completion.chunk` / `text_completion` events.
    OpenAi(StreamUsage),
    /// Responses API events.
    Responses(ResponsesStreamUsage),
    /// Anthropic Messages events.
    Anthropic(anthropic::MessageStreamUsage),
}

impl StreamReader {
    /// A reader for `schema`.
    pub fn new(schema: Schema) -> Self {
        match schema {
            Schema::OpenAi => Self::OpenAi(StreamUsage::default()),
            Schema::Responses => Self::Responses(ResponsesStreamUsage::default()),
            Schema::Anthropic => Self::Anthropic(Default::default()),
        }
    }

    /// Reads one event's data; returns whether it carries output.
    pub fn on_event_data(&mut self, data: &[u8]) -> Result<bool, String> {
        match self {
            Self::OpenAi(u) => u.on_event_data(data).map_err(|e| e.to_string()),
            Self::Responses(u) => u.on_event_data(data).map_err(|e| e.to_string()),
            Self::Anthropic(u) => u
                .on_event_data(data)
                .map_err(|e| format!("event is not an Anthropic stream event: {e}")),
        }
    }

    /// Events that carried generated output, for charging a stream cut short before its
    /// usage. Counted for OpenAI and Responses streams (one token per event); Anthropic
    /// streams report usage in their first event, so they never lack it.
    pub fn output_chunks(&self) -> u64 {
        match self {
            Self::OpenAi(u) => u.tally().output_chunks(),
            Self::Responses(u) => u.tally().output_chunks(),
            Self::Anthropic(_) => 0,
        }
    }

    /// Takes the accumulated model and usage.
    pub fn take(&mut self) -> ResponseUsage {
        match self {
            Self::OpenAi(u) => u.take(),
            Self::Responses(u) => u.take(),
            Self::Anthropic(u) => u.take(),
        }
    }
}
