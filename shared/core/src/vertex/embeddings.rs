//! OpenAI `/v1/embeddings` to the Vertex AI text-embedding `predict` method and back.
//!
//! Each input string is one instance (`{"content": text}`); `dimensions` becomes
//! `parameters.outputDimensionality`. Vertex reports a token count per instance
//! (`statistics.token_count`), summed into `usage`. `encoding_format: base64` is honoured by
//! encoding the float32 values little-endian, as for the Gemini API.

use crate::gemini::embeddings::openai_vector;
use crate::gemini::path::{model_id, predict_path};
use crate::openai::error::OpenAiError;
use serde_json::{Map, Value, json};

/// A translated embeddings request.
#[derive(Debug, Clone, PartialEq)]
pub struct PredictRequest {
    /// The upstream `:path` (after the project and location prefix).
    pub path: String,
    /// The `predict` request body.
    pub body: Vec<u8>,
    /// The model sent, reported as the response `model`.
    pub model: String,
    /// The client asked for base64-encoded vectors.
    pub base64: bool,
}

/// Translates an OpenAI embeddings request body; `model_override` replaces its model.
pub fn predict_request(
    body: &[u8],
    model_override: Option<&str>,
) -> Result<PredictRequest, OpenAiError> {
    let request: Map<String, Value> = serde_json::from_slice(body).map_err(|e| {
        OpenAiError::bad_request(format!("The request body is not a JSON object: {e}"), None)
    })?;
    let model = match model_override {
        Some(model) => model,
        None => request
            .get("model")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                OpenAiError::bad_request("you must provide a model parameter", Some("model"))
            })?,
    };
    let id = model_id(model)?;
    let instances: Vec<Value> = match request.get("input") {
        Some(Value::String(text)) => vec![json!({ "content": text })],
        Some(Value::Array(items)) if !items.is_empty() && items.iter().all(Value::is_string) => {
            items
                .iter()
                .map(|text| json!({ "content": text }))
                .collect()
        }
        _ => {
            return Err(OpenAiError::bad_request(
                "'input' must be a string or a non-empty array of strings for the Vertex AI backend (token arrays are not supported).",
                Some("input"),
            ));
        }
    };
    let mut out = json!({ "instances": instances });
    match request.get("dimensions") {
        None | Some(Value::Null) => {}
        Some(Value::Number(n)) if n.as_u64().is_some_and(|d| d > 0) => {
            out["parameters"] = json!({ "outputDimensionality": n });
        }
        Some(_) => {
            return Err(OpenAiError::bad_request(
                "'dimensions' must be a positive integer.",
                Some("dimensions"),
            ));
        }
    }
    let base64 = match request.get("encoding_format").and_then(Value::as_str) {
        None | Some("float") => false,
        Some("base64") => true,
        Some(other) => {
            return Err(OpenAiError::bad_request(
                format!("encoding_format {other:?} must be float or base64."),
                Some("encoding_format"),
            ));
        }
    };
    Ok(PredictRequest {
        path: predict_path(id),
        body: out.to_string().into_bytes(),
        model: id.to_string(),
        base64,
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
    let mut data = Vec::with_capacity(predictions.len());
    let mut tokens = 0u64;
    for (index, prediction) in predictions.iter().enumerate() {
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
        let vector = openai_vector(values, base64)?;
        data.push(json!({ "object": "embedding", "index": index, "embedding": vector }));
    }
    let out = json!({
        "object": "list",
        "data": data,
        "model": model,
        "usage": { "prompt_tokens": tokens, "total_tokens": tokens },
    });
    Ok(out.to_string().into_bytes())
}
