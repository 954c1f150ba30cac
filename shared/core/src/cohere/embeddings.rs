//! OpenAI `/v1/embeddings` to Cohere `/v2/embed` and back.
//!
//! The inputs become `texts`; `input_type` is `search_document` unless the request names
//! another Cohere input type in an `input_type` member (an extension of the OpenAI body);
//! `embedding_types` is `["float"]`; `dimensions` becomes `output_dimension`.
//! `encoding_format: base64` (the `openai` Python client's default) is honoured by encoding
//! the float32 values little-endian, as OpenAI does. Usage comes from
//! `meta.billed_units.input_tokens`.

use super::EMBED_PATH;
use crate::openai::error::OpenAiError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

/// Cohere's `input_type` values.
const INPUT_TYPES: [&str; 5] = [
    "search_document",
    "search_query",
    "classification",
    "clustering",
    "image",
];

/// A translated embeddings request.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbeddingsRequest {
    /// The upstream `:path` (before the backend's prefix).
    pub path: &'static str,
    /// The Cohere request body.
    pub body: Vec<u8>,
    /// The model sent to Cohere, reported as the response `model`.
    pub model: String,
    /// The client asked for base64-encoded vectors.
    pub base64: bool,
}

/// Translates an OpenAI embeddings request body; `model_override` replaces its model.
pub fn embeddings_request(
    body: &[u8],
    model_override: Option<&str>,
) -> Result<EmbeddingsRequest, OpenAiError> {
    let request: Map<String, Value> = serde_json::from_slice(body).map_err(|e| {
        OpenAiError::bad_request(format!("The request body is not a JSON object: {e}"), None)
    })?;
    let model = match model_override {
        Some(model) => model,
        None => request
            .get("model")
            .and_then(Value::as_str)
            .filter(|m| !m.is_empty())
            .ok_or_else(|| {
                OpenAiError::bad_request("you must provide a model parameter", Some("model"))
            })?,
    };
    let texts: Vec<&Value> = match request.get("input") {
        Some(text @ Value::String(_)) => vec![text],
        Some(Value::Array(items)) if !items.is_empty() && items.iter().all(Value::is_string) => {
            items.iter().collect()
        }
        _ => {
            return Err(OpenAiError::bad_request(
                "'input' must be a string or a non-empty array of strings for the Cohere backend (token arrays are not supported).",
                Some("input"),
            ));
        }
    };
    let input_type = match request.get("input_type") {
        None | Some(Value::Null) => "search_document",
        Some(Value::String(t)) if INPUT_TYPES.contains(&t.as_str()) => t.as_str(),
        Some(_) => {
            return Err(OpenAiError::bad_request(
                format!("'input_type' must be one of {}.", INPUT_TYPES.join(", ")),
                Some("input_type"),
            ));
        }
    };
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
    let mut out = json!({
        "model": model,
        "texts": texts,
        "input_type": input_type,
        "embedding_types": ["float"],
    });
    match request.get("dimensions") {
        None | Some(Value::Null) => {}
        Some(Value::Number(n)) if n.as_u64().is_some_and(|d| d > 0) => {
            out["output_dimension"] = Value::Number(n.clone());
        }
        Some(_) => {
            return Err(OpenAiError::bad_request(
                "'dimensions' must be a positive integer.",
                Some("dimensions"),
            ));
        }
    }
    Ok(EmbeddingsRequest {
        path: EMBED_PATH,
        body: out.to_string().into_bytes(),
        model: model.to_string(),
        base64,
    })
}

/// Translates a `/v2/embed` response body (`{"embeddings":{"float":[[..]]},"meta":..}`).
pub fn embeddings_response(body: &[u8], model: &str, base64: bool) -> Result<Vec<u8>, String> {
    let response: Value = serde_json::from_slice(body)
        .map_err(|e| format!("Cohere embeddings response is not JSON: {e}"))?;
    let vectors = response
        .get("embeddings")
        .and_then(|e| e.get("float"))
        .and_then(Value::as_array)
        .ok_or("Cohere embeddings response has no 'embeddings.float' array")?;
    let mut data = Vec::with_capacity(vectors.len());
    for (index, values) in vectors.iter().enumerate() {
        let values = values
            .as_array()
            .ok_or("a Cohere embedding is not an array")?;
        let vector = if base64 {
            let mut bytes = Vec::with_capacity(values.len() * 4);
            for v in values {
                let f = v
                    .as_f64()
                    .ok_or("a Cohere embedding value is not a number")?;
                bytes.extend_from_slice(&(f as f32).to_le_bytes());
            }
            Value::String(STANDARD.encode(bytes))
        } else {
            Value::Array(values.clone())
        };
        data.push(json!({ "object": "embedding", "index": index, "embedding": vector }));
    }
    let tokens = response
        .get("meta")
        .and_then(|m| m.get("billed_units"))
        .and_then(|b| b.get("input_tokens"))
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let out = json!({
        "object": "list",
        "data": data,
        "model": model,
        "usage": { "prompt_tokens": tokens, "total_tokens": tokens },
    });
    Ok(out.to_string().into_bytes())
}
