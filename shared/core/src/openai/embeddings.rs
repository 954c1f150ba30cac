//! The OpenAI `/v1/embeddings` body as the translating backends (Gemini, Vertex AI, Cohere,
//! Bedrock) see it: the request read and checked once, and the list response they all
//! answer with. `encoding_format: base64` (the `openai` Python client's default) is
//! honoured by encoding the float32 values little-endian, as OpenAI does.

use crate::openai::error::OpenAiError;
use crate::openai::request::json_object;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

/// An embeddings request translated for a backend.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbeddingsRequest {
    /// The upstream `:path` (before any prefix the backend adds).
    pub path: String,
    /// The backend's request body.
    pub body: Vec<u8>,
    /// The model sent, reported as the response `model`.
    pub model: String,
    /// The client asked for base64-encoded vectors.
    pub base64: bool,
}

/// An OpenAI embeddings request whose input is text.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbeddingsInput {
    /// The model: the override when there is one, else the body's `model`.
    pub model: String,
    /// The texts to embed, in the client's order (at least one).
    pub texts: Vec<String>,
    /// The requested `dimensions`, a positive integer.
    pub dimensions: Option<u64>,
    /// The client asked for base64-encoded vectors.
    pub base64: bool,
    /// The other members of the body (`input_type`, `user`, ...).
    pub rest: Map<String, Value>,
}

impl EmbeddingsInput {
    /// Reads an embeddings body; `model_override` replaces its model, and `backend` names the
    /// backend in the error for token-array input, which none of them takes.
    pub fn read(
        body: &[u8],
        model_override: Option<&str>,
        backend: &str,
    ) -> Result<Self, OpenAiError> {
        let mut rest = json_object(body)?;
        let model = match (model_override, rest.remove("model")) {
            (Some(model), _) => model.to_string(),
            (None, Some(Value::String(model))) if !model.is_empty() => model,
            _ => {
                return Err(OpenAiError::bad_request(
                    "you must provide a model parameter",
                    Some("model"),
                ));
            }
        };
        let texts = match rest.remove("input") {
            Some(Value::String(text)) => vec![text],
            Some(Value::Array(items))
                if !items.is_empty() && items.iter().all(Value::is_string) =>
            {
                items
                    .into_iter()
                    .filter_map(|item| match item {
                        Value::String(text) => Some(text),
                        _ => None,
                    })
                    .collect()
            }
            _ => {
                return Err(OpenAiError::bad_request(
                    format!(
                        "'input' must be a string or a non-empty array of strings for the {backend} backend (token arrays are not supported)."
                    ),
                    Some("input"),
                ));
            }
        };
        let dimensions = match rest.remove("dimensions") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) if n.as_u64().is_some_and(|d| d > 0) => n.as_u64(),
            Some(_) => {
                return Err(OpenAiError::bad_request(
                    "'dimensions' must be a positive integer.",
                    Some("dimensions"),
                ));
            }
        };
        let base64 = match rest.remove("encoding_format") {
            None | Some(Value::Null) => false,
            Some(Value::String(format)) if format == "float" => false,
            Some(Value::String(format)) if format == "base64" => true,
            Some(other) => {
                let shown = other
                    .as_str()
                    .map_or_else(|| other.to_string(), str::to_string);
                return Err(OpenAiError::bad_request(
                    format!("encoding_format {shown:?} must be float or base64."),
                    Some("encoding_format"),
                ));
            }
        };
        Ok(Self {
            model,
            texts,
            dimensions,
            base64,
            rest,
        })
    }
}

/// An embedding as OpenAI returns it from JSON numbers: the numbers, or with `base64` their
/// float32 little-endian bytes in base64.
pub fn vector_of_values(values: &[Value], base64: bool) -> Result<Value, &'static str> {
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

