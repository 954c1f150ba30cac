//! Amazon Titan text embeddings through InvokeModel (`/model/amazon.titan-embed-text-*/invoke`):
//! the body checked as Titan does (InvokeModel's "Malformed input request" messages), the
//! answer the fake's deterministic vector of the text.

use bytes::Bytes;
use serde_json::{Value, json};

use super::error::AwsError;
use crate::respond::{EMBEDDING_DIMS, embedding_of_size};

/// Checks a Titan embeddings body; returns the text and the requested dimensions.
pub fn validate(body: &[u8]) -> Result<(String, Option<u64>), AwsError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| AwsError::validation(format!("Malformed input request: {e}")))?;
    let obj = value
        .as_object()
        .ok_or_else(|| AwsError::malformed("#: expected type: JSONObject"))?;
    if let Some(k) = obj
        .keys()
        .find(|k| !["inputText", "dimensions", "normalize", "embeddingTypes"].contains(&k.as_str()))
    {
        return Err(AwsError::malformed(format!(
            "#: extraneous key [{k}] is not permitted"
        )));
    }
    let text = match obj.get("inputText") {
        None => return Err(AwsError::malformed("#: required key [inputText] not found")),
        Some(Value::String(t)) if !t.is_empty() => t.clone(),
        Some(Value::String(_)) => {
            return Err(AwsError::malformed(
                "#/inputText: expected minLength: 1, actual: 0",
            ));
        }
        Some(_) => return Err(AwsError::malformed("#/inputText: expected type: String")),
    };
    let dimensions = match obj.get("dimensions") {
        None => None,
        Some(v) => match v.as_u64() {
            Some(d @ (256 | 512 | 1024)) => Some(d),
            _ => {
                return Err(AwsError::malformed(format!(
                    "#/dimensions: {v} is not a valid enum value"
                )));
            }
        },
    };
    if obj.get("normalize").is_some_and(|v| !v.is_boolean()) {
        return Err(AwsError::malformed("#/normalize: expected type: Boolean"));
    }
    Ok((text, dimensions))
}

/// The Titan answer: the text's vector (cut or repeated to `dimensions`) and its word count.
pub fn answer(text: &str, dimensions: Option<u64>) -> Bytes {
    let dims = dimensions.map_or(EMBEDDING_DIMS, |d| d as usize);
    let values = embedding_of_size(text, dims);
    let out =
        json!({ "embedding": values, "inputTextTokenCount": text.split_whitespace().count() });
    Bytes::from(out.to_string())
}
