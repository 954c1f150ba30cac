//! [`ChatSchema`] for Gemini models on the Gemini API or Vertex AI.

use super::{ChatAnswer, ChatSchema, ChunkSource, ResponseHead, UpstreamChat, unreadable};
use crate::gemini::error::error_response;
use crate::gemini::path::GeminiApi;
use crate::gemini::request::chat_request_for;
use crate::gemini::response::{ResponseContext, chat_response};
use crate::gemini::stream::ChatStream;
use crate::openai::error::OpenAiError;

/// `generateContent` / `streamGenerateContent?alt=sse` on one Google service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GeminiChat(pub GeminiApi);

impl ChatSchema for GeminiChat {
    fn request(
        &self,
        body: &[u8],
        model_override: Option<&str>,
        created: u64,
    ) -> Result<UpstreamChat, OpenAiError> {
        let r = chat_request_for(self.0, body, model_override)?;
        Ok(UpstreamChat {
            path: r.path,
            body: r.body,
            stream: r.stream,
            include_usage: r.include_usage,
            answer: Box::new(GeminiAnswer(ResponseContext {
                model: r.model,
                created,
            })),
        })
    }
}

struct GeminiAnswer(ResponseContext);

impl ChatAnswer for GeminiAnswer {
    fn is_stream(&self, content_type: &str) -> bool {
        content_type.starts_with("text/event-stream")
    }

    fn completion(&self, _head: &ResponseHead, body: &[u8]) -> Result<Vec<u8>, OpenAiError> {
        chat_response(body, &self.0).map_err(|reason| unreadable("Gemini", &reason))
    }

    fn error(&self, head: &ResponseHead, body: &[u8]) -> Vec<u8> {
        error_response(head.status, body)
    }

    fn stream(&self, _head: &ResponseHead, include_usage: bool) -> Box<dyn ChunkSource> {
        Box::new(ChatStream::new(self.0.clone(), include_usage))
    }
}
