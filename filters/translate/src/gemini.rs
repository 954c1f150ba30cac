//! The backend role for Gemini models, on the Gemini API or on Vertex AI: chat completions
//! and embeddings are translated to `generateContent` / `streamGenerateContent?alt=sse` /
//! `batchEmbedContents` (Vertex AI: `predict`) on the way up and back to the OpenAI schema on
//! the way down, so the response leaves this filter as OpenAI (token-usage reads it
//! unchanged). `/v1/completions` is refused; other paths pass through untouched.

use crate::exchange::{ClientError, EmbeddingsApi, Translate, Translated, Upstream};
use aigw_core::api_kind::ApiKind;
use aigw_core::chat_schema::{ChatSchema, GeminiChat};
use aigw_core::gemini::embeddings::{embeddings_request, embeddings_response};
use aigw_core::gemini::error::error_response;
use aigw_core::gemini::path::GeminiApi;
use aigw_core::vertex::embeddings::{predict_request, predict_response};

/// How `batchEmbedContents` answers are read.
static EMBEDDINGS: EmbeddingsApi = EmbeddingsApi {
    response: embeddings_response,
    error: |head, body| error_response(head.status, body),
    sender: "The Gemini backend sent a response",
};

/// How Vertex AI `predict` answers are read.
static PREDICT: EmbeddingsApi = EmbeddingsApi {
    response: predict_response,
    error: |head, body| error_response(head.status, body),
    sender: "The Gemini backend sent a response",
};

/// A Gemini backend on one Google service.
pub struct Gemini(pub GeminiApi);

impl Translate for Gemini {
    fn translate(
        &self,
        kind: ApiKind,
        body: &[u8],
        model_override: Option<&str>,
        created: u64,
    ) -> Result<Upstream, ClientError> {
        if kind == ApiKind::ChatCompletions {
            return Ok(GeminiChat(self.0)
                .request(body, model_override, created)?
                .into());
        }
        Ok(match self.0 {
            GeminiApi::Gemini => {
                let r = embeddings_request(body, model_override)?;
                EMBEDDINGS.upstream(r.path, r.body, r.model, r.base64)
            }
            GeminiApi::Vertex => {
                let r = predict_request(body, model_override)?;
                PREDICT.upstream(r.path, r.body, r.model, r.base64)
            }
        })
    }
}

impl Translated for Gemini {
    fn serves(&self) -> &'static [ApiKind] {
        &[ApiKind::ChatCompletions, ApiKind::Embeddings]
    }

    fn name(&self) -> &'static str {
        "A Gemini backend"
    }
}

#[cfg(test)]
#[path = "gemini_tests.rs"]
mod tests;
