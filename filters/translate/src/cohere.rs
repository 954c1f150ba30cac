//! The backend role for a Cohere v2 backend: chat completions and embeddings are
//! translated to `/v2/chat` (streamed as SSE when asked) / `/v2/embed` on the way up and back
//! to the OpenAI schema on the way down, so the response leaves this filter as OpenAI
//! (token-usage reads it unchanged). `/v1/completions` is refused; other paths pass through
//! untouched.

use crate::embeddings::EmbeddingsApi;
use crate::exchange::{ClientError, Front, Request, Translate, Translated, Upstream};
use aigw_core::api_kind::ApiKind;
use aigw_core::chat_schema::{ChatSchema, CohereChat};
use aigw_core::cohere::embeddings::{embeddings_request, embeddings_response};
use aigw_core::cohere::error::error_response;

/// How `/v2/embed` answers are read.
static EMBEDDINGS: EmbeddingsApi = EmbeddingsApi {
    response: |body, _, model, base64| embeddings_response(body, model, base64),
    error: |head, body| error_response(head.status, body),
    sender: "The Cohere backend sent a response",
};

/// A Cohere v2 backend.
pub struct Cohere;

impl Translate for Cohere {
    fn translate(&self, req: &Request<'_>) -> Result<Upstream, ClientError> {
        if req.kind == ApiKind::ChatCompletions {
            return Ok(CohereChat
                .request(req.body, req.model_override, req.created)?
                .into());
        }
        let r = embeddings_request(req.body, req.model_override)?;
        Ok(EMBEDDINGS.upstream(r.path.to_string(), r.body, r.model, r.base64))
    }
}

impl Translated for Cohere {
    fn front(&self) -> &'static Front {
        const { &Front::chat_and_embeddings("A Cohere backend") }
    }
}

#[cfg(test)]
#[path = "cohere_tests.rs"]
mod tests;
