//! [`ChatSchema`] for Cohere v2 chat.

use super::{ChatAnswer, ChatSchema, ChunkSource, ResponseHead, UpstreamChat, unreadable};
use crate::cohere::error::error_response;
use crate::cohere::request::chat_request;
use crate::cohere::response::{ResponseContext, chat_response};
use crate::cohere::stream::ChatStream;
use crate::openai::error::OpenAiError;

/// `/v2/chat`, streamed as SSE when asked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CohereChat;

impl ChatSchema for CohereChat {
    fn request(
        &self,
        body: &[u8],
        model_override: Option<&str>,
        created: u64,
    ) -> Result<UpstreamChat, OpenAiError> {
        let r = chat_request(body, model_override)?;
        Ok(UpstreamChat {
            path: r.path.to_string(),
            body: r.body,
            stream: r.stream,
            include_usage: r.include_usage,
            answer: Box::new(CohereAnswer(ResponseContext {
                model: r.model,
                created,
            })),
        })
    }
}

struct CohereAnswer(ResponseContext);

impl ChatAnswer for CohereAnswer {
    fn is_stream(&self, content_type: &str) -> bool {
        content_type.starts_with("text/event-stream")
    }

    fn completion(&self, _head: &ResponseHead, body: &[u8]) -> Result<Vec<u8>, OpenAiError> {
        chat_response(body, &self.0).map_err(|reason| unreadable("Cohere", &reason))
    }

    fn error(&self, head: &ResponseHead, body: &[u8]) -> Vec<u8> {
        error_response(head.status, body)
    }

    fn stream(&self, _head: &ResponseHead, include_usage: bool) -> Box<dyn ChunkSource> {
        Box::new(ChatStream::new(self.0.clone(), include_usage))
    }
}
