//! OpenAI `/v1/embeddings` to Amazon Titan text embeddings through InvokeModel
//! (`POST /model/{modelId}/invoke`, `{"inputText", "dimensions"}`) and back.
//!
//! Titan embeds one text per call, so the input must be one string (or a one-element array).
//! `usage` is Titan's `inputTextTokenCount`. `encoding_format: base64` (the `openai` Python
//! client's default) is honoured by encoding the float32 values little-endian, as OpenAI does.

use super::invoke_path;
use crate::openai::error::OpenAiError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// A translated embeddings request.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbeddingsRequest {
    /// The upstream path (`/model/{modelId}/invoke`).
    pub path: String,
    /// The Titan request body.
    pub body: Vec<u8>,
    /// The model sent, reported as the response `model`.
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
    if !model.contains("titan-embed") {
        return Err(OpenAiError::bad_request(
            format!(
                "A Bedrock backend serves embeddings with Amazon Titan text embedding models (amazon.titan-embed-text-*), not {model:?}."
            ),
            Some("model"),
        ));
    }
    let text = match request.get("input") {
        Some(Value::String(text)) => text,
        Some(Value::Array(items)) if items.len() == 1 && items[0].is_string() => {
            items[0].as_str().unwrap_or_default()
        }
        _ => {
            return Err(OpenAiError::bad_request(
                "'input' must be one string for a Titan embedding model (it embeds one text per request).",
                Some("input"),
            ));
        }
    };
    let mut out = json!({ "inputText": text });
    match request.get("dimensions") {
        None | Some(Value::Null) => {}
        Some(Value::Number(n)) if n.as_u64().is_some_and(|d| d > 0) => {
            out["dimensions"] = json!(n);
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
    Ok(EmbeddingsRequest {
        path: invoke_path(model),
        body: out.to_string().into_bytes(),
        model: model.to_string(),
        base64,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TitanResponse {
    embedding: Vec<f32>,
    #[serde(default)]
    input_text_token_count: u64,
}

/// Translates a Titan response body (`{"embedding": [...], "inputTextTokenCount": N}`).
pub fn embeddings_response(body: &[u8], model: &str, base64: bool) -> Result<Vec<u8>, String> {
    let response: TitanResponse = serde_json::from_slice(body)
        .map_err(|e| format!("unreadable Titan embeddings response: {e}"))?;
    let vector = if base64 {
        let bytes: Vec<u8> = response
            .embedding
            .iter()
            .flat_map(|f| f.to_le_bytes())
            .collect();
        Value::String(STANDARD.encode(bytes))
    } else {
        json!(response.embedding)
    };
    let tokens = response.input_text_token_count;
    let out = json!({
        "object": "list",
        "data": [{ "object": "embedding", "index": 0, "embedding": vector }],
        "model": model,
        "usage": { "prompt_tokens": tokens, "total_tokens": tokens },
    });
    Ok(out.to_string().into_bytes())
}
