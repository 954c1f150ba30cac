//! OpenAI `/v1/embeddings` to Gemini `batchEmbedContents` and back.
//!
//! Each input string is one `EmbedContentRequest`; `dimensions` becomes
//! `outputDimensionality`. Gemini reports no token counts for embeddings, so `usage` is 0.
//! `encoding_format: base64` (the `openai` Python client's default) is honoured by
//! encoding the float32 values little-endian, as OpenAI does.

use super::path::{embed_path, model_id};
use crate::openai::error::OpenAiError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

/// A translated embeddings request.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbeddingsRequest {
    /// The upstream `:path`.
    pub path: String,
    /// The Gemini request body.
    pub body: Vec<u8>,
    /// The model sent to Gemini, reported as the response `model`.
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
            .ok_or_else(|| {
                OpenAiError::bad_request("you must provide a model parameter", Some("model"))
            })?,
    };
    let id = model_id(model)?;
    let texts: Vec<&str> = match request.get("input") {
        Some(Value::String(text)) => vec![text],
        Some(Value::Array(items)) if !items.is_empty() && items.iter().all(Value::is_string) => {
            items.iter().filter_map(Value::as_str).collect()
        }
        _ => {
            return Err(OpenAiError::bad_request(
                "'input' must be a string or a non-empty array of strings for the Gemini backend (token arrays are not supported).",
                Some("input"),
            ));
        }
    };
    let dimensions = match request.get("dimensions") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if n.as_u64().is_some_and(|d| d > 0) => n.as_u64(),
        Some(_) => {
            return Err(OpenAiError::bad_request(
                "'dimensions' must be a positive integer.",
                Some("dimensions"),
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
    let full_name = format!("models/{id}");
    let requests: Vec<Value> = texts
        .iter()
        .map(|text| {
            let mut one = json!({ "model": full_name, "content": { "parts": [{ "text": text }] } });
            if let Some(d) = dimensions {
                one["outputDimensionality"] = d.into();
            }
            one
        })
        .collect();
    Ok(EmbeddingsRequest {
        path: embed_path(id),
        body: json!({ "requests": requests }).to_string().into_bytes(),
        model: id.to_string(),
        base64,
    })
}

/// An embedding as OpenAI returns it: the floats, or with `base64` their float32
/// little-endian bytes in base64.
pub(crate) fn openai_vector(values: &[Value], base64: bool) -> Result<Value, &'static str> {
    if !base64 {
        return Ok(Value::Array(values.to_vec()));
    }
    let mut bytes = Vec::with_capacity(values.len() * 4);
    for v in values {
        let f = v.as_f64().ok_or("an embedding value is not a number")?;
        bytes.extend_from_slice(&(f as f32).to_le_bytes());
    }
    Ok(Value::String(STANDARD.encode(bytes)))
}

/// Translates a `batchEmbedContents` response body (`{"embeddings":[{"values":[..]}]}`).
pub fn embeddings_response(body: &[u8], model: &str, base64: bool) -> Result<Vec<u8>, String> {
    let response: Value = serde_json::from_slice(body)
        .map_err(|e| format!("Gemini embeddings response is not JSON: {e}"))?;
    let embeddings = response
        .get("embeddings")
        .and_then(Value::as_array)
        .ok_or("Gemini embeddings response has no 'embeddings' array")?;
    let mut data = Vec::with_capacity(embeddings.len());
    for (index, embedding) in embeddings.iter().enumerate() {
        let values = embedding
            .get("values")
            .and_then(Value::as_array)
            .ok_or("a Gemini embedding has no 'values' array")?;
        let vector = openai_vector(values, base64)?;
        data.push(json!({ "object": "embedding", "index": index, "embedding": vector }));
    }
    let out = json!({
        "object": "list",
        "data": data,
        "model": model,
        "usage": { "prompt_tokens": 0, "total_tokens": 0 },
    });
    Ok(out.to_string().into_bytes())
}
