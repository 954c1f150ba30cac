//! OpenAI `/v1/embeddings` to Cohere `/v2/embed` and back.
//!
//! The inputs become `texts`; `input_type` is `search_document` unless the request names
//! another Cohere input type in an `input_type` member (an extension of the OpenAI body);
//! `embedding_types` is `["float"]`; `dimensions` becomes `output_dimension`. Usage comes
//! from `meta.billed_units.input_tokens`.

use super::EMBED_PATH;
use crate::openai::embeddings::{
    EmbeddingsInput, EmbeddingsRequest, list_response, vector_of_values,
};
use crate::openai::error::OpenAiError;
use serde_json::{Map, Value, json};

/// Cohere's `input_type` values.
const INPUT_TYPES: [&str; 5] = [
    "search_document",
    "search_query",
    "classification",
    "clustering",
    "image",
];

/// Translates an OpenAI embeddings request body; `model_override` replaces its model.
pub fn embeddings_request(
    body: &[u8],
    model_override: Option<&str>,
) -> Result<EmbeddingsRequest, OpenAiError> {
    let input = EmbeddingsInput::read(body, model_override, "Cohere")?;
    let mut out = json!({
        "model": input.model,
        "texts": input.texts,
        "input_type": input_type(&input.rest)?,
        "embedding_types": ["float"],
    });
    if let Some(d) = input.dimensions {
        out["output_dimension"] = d.into();
    }
    Ok(EmbeddingsRequest {
        path: EMBED_PATH.to_string(),
        body: out.to_string().into_bytes(),
        model: input.model,
        base64: input.base64,
    })
}

/// The Cohere `input_type` of a request: its `input_type` member, `search_document` when
/// it has none. Cohere models on Bedrock take the same values.
pub(crate) fn input_type(rest: &Map<String, Value>) -> Result<&str, OpenAiError> {
    match rest.get("input_type") {
        None | Some(Value::Null) => Ok("search_document"),
        Some(Value::String(t)) if INPUT_TYPES.contains(&t.as_str()) => Ok(t),
        Some(_) => Err(OpenAiError::bad_request(
            format!("'input_type' must be one of {}.", INPUT_TYPES.join(", ")),
            Some("input_type"),
        )),
    }
}

/// The OpenAI vectors of the float embeddings of a Cohere answer (`embeddings.float`, as
/// `/v2/embed` and Bedrock's `embeddings_by_type` answers carry them).
pub(crate) fn float_vectors(response: &Value, base64: bool) -> Result<Vec<Value>, &'static str> {
    let vectors = response
        .get("embeddings")
        .and_then(|e| e.get("float"))
        .and_then(Value::as_array)
        .ok_or("Cohere embeddings response has no 'embeddings.float' array")?;
    openai_vectors(vectors, base64)
}

/// The OpenAI vectors of Cohere's float arrays, in order.
pub(crate) fn openai_vectors(arrays: &[Value], base64: bool) -> Result<Vec<Value>, &'static str> {
    arrays
        .iter()
        .map(|values| {
            let values = values
                .as_array()
                .ok_or("a Cohere embedding is not an array")?;
            vector_of_values(values, base64)
        })
        .collect()
}

/// Translates a `/v2/embed` response body (`{"embeddings":{"float":[[..]]},"meta":..}`).
pub fn embeddings_response(body: &[u8], model: &str, base64: bool) -> Result<Vec<u8>, String> {
    let response: Value = serde_json::from_slice(body)
        .map_err(|e| format!("Cohere embeddings response is not JSON: {e}"))?;
    let vectors = float_vectors(&response, base64)?;
    let tokens = response
        .get("meta")
        .and_then(|m| m.get("billed_units"))
        .and_then(|b| b.get("input_tokens"))
        .and_then(Value::as_u64)
        .unwrap_or(0);
    Ok(list_response(vectors, model, tokens))
}
