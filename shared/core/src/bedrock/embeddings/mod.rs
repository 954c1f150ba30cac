//! OpenAI `/v1/embeddings` to embedding models on Bedrock through InvokeModel
//! (`POST /model/{modelId}/invoke`) and back: Amazon Titan text embeddings ([`titan`]) and
//! Cohere Embed v3/v4 ([`cohere`]), told apart by the model id.
//!
//! Usage is Titan's `inputTextTokenCount`; Cohere answers carry no count, so it comes from
//! Bedrock's `X-Amzn-Bedrock-Input-Token-Count` response header.

mod cohere;
mod titan;

use super::invoke_path;
use crate::openai::embeddings::EmbeddingsInput;
use crate::openai::error::OpenAiError;

/// The response header in which Bedrock reports the input tokens of an InvokeModel call.
pub const INPUT_TOKEN_COUNT_HEADER: &str = "x-amzn-bedrock-input-token-count";

/// The embedding model family, which decides both bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Amazon Titan text embeddings (`amazon.titan-embed-text-*`): one text per call.
    Titan,
    /// Cohere Embed (`cohere.embed-*`): up to 96 texts per call.
    Cohere,
}

/// What translating the answer needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddingsReply {
    /// The model sent, reported as the response `model`.
    pub model: String,
    /// The client asked for base64-encoded vectors.
    pub base64: bool,
    /// The model family.
    pub family: Family,
}

/// A translated embeddings request.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbeddingsRequest {
    /// The upstream path (`/model/{modelId}/invoke`).
    pub path: String,
    /// The InvokeModel body.
    pub body: Vec<u8>,
    /// What translating the answer needs.
    pub reply: EmbeddingsReply,
}

/// Translates an OpenAI embeddings request body; `model_override` replaces its model.
pub fn embeddings_request(
    body: &[u8],
    model_override: Option<&str>,
) -> Result<EmbeddingsRequest, OpenAiError> {
    let input = EmbeddingsInput::read(body, model_override, "Bedrock")?;
    let (family, body) = if input.model.contains("titan-embed") {
        (Family::Titan, titan::request_body(&input)?)
    } else if input.model.contains("cohere.embed") {
        (Family::Cohere, cohere::request_body(&input)?)
    } else {
        return Err(OpenAiError::bad_request(
            format!(
                "A Bedrock backend serves embeddings with Amazon Titan text embedding models (amazon.titan-embed-text-*) and Cohere Embed models (cohere.embed-*), not {:?}.",
                input.model
            ),
            Some("model"),
        ));
    };
    Ok(EmbeddingsRequest {
        path: invoke_path(&input.model),
        body,
        reply: EmbeddingsReply {
            model: input.model,
            base64: input.base64,
            family,
        },
    })
}

/// Translates an InvokeModel embeddings answer; `header_tokens` is the value of
/// [`INPUT_TOKEN_COUNT_HEADER`] when Bedrock sent it.
pub fn embeddings_response(
    body: &[u8],
    reply: &EmbeddingsReply,
    header_tokens: Option<u64>,
) -> Result<Vec<u8>, String> {
    match reply.family {
        Family::Titan => titan::response(body, &reply.model, reply.base64),
        Family::Cohere => cohere::response(body, &reply.model, reply.base64, header_tokens),
    }
}
