//! Anthropic Messages over any [`ChatSchema`] (Gemini, Vertex AI, Bedrock Converse,
//! Cohere), by composing two translations each way:
//!
//! - request: Anthropic Messages -> OpenAI chat ([`translate_request`]) -> the schema's
//!   request ([`ChatSchema::request`]);
//! - buffered answer: the schema's body -> OpenAI `chat.completion`
//!   ([`ChatAnswer::completion`]) -> Anthropic `message` ([`translate_response`]);
//! - stream: each upstream chunk -> OpenAI chunk values ([`ChunkSource`]) -> Anthropic
//!   events ([`StreamTranslator::sink`]), with no OpenAI SSE written and parsed back between
//!   them, so memory stays bounded by the two translators' own limits;
//! - error: the schema's error -> OpenAI error body ([`ChatAnswer::error`]) -> Anthropic
//!   error with the status kept ([`from_openai_error`]); errors inside a stream come out of
//!   the schema's translator as OpenAI error events, which become an Anthropic `error` event.

use super::error::{AnthropicError, from_openai_error};
use super::request::translate_request;
use super::response::translate_response;
use super::stream::StreamTranslator;
use crate::chat_schema::{ChatAnswer, ChatSchema, ChunkSource, ChunkStream, ResponseHead};

/// A Messages request translated for a schema.
pub struct ChainRequest {
    /// The provider path, without the backend's path prefix.
    pub path: String,
    /// The provider request body.
    pub body: Vec<u8>,
    /// The client asked for a stream.
    pub stream: bool,
    /// Translates the provider's answer.
    pub answer: ChainAnswer,
}

/// Translates a Messages body for `schema`; `model_override` replaces the model and
/// `created` is the Unix time the provider translation reports.
pub fn chain_request(
    schema: &dyn ChatSchema,
    body: &[u8],
    model_override: Option<&str>,
    created: u64,
) -> Result<ChainRequest, AnthropicError> {
    let chat = translate_request(body, model_override)?;
    let upstream = match &chat.thinking {
        Some(thinking) => schema.request(&with_thinking(&chat.body, thinking), None, created)?,
        None => schema.request(&chat.body, None, created)?,
    };
    Ok(ChainRequest {
        path: upstream.path,
        body: upstream.body,
        stream: upstream.stream,
        answer: ChainAnswer {
            inner: upstream.answer,
            include_usage: upstream.include_usage,
        },
    })
}

/// The chat body with the vendor field `thinking` added, so that schemas with a native
/// thinking budget (Gemini, Bedrock Converse) get the client's budget exactly rather than
/// the budget of its `reasoning_effort`.
fn with_thinking(body: &[u8], thinking: &serde_json::Value) -> Vec<u8> {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(mut chat)) => {
            chat.insert("thinking".into(), thinking.clone());
            serde_json::Value::Object(chat).to_string().into_bytes()
        }
        _ => body.to_vec(),
    }
}

/// Translates the provider's answer to one chained request into Anthropic's schema.
pub struct ChainAnswer {
    inner: Box<dyn ChatAnswer>,
    include_usage: bool,
}

impl ChainAnswer {
    /// Whether a 2xx response of `content_type` is the provider's stream.
    pub fn is_stream(&self, content_type: &str) -> bool {
        self.inner.is_stream(content_type)
    }

    /// A buffered 2xx body as an Anthropic `message`; an unreadable body is an error.
    pub fn message(&self, head: &ResponseHead, body: &[u8]) -> Result<Vec<u8>, AnthropicError> {
        let completion = self.inner.completion(head, body)?;
        translate_response(&completion)
    }

    /// A non-2xx body as an Anthropic error with the same status.
    pub fn error(&self, head: &ResponseHead, body: &[u8]) -> AnthropicError {
        from_openai_error(head.status, &self.inner.error(head, body))
    }

    /// The translator of a 2xx stream into Anthropic events.
    pub fn stream(&self, head: &ResponseHead) -> ChainStream {
        ChainStream {
            upstream: self.inner.stream(head, self.include_usage),
            messages: StreamTranslator::new(),
        }
    }
}

/// A provider stream translated chunk by chunk into Anthropic Messages events.
pub struct ChainStream {
    upstream: Box<dyn ChunkSource>,
    messages: StreamTranslator,
}

impl ChunkStream for ChainStream {
    /// Translates the next upstream bytes; returns the Anthropic SSE bytes they complete.
    fn feed(&mut self, chunk: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        self.upstream
            .feed_into(chunk, &mut self.messages.sink(&mut out));
        out
    }

    /// Ends the stream; returns what is left to send.
    fn finish(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        self.upstream.finish_into(&mut self.messages.sink(&mut out));
        out.extend(self.messages.finish());
        out
    }
}

/// OpenAI chunk SSE to Anthropic events, the last link of the chain (and the whole
/// translation for OpenAI-schema backends).
impl ChunkStream for StreamTranslator {
    fn feed(&mut self, chunk: &[u8]) -> Vec<u8> {
        StreamTranslator::feed(self, chunk)
    }

    fn finish(&mut self) -> Vec<u8> {
        StreamTranslator::finish(self)
    }
}

#[cfg(test)]
#[path = "chain_golden_tests.rs"]
mod golden_tests;
