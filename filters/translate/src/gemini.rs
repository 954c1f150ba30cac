//! The backend role for Gemini models, on the Gemini API or on Vertex AI: chat completions
//! and embeddings are translated to `generateContent` / `streamGenerateContent?alt=sse` /
//! `batchEmbedContents` (Vertex AI: `predict`) on the way up and back to the OpenAI schema on
//! the way down, so the response leaves this filter as OpenAI (token-usage reads it
//! unchanged). `/v1/completions` is refused; other paths pass through untouched.

use crate::embeddings::EmbeddingsApi;
use crate::exchange::{ClientError, Front, Request, Translate, Translated, Upstream};
use aigw_core::api_kind::ApiKind;
use aigw_core::chat_schema::{ChatSchema, GeminiChat};
use aigw_core::gemini::embeddings::{embeddings_request, embeddings_response};
use aigw_core::gemini::error::error_response;
use aigw_core::gemini::path::GeminiApi;
use aigw_core::vertex::embeddings::{predict_request, predict_response};

/// How `batchEmbedContents` answers are read.
static EMBEDDINGS: EmbeddingsApi = EmbeddingsApi {
    response: |body, _, model, base64| embeddings_response(body, model, base64),
    error: |head, body| error_response(head.status, body),
    sender: "The Gemini backend sent a response",
};

/// How Vertex AI `predict` answers are read.
static PREDICT: EmbeddingsApi = EmbeddingsApi {
    response: |body, _, model, base64| predict_response(body, model, base64),
    error: |head, body| error_response(head.status, body),
    sender: "The Gemini backend sent a response",
};

/// A Gemini backend on one Google service.
pub struct Gemini(pub GeminiApi);

impl Translate for Gemini {
    fn translate(&self, req: &Request<'_>) -> Result<Upstream, ClientError> {
        if req.kind == ApiKind::ChatCompletions {
            return Ok(GeminiChat(self.0)
                .request(req.body, req.model_override, req.created)?
                .into());
        }
        Ok(match self.0 {
            GeminiApi::Gemini => {
                let r = embeddings_request(req.body, req.model_override)?;
                EMBEDDINGS.upstream(r.path, r.body, r.model, r.base64)
            }
            GeminiApi::Vertex => {
                let r = predict_request(req.body, req.model_override)?;
                PREDICT.upstream(r.path, r.body, r.model, r.base64)
            }
        })
    }
}

impl Translated for Gemini {
    fn front(&self) -> &'static Front {
        const { &Front::chat_and_embeddings("A Gemini backend") }
    }
}

#[cfg(test)]
#[path = "gemini_tests.rs"]
mod tests;
