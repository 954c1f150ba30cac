//! OpenAI `/v1/embeddings` to Gemini `batchEmbedContents` and back.
//!
//! Each input string is one `EmbedContentRequest`; `dimensions` becomes
//! `outputDimensionality`. Gemini reports no token counts for embeddings, so `usage` is 0.

use super::path::{embed_path, model_id};
use crate::openai::embeddings::{
    EmbeddingsInput, EmbeddingsRequest, list_response, vector_of_values,
};
use crate::openai::error::OpenAiError;
use serde_json::{Value, json};

/// Translates an OpenAI embeddings request body; `model_override` replaces its model.
pub fn embeddings_request(
    body: &[u8],
    model_override: Option<&str>,
) -> Result<EmbeddingsRequest, OpenAiError> {
    let input = EmbeddingsInput::read(body, model_override, "Gemini")?;
    let id = model_id(&input.model)?;
    let full_name = format!("models/{id}");
    let requests: Vec<Value> = input
        .texts
        .iter()
        .map(|text| {
            let mut one = json!({ "model": full_name, "content": { "parts": [{ "text": text }] } });
            if let Some(d) = input.dimensions {
                one["outputDimensionality"] = d.into();
            }
            one
        })
        .collect();
    Ok(EmbeddingsRequest {
        path: embed_path(id),
        body: json!({ "requests": requests }).to_string().into_bytes(),
        model: id.to_string(),
        base64: input.base64,
    })
}

/// Translates a `batchEmbedContents` response body (`{"embeddings":[{"values":[..]}]}`).
pub fn embeddings_response(body: &[u8], model: &str, base64: bool) -> Result<Vec<u8>, String> {
    let response: Value = serde_json::from_slice(body)
        .map_err(|e| format!("Gemini embeddings response is not JSON: {e}"))?;
    let embeddings = response
        .get("embeddings")
        .and_then(Value::as_array)
        .ok_or("Gemini embeddings response has no 'embeddings' array")?;
    let mut vectors = Vec::with_capacity(embeddings.len());
    for embedding in embeddings {
        let values = embedding
            .get("values")
            .and_then(Value::as_array)
            .ok_or("a Gemini embedding has no 'values' array")?;
        vectors.push(vector_of_values(values, base64)?);
    }
    Ok(list_response(vectors, model, 0))
}
