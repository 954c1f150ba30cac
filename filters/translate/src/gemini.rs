//! The backend role for Gemini models, on the Gemini API or on Vertex AI: chat completions
//! and embeddings are translated to `generateContent` / `streamGenerateContent?alt=sse` /
//! `batchEmbedContents` (Vertex AI: `predict`) on the way up and back to the OpenAI schema on
//! the way down, so the response leaves this filter as OpenAI (token-usage reads it
//! unchanged). `/v1/completions` is refused; other paths pass through untouched.

use crate::exchange::{
    ClientError, EmbeddingsReply, EmbeddingsResponse, Translate, Translated, Upstream,
};
use aigw_core::api_kind::ApiKind;
use aigw_core::chat_schema::{ChatSchema, GeminiChat};
use aigw_core::gemini::embeddings::{embeddings_request, embeddings_response};
use aigw_core::gemini::error::error_response;
use aigw_core::gemini::path::GeminiApi;
use aigw_core::vertex::embeddings::{predict_request, predict_response};

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
        let (path, body, model, base64, response): (_, _, _, _, EmbeddingsResponse) = match self.0 {
            GeminiApi::Gemini => {
                let r = embeddings_request(body, model_override)?;
                (r.path, r.body, r.model, r.base64, embeddings_response)
            }
            GeminiApi::Vertex => {
                let r = predict_request(body, model_override)?;
                (r.path, r.body, r.model, r.base64, predict_response)
            }
        };
        let answer = EmbeddingsReply {
            model,
            base64,
            response,
            error: |head, body| error_response(head.status, body),
            sender: "The Gemini backend sent a response",
        };
        Ok(Upstream {
            path: Some(path),
            body,
            answer: Box::new(answer),
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
