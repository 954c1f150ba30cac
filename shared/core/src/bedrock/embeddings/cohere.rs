//! Cohere Embed models on Bedrock (`cohere.embed-english-v3`, `cohere.embed-multilingual-v3`,
//! `cohere.embed-v4:0` and their inference profiles). The body is Cohere's embed body
//! without `model`: `texts`, `input_type` (as for the Cohere backend: the request's
//! `input_type` member or `search_document`) and `embedding_types: ["float"]`. Only v4 takes
//! `dimensions`, as `output_dimension`.

use crate::cohere::embeddings::{float_vectors, input_type, openai_vectors};
use crate::openai::embeddings::{EmbeddingsInput, list_response};
use crate::openai::error::OpenAiError;
use serde_json::{Value, json};

/// The InvokeModel body of `input` for a Cohere Embed model.
pub(super) fn request_body(input: &EmbeddingsInput) -> Result<Vec<u8>, OpenAiError> {
    let mut out = json!({
        "texts": input.texts,
        "input_type": input_type(&input.rest)?,
        "embedding_types": ["float"],
    });
    if let Some(d) = input.dimensions {
        if !input.model.contains("embed-v4") {
            return Err(OpenAiError::bad_request(
                format!(
                    "'dimensions' is supported by Cohere Embed v4 on Bedrock, not by {:?}.",
                    input.model
                ),
                Some("dimensions"),
            ));
        }
        out["output_dimension"] = d.into();
    }
    Ok(out.to_string().into_bytes())
}

/// Translates a Cohere answer: `embeddings_by_type` (`{"embeddings": {"float": [..]}}`) or
/// `embeddings_floats` (`{"embeddings": [..]}`); the usage is `header_tokens`.
pub(super) fn response(
    body: &[u8],
    model: &str,
    base64: bool,
    header_tokens: Option<u64>,
) -> Result<Vec<u8>, String> {
    let response: Value = serde_json::from_slice(body)
        .map_err(|e| format!("Cohere embeddings response is not JSON: {e}"))?;
    let vectors = match response.get("embeddings") {
        Some(Value::Array(floats)) => openai_vectors(floats, base64)?,
        _ => float_vectors(&response, base64)?,
    };
    Ok(list_response(vectors, model, header_tokens.unwrap_or(0)))
}
