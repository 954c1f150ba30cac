//! OpenAI `/v1/embeddings` to the Vertex AI text-embedding `predict` method and back.
//!
//! Each input string is one instance (`{"content": text}`); `dimensions` becomes
//! `parameters.outputDimensionality`. Vertex reports a token count per instance
//! (`statistics.token_count`), summed into `usage`.

use crate::gemini::path::{model_id, predict_path};
use crate::openai::embeddings::{
    EmbeddingsInput, EmbeddingsRequest, list_response, vector_of_values,
};
use crate::openai::error::OpenAiError;
use serde_json::{Value, json};

/// Translates an OpenAI embeddings request body; `model_override` replaces its model.
pub fn predict_request(
    body: &[u8],
    model_override: Option<&str>,
) -> Result<EmbeddingsRequest, OpenAiError> {
    let input = EmbeddingsInput::read(body, model_override, "Vertex AI")?;
    let id = model_id(&input.model)?;
    let instances: Vec<Value> = input
        .texts
        .iter()
        .map(|text| json!({ "content": text }))
        .collect();
    let mut out = json!({ "instances": instances });
    if let Some(d) = input.dimensions {
        out["parameters"] = json!({ "outputDimensionality": d });
    }
    Ok(EmbeddingsRequest {
        path: predict_path(id),
        body: out.to_string().into_bytes(),
        model: id.to_string(),
        base64: input.base64,
    })
}

/// Translates a `predict` response body
/// (`{"predictions":[{"embeddings":{"values":[..],"statistics":{"token_count":N}}}]}`).
pub fn predict_response(body: &[u8], model: &str, base64: bool) -> Result<Vec<u8>, String> {
    let response: Value = serde_json::from_slice(body)
        .map_err(|e| format!("Vertex AI predict response is not JSON: {e}"))?;
    let predictions = response
        .get("predictions")
        .and_then(Value::as_array)
        .ok_or("Vertex AI predict response has no 'predictions' array")?;
    let mut vectors = Vec::with_capacity(predictions.len());
    let mut tokens = 0u64;
    for prediction in predictions {
        let embeddings = prediction
            .get("embeddings")
            .ok_or("a Vertex AI prediction has no 'embeddings'")?;
        let values = embeddings
            .get("values")
            .and_then(Value::as_array)
            .ok_or("a Vertex AI embedding has no 'values' array")?;
        tokens += embeddings
            .get("statistics")
            .and_then(|s| s.get("token_count"))
            .and_then(Value::as_f64)
            .map_or(0, |n| n as u64);
        vectors.push(vector_of_values(values, base64)?);
    }
    Ok(list_response(vectors, model, tokens))
}