/// The OpenAI list body: one `embedding` object per vector, in order, and the usage.
pub fn list_response(vectors: Vec<Value>, model: &str, prompt_tokens: u64) -> Vec<u8> {
    let data: Vec<Value> = vectors
        .into_iter()
        .enumerate()
        .map(
            |(index, vector)| json!({ "object": "embedding", "index": index, "embedding": vector }),
        )
        .collect();
    json!({
        "object": "list",
        "data": data,
        "model": model,
        "usage": { "prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens },
    })
    .to_string()
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(body: Value) -> Result<EmbeddingsInput, OpenAiError> {
        EmbeddingsInput::read(body.to_string().as_bytes(), None, "Test")
    }

    #[test]
    fn reads_texts_dimensions_format_and_keeps_the_rest() {
        let input = read(json!({
            "model": "m", "input": ["a", "b"], "dimensions": 256,
            "encoding_format": "base64", "input_type": "search_query"
        }))
        .unwrap();
        assert_eq!(input.model, "m");
        assert_eq!(input.texts, ["a", "b"]);
        assert_eq!(input.dimensions, Some(256));
        assert!(input.base64);
        assert_eq!(
            input.rest,
            json!({"input_type": "search_query"})
                .as_object()
                .cloned()
                .unwrap()
        );
        let one = read(json!({"model": "m", "input": "x"})).unwrap();
        assert_eq!(
            (one.texts, one.dimensions, one.base64),
            (vec!["x".to_string()], None, false)
        );
    }

    #[test]
    fn the_override_wins_and_a_model_is_required() {
        let body = br#"{"model":"asked","input":"x"}"#;
        let input = EmbeddingsInput::read(body, Some("served"), "Test").unwrap();
        assert_eq!(input.model, "served");
        for body in [json!({"input": "x"}), json!({"model": "", "input": "x"})] {
            assert_eq!(read(body).unwrap_err().param, Some("model"));
        }
    }

    #[test]
    fn refuses_what_no_backend_takes() {
        let cases = [
            (json!({"model": "m", "input": [1, 2]}), "input"),
            (json!({"model": "m", "input": []}), "input"),
            (
                json!({"model": "m", "input": "x", "dimensions": 0}),
                "dimensions",
            ),
            (
                json!({"model": "m", "input": "x", "dimensions": "8"}),
                "dimensions",
            ),
            (
                json!({"model": "m", "input": "x", "encoding_format": "int8"}),
                "encoding_format",
            ),
            (
                json!({"model": "m", "input": "x", "encoding_format": 3}),
                "encoding_format",
            ),
        ];
        for (body, param) in cases {
            let e = read(body.clone()).unwrap_err();
            assert_eq!((e.status, e.param), (400, Some(param)), "{body}");
        }
        let e = read(json!({"model": "m", "input": [[1]]})).unwrap_err();
        assert!(e.message.contains("for the Test backend"), "{}", e.message);
        assert!(EmbeddingsInput::read(b"[1]", None, "Test").is_err());
    }

    #[test]
    fn vectors_are_floats_or_little_endian_base64() {
        let values = [json!(1.0), json!(-2.5)];
        assert_eq!(
            vector_of_values(&values, false).unwrap(),
            json!([1.0, -2.5])
        );
        let encoded = vector_of_values(&values, true).unwrap();
        let bytes = STANDARD.decode(encoded.as_str().unwrap()).unwrap();
        assert_eq!(
            bytes,
            [1.0f32.to_le_bytes(), (-2.5f32).to_le_bytes()].concat()
        );
        assert!(vector_of_values(&[json!("x")], true).is_err());
    }

    #[test]
    fn the_list_numbers_vectors_in_order() {
        let body = list_response(vec![json!([1]), json!([2])], "m", 7);
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            v["data"][1],
            json!({"object": "embedding", "index": 1, "embedding": [2]})
        );
        assert_eq!(v["usage"], json!({"prompt_tokens": 7, "total_tokens": 7}));
        assert_eq!(
            (v["object"].as_str(), v["model"].as_str()),
            (Some("list"), Some("m"))
        );
    }
}
