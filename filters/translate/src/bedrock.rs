//! The backend role for an AWS Bedrock backend: chat completions are translated to the
//! Converse API (`/model/{modelId}/converse`, `/converse-stream`) on the way up and back to
//! OpenAI chat completions on the way down (binary event-stream frames become SSE chunks);
//! embeddings go to Titan or Cohere Embed through InvokeModel (`/model/{modelId}/invoke`). The response
//! leaves this filter in the OpenAI schema. upstream-auth runs after this filter and signs
//! the translated path and body (SigV4). Other API paths are refused; non-API paths pass
//! through untouched.

use crate::embeddings::EmbeddingsApi;
use crate::exchange::{ClientError, Front, Request, Translate, Translated, Upstream};
use aigw_core::api_kind::ApiKind;
use aigw_core::bedrock::embeddings::{embeddings_request, embeddings_response};
use aigw_core::bedrock::error::translate_error;
use aigw_core::chat_schema::{BedrockChat, ChatSchema};

/// How Titan and Cohere Embed answers are read (Cohere's usage is the token count header).
static EMBEDDINGS: EmbeddingsApi = EmbeddingsApi {
    response: |body, head, model, base64| {
        embeddings_response(body, model, base64, head.input_tokens)
    },
    error: |head, body| translate_error(head.status, head.error_type.as_deref(), body),
    sender: "The Bedrock backend sent an embeddings response",
};

/// An AWS Bedrock backend (Converse for chat, Titan or Cohere Embed for embeddings).
pub struct Bedrock;

impl Translate for Bedrock {
    fn translate(&self, req: &Request<'_>) -> Result<Upstream, ClientError> {
        if req.kind == ApiKind::ChatCompletions {
            return Ok(BedrockChat
                .request(req.body, req.model_override, req.created)?
                .into());
        }
        let r = embeddings_request(req.body, req.model_override)?;
        Ok(EMBEDDINGS.upstream(r.path, r.body, r.model, r.base64))
    }
}

impl Translated for Bedrock {
    fn front(&self) -> &'static Front {
        const { &Front::chat_and_embeddings("An AWS Bedrock backend") }
    }
}

#[cfg(test)]
#[path = "bedrock_tests.rs"]
mod tests;
