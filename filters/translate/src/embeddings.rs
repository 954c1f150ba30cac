//! The embeddings answers of the translated backends (Gemini, Vertex AI, Bedrock Titan,
//! Cohere): never a stream, a 2xx body translated by the provider's function, an error body
//! by its error translation, an unreadable body a 502.

use crate::exchange::{Answer, ClientError, Upstream};
use aigw_core::chat_schema::{ChunkStream, ResponseHead};
use aigw_core::openai::error::OpenAiError;

/// Translates a 2xx embeddings body (its head, model, base64); `Err` says why it cannot be
/// read.
pub type EmbeddingsResponse = fn(&[u8], &ResponseHead, &str, bool) -> Result<Vec<u8>, String>;

/// How one provider's embeddings answers are read back.
pub struct EmbeddingsApi {
    /// Translates a 2xx body.
    pub response: EmbeddingsResponse,
    /// Translates an error body.
    pub error: fn(&ResponseHead, &[u8]) -> Vec<u8>,
    /// Who sent what, as in "{sender} that cannot be read".
    pub sender: &'static str,
}

impl EmbeddingsApi {
    /// The translated embeddings request to `path` for `model` (the response `model`);
    /// `base64`: the client asked for base64 vectors.
    pub fn upstream(
        &'static self,
        path: String,
        body: Vec<u8>,
        model: String,
        base64: bool,
    ) -> Upstream {
        Upstream {
            path: Some(path),
            body,
            answer: Box::new(EmbeddingsReply {
                api: self,
                model,
                base64,
            }),
        }
    }
}

/// An embeddings answer: never a stream.
struct EmbeddingsReply {
    api: &'static EmbeddingsApi,
    model: String,
    base64: bool,
}

impl Answer for EmbeddingsReply {
    fn stream(&self, _head: &ResponseHead, _content_type: &str) -> Option<Box<dyn ChunkStream>> {
        None
    }

    fn body(&self, head: &ResponseHead, body: &[u8]) -> Result<Vec<u8>, ClientError> {
        let reply = (self.api.response)(body, head, &self.model, self.base64);
        Ok(reply.map_err(|reason| OpenAiError {
            status: 502,
            message: format!("{} that cannot be read: {reason}.", self.api.sender),
            param: None,
        })?)
    }

    fn error(&self, head: &ResponseHead, body: &[u8]) -> Vec<u8> {
        (self.api.error)(head, body)
    }
}
