//! Provider chat APIs reached by translating OpenAI chat completions both ways, behind one
//! interface: [`ChatSchema`] turns an OpenAI chat request into the provider's request, and
//! the [`ChatAnswer`] it returns turns the provider's answer (buffered, streamed or an
//! error) back into OpenAI chat completions. Anything that speaks OpenAI chat (the Anthropic
//! Messages chain, [`crate::anthropic::messages::chain`]) can then reach every schema that
//! implements it: Gemini and Vertex AI ([`GeminiChat`]), AWS Bedrock Converse
//! ([`BedrockChat`]), Cohere v2 ([`CohereChat`]) and Claude's Messages API on the Anthropic
//! API, Vertex AI and Bedrock InvokeModel ([`AnthropicChat`]). The translate filter's chat
//! exchange drives every translated backend through it too.

mod anthropic;
mod bedrock;
mod cohere;
mod gemini;

pub use anthropic::AnthropicChat;
pub use bedrock::BedrockChat;
pub use cohere::CohereChat;
pub use gemini::GeminiChat;

use crate::openai::chunk_sink::{ChunkSink, sse_bytes};
use crate::openai::chunk_stream::{self, ChunkEvents};
use crate::openai::error::OpenAiError;

/// A provider chat API that OpenAI chat completions are translated to.
pub trait ChatSchema {
    /// Translates an OpenAI chat request body; `model_override` replaces its model and
    /// `created` is the Unix time the answer reports.
    fn request(
        &self,
        body: &[u8],
        model_override: Option<&str>,
        created: u64,
    ) -> Result<UpstreamChat, OpenAiError>;
}

/// A translated chat request.
pub struct UpstreamChat {
    /// The provider path, without the backend's path prefix.
    pub path: String,
    /// The provider request body (JSON).
    pub body: Vec<u8>,
    /// The client asked for a stream.
    pub stream: bool,
    /// The client asked for a final usage chunk.
    pub include_usage: bool,
    /// Translates the provider's answer to this request.
    pub answer: Box<dyn ChatAnswer>,
}

/// What the answer translation reads from the provider's response headers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseHead {
    /// The HTTP status.
    pub status: u16,
    /// The provider's request id header (`x-amzn-requestid` on AWS), when sent.
    pub request_id: Option<String>,
    /// The provider's error type header (`x-amzn-errortype` on AWS), when sent.
    pub error_type: Option<String>,
    /// Bedrock's input token count header (`x-amzn-bedrock-input-token-count`), when sent.
    pub input_tokens: Option<u64>,
}

/// Translates one provider answer to OpenAI chat completions.
pub trait ChatAnswer {
    /// Whether a 2xx response of `content_type` is the provider's stream.
    fn is_stream(&self, content_type: &str) -> bool;
    /// A buffered 2xx body as an OpenAI `chat.completion`; a body that cannot be read is an
    /// error (502).
    fn completion(&self, head: &ResponseHead, body: &[u8]) -> Result<Vec<u8>, OpenAiError>;
    /// A non-2xx body as an OpenAI error body (the status is kept by the caller).
    fn error(&self, head: &ResponseHead, body: &[u8]) -> Vec<u8>;
    /// The translator of a 2xx stream into OpenAI `chat.completion.chunk` events.
    fn stream(&self, head: &ResponseHead, include_usage: bool) -> Box<dyn ChunkSource>;
}

/// A provider stream translated chunk by chunk into OpenAI chunk events, put into a
/// [`ChunkSink`] (SSE bytes for OpenAI clients, the Anthropic translator for the chain).
pub trait ChunkSource {
    /// Translates the next upstream bytes into `sink`.
    fn feed_into(&mut self, chunk: &[u8], sink: &mut dyn ChunkSink);
    /// Ends the stream into `sink`.
    fn finish_into(&mut self, sink: &mut dyn ChunkSink);
}

/// A stream translated chunk by chunk, bytes in and bytes out.
pub trait ChunkStream {
    /// Translates the next upstream bytes; returns the bytes they complete.
    fn feed(&mut self, chunk: &[u8]) -> Vec<u8>;
    /// Ends the stream; returns what is left to send.
    fn finish(&mut self) -> Vec<u8>;
}

/// A provider's OpenAI chunks serialized as SSE at the edge.
impl ChunkStream for Box<dyn ChunkSource> {
    fn feed(&mut self, chunk: &[u8]) -> Vec<u8> {
        sse_bytes(|out| self.feed_into(chunk, out))
    }

    fn finish(&mut self) -> Vec<u8> {
        sse_bytes(|out| self.finish_into(out))
    }
}

/// The Gemini and Cohere stream translations.
impl<E: ChunkEvents> ChunkSource for chunk_stream::ChunkStream<E> {
    fn feed_into(&mut self, chunk: &[u8], sink: &mut dyn ChunkSink) {
        Self::feed_into(self, chunk, sink);
    }

    fn finish_into(&mut self, sink: &mut dyn ChunkSink) {
        Self::finish_into(self, sink);
    }
}

/// The answer translations of a chat API that streams SSE and whose translations need only
/// a response context `C` made from the request (Gemini, Cohere). The provider is named in
/// errors as its stream translation names it (`E::PROVIDER`).
struct SseTranslations<C, E> {
    /// A buffered 2xx body as an OpenAI `chat.completion`; `Err` says why it cannot be read.
    completion: fn(&[u8], &C) -> Result<Vec<u8>, String>,
    /// A non-2xx body of a status as an OpenAI error body.
    error: fn(u16, &[u8]) -> Vec<u8>,
    /// The stream translation; the flag asks for a final usage chunk.
    stream: fn(C, bool) -> chunk_stream::ChunkStream<E>,
}

impl<C: Clone + 'static, E: ChunkEvents + 'static> SseTranslations<C, E> {
    /// The translator of the answer to one request, whose response context is `context`.
    fn answer(self, context: C) -> Box<dyn ChatAnswer> {
        Box::new(SseAnswer {
            translations: self,
            context,
        })
    }
}

/// [`SseTranslations`] with the context of one request.
struct SseAnswer<C, E> {
    translations: SseTranslations<C, E>,
    context: C,
}

impl<C: Clone, E: ChunkEvents + 'static> ChatAnswer for SseAnswer<C, E> {
    fn is_stream(&self, content_type: &str) -> bool {
        content_type.starts_with("text/event-stream")
    }

    fn completion(&self, _head: &ResponseHead, body: &[u8]) -> Result<Vec<u8>, OpenAiError> {
        (self.translations.completion)(body, &self.context)
            .map_err(|reason| unreadable(E::PROVIDER, &reason))
    }

    fn error(&self, head: &ResponseHead, body: &[u8]) -> Vec<u8> {
        (self.translations.error)(head.status, body)
    }

    fn stream(&self, _head: &ResponseHead, include_usage: bool) -> Box<dyn ChunkSource> {
        Box::new((self.translations.stream)(
            self.context.clone(),
            include_usage,
        ))
    }
}

/// The 502 for a 2xx body `provider` sent that cannot be translated.
fn unreadable(provider: &str, reason: &str) -> OpenAiError {
    OpenAiError {
        status: 502,
        message: format!("The {provider} backend sent a response that cannot be read: {reason}."),
        param: None,
    }
}
