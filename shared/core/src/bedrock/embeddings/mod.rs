//! OpenAI `/v1/embeddings` to embedding models on Bedrock through InvokeModel
//! (`POST /model/{modelId}/invoke`) and back: Amazon Titan text embeddings ([`titan`]) and
//! Cohere Embed v3/v4 ([`cohere`]), told apart by the model id.
//!
//! Usage is Titan's `inputTextTokenCount`; Cohere answers carry no count, so it comes from
//! Bedrock's `X-Amzn-Bedrock-Input-Token-Count` response header.

mod cohere;
mod titan;

use super::invoke_path;
use crate::openai::embeddings::{EmbeddingsInput, EmbeddingsRequest};
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

impl Family {
    /// The family of `model` (an id, or an inference profile of one), if it is served.
    pub fn of(model: &str) -> Option<Self> {
        if model.contains("titan-embed") {
            Some(Self::Titan)
        } else if model.contains("cohere.embed") {
            Some(Self::Cohere)
        } else {
            None
        }
    }
}

/// Translates an OpenAI embeddings request body; `model_override` replaces its model.
pub fn embeddings_request(
    body: &[u8],
    model_override: Option<&str>,
) -> Result<EmbeddingsRequest, OpenAiError> {
    let input = EmbeddingsInput::read(body, model_override, "Bedrock")?;
    let body = match Family::of(&input.model) {
        Some(Family::Titan) => titan::request_body(&input)?,
        Some(Family::Cohere) => cohere::request_body(&input)?,
        None => {
            return Err(OpenAiError::bad_request(
                format!(
                    "A Bedrock backend serves embeddings with Amazon Titan text embedding models (amazon.titan-embed-text-*) and Cohere Embed models (cohere.embed-*), not {:?}.",
                    input.model
                ),
                Some("model"),
            ));
        }
    };
    Ok(EmbeddingsRequest {
        path: invoke_path(&input.model),
        body,
        model: input.model,
        base64: input.base64,
    })
}

/// Translates the InvokeModel embeddings answer of `model`; `header_tokens` is the value of
/// [`INPUT_TOKEN_COUNT_HEADER`] when Bedrock sent it.
pub fn embeddings_response(
    body: &[u8],
    model: &str,
    base64: bool,
    header_tokens: Option<u64>,
) -> Result<Vec<u8>, String> {
    match Family::of(model) {
        Some(Family::Titan) => titan::response(body, model, base64),
        Some(Family::Cohere) => cohere::response(body, model, base64, header_tokens),
        None => Err(format!(
            "{model:?} is not an embedding model this backend serves"
        )),
    }
}
