//! Amazon Titan text embeddings (`{"inputText", "dimensions"}` in,
//! `{"embedding", "inputTextTokenCount"}` out). Titan embeds one text per call, so the input
//! must be one string (or a one-element array).

use crate::openai::embeddings::{EmbeddingsInput, list_response};
use crate::openai::error::OpenAiError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::{Value, json};

/// The Titan request body of `input`.
pub(super) fn request_body(input: &EmbeddingsInput) -> Result<Vec<u8>, OpenAiError> {
    let [text] = input.texts.as_slice() else {
        return Err(OpenAiError::bad_request(
            "'input' must be one string for a Titan embedding model (it embeds one text per request).",
            Some("input"),
        ));
    };
    let mut out = json!({ "inputText": text });
    if let Some(d) = input.dimensions {
        out["dimensions"] = d.into();
    }
    Ok(out.to_string().into_bytes())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TitanResponse {
    embedding: Vec<f32>,
    #[serde(default)]
    input_text_token_count: u64,
}

/// Translates a Titan answer.
pub(super) fn response(body: &[u8], model: &str, base64: bool) -> Result<Vec<u8>, String> {
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
    Ok(list_response(
        vec![vector],
        model,
        response.input_text_token_count,
    ))
}
