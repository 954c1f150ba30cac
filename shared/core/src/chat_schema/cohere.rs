//! [`ChatSchema`] for Cohere v2 chat.

use super::{ChatSchema, SseTranslations, UpstreamChat};
use crate::cohere::error::error_response;
use crate::cohere::request::chat_request;
use crate::cohere::response::{ResponseContext, chat_response};
use crate::cohere::stream::{ChatStream, CohereEvents};
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
            answer: ANSWER.answer(ResponseContext {
                model: r.model,
                created,
            }),
        })
    }
}

/// Cohere's answer translations.
const ANSWER: SseTranslations<ResponseContext, CohereEvents> = SseTranslations {
    completion: chat_response,
    error: error_response,
    stream: ChatStream::new,
};
