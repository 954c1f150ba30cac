//! [`ChatSchema`] for Gemini models on the Gemini API or Vertex AI.

use super::{ChatSchema, SseTranslations, UpstreamChat};
use crate::gemini::error::error_response;
use crate::gemini::path::GeminiApi;
use crate::gemini::request::chat_request_for;
use crate::gemini::response::{ResponseContext, chat_response};
use crate::gemini::stream::{ChatStream, GeminiEvents};
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
            answer: ANSWER.answer(ResponseContext {
                model: r.model,
                created,
            }),
        })
    }
}

/// Gemini's answer translations.
const ANSWER: SseTranslations<ResponseContext, GeminiEvents> = SseTranslations {
    completion: chat_response,
    error: error_response,
    stream: ChatStream::new,
};
