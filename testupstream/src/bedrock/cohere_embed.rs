//! Cohere Embed models through InvokeModel (`/model/cohere.embed-*/invoke`, inference
//! profiles such as `us.cohere.embed-v4:0` included): the body checked against the v3 or v4
//! schema as Bedrock does (no `model`, `input_type` required, at most 96 texts of at most
//! 2,048 characters, `output_dimension` on v4 only), the answer the fake's deterministic
//! vectors with the input token count in Bedrock's header. This fake answers `float`
//! embeddings only.

use bytes::Bytes;
use serde_json::{Map, Value, json};

use super::error::AwsError;
use crate::cohere::INPUT_TYPES;
use crate::respond::embeddings_of;

/// The response header carrying the input tokens of an InvokeModel call.
pub const INPUT_TOKEN_COUNT_HEADER: &str = "x-amzn-bedrock-input-token-count";

const V3_KEYS: [&str; 5] = [
    "texts",
    "images",
    "input_type",
    "truncate",
    "embedding_types",
];
const V4_KEYS: [&str; 8] = [
    "texts",
    "images",
    "inputs",
    "input_type",
    "truncate",
    "embedding_types",
    "output_dimension",
    "max_tokens",
];

/// Whether `model` is a Cohere Embed model id (or an inference profile of one).
pub fn is_cohere_embed(model: &str) -> bool {
    model.contains("cohere.embed-")
}

/// What the answer depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embed {
    /// The texts to embed.
    pub texts: Vec<String>,
    /// `output_dimension`, when given.
    pub dimension: Option<usize>,
    /// `embedding_types` was given, so the answer is `embeddings_by_type`.
    pub by_type: bool,
}

/// Checks a Cohere Embed body for `model`.
pub fn validate(model: &str, body: &[u8]) -> Result<Embed, AwsError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| AwsError::validation(format!("Malformed input request: {e}")))?;
    let obj: &Map<String, Value> = value
        .as_object()
        .ok_or_else(|| AwsError::malformed("#: expected type: JSONObject"))?;
    let v4 = model.contains("embed-v4");
    let known: &[&str] = if v4 { &V4_KEYS } else { &V3_KEYS };
    if let Some(k) = obj.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(AwsError::malformed(format!(
            "#: extraneous key [{k}] is not permitted"
        )));
    }
    let texts: Vec<String> = match obj.get("texts") {
        None => return Err(AwsError::malformed("#: required key [texts] not found")),
        Some(Value::Array(items)) => items
            .iter()
            .map(|t| t.as_str().map(str::to_string))
            .collect::<Option<_>>()
            .ok_or_else(|| AwsError::malformed("#/texts: expected type: String"))?,
        Some(_) => return Err(AwsError::malformed("#/texts: expected type: JSONArray")),
    };
    if texts.is_empty() || texts.len() > 96 {
        return Err(AwsError::malformed(format!(
            "#/texts: expected between 1 and 96 items, found {}",
            texts.len()
        )));
    }
    if let Some(long) = texts.iter().find(|t| t.chars().count() > 2048) {
        return Err(AwsError::malformed(format!(
            "#/texts: expected maxLength: 2048, actual: {}",
            long.chars().count()
        )));
    }
    match obj.get("input_type").and_then(Value::as_str) {
        Some(t) if INPUT_TYPES.contains(&t) => {}
        Some(t) => {
            return Err(AwsError::malformed(format!(
                "#/input_type: {t} is not a valid enum value"
            )));
        }
        None => {
            return Err(AwsError::malformed(
                "#: required key [input_type] not found",
            ));
        }
    }
    let by_type = match obj.get("embedding_types") {
        None => false,
        Some(Value::Array(t)) if t.as_slice() == [Value::from("float")] => true,
        Some(_) => {
            return Err(AwsError::malformed(
                "#/embedding_types: this fake answers [\"float\"] only",
            ));
        }
    };
    let dimension = match obj.get("output_dimension") {
        None => None,
        Some(v) => match v.as_u64() {
            Some(d @ (256 | 512 | 1024 | 1536)) => Some(d as usize),
            _ => {
                return Err(AwsError::malformed(format!(
                    "#/output_dimension: {v} is not a valid enum value"
                )));
            }
        },
    };
    Ok(Embed {
        texts,
        dimension,
        by_type,
    })
}

/// The answer body and the input token count (the words of the texts).
pub fn answer(request: &Embed, id: &str) -> (Bytes, u64) {
    let vectors = embeddings_of(&request.texts, request.dimension);
    let tokens = request
        .texts
        .iter()
        .map(|t| t.split_whitespace().count() as u64)
        .sum();
    let (embeddings, response_type) = if request.by_type {
        (json!({ "float": vectors }), "embeddings_by_type")
    } else {
        (json!(vectors), "embeddings_floats")
    };
    let out = json!({
        "id": id,
        "texts": request.texts,
        "embeddings": embeddings,
        "response_type": response_type,
    });
    (Bytes::from(out.to_string()), tokens)
}
