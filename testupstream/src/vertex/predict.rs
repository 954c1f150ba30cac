//! The text-embedding `predict` method: `{"instances":[{"content"}],"parameters"}` checked as
//! Vertex AI does, answered with deterministic vectors and per-instance token counts.

use bytes::Bytes;
use serde_json::{Map, Value, json};

use crate::gemini::error::GoogleError;
use crate::gemini::validate::body_object;
use crate::respond::{EMBEDDING_DIMS, embedding_of_size};
use crate::validate::word_count;

/// Most instances one request may carry.
const MAX_INSTANCES: usize = 250;

/// A checked `predict` request: each instance's text and the output dimensionality.
#[derive(Debug, Clone, PartialEq)]
pub struct Predict {
    /// `instances[].content`, in order.
    pub texts: Vec<String>,
    /// `parameters.outputDimensionality`.
    pub dimensions: Option<u64>,
}

fn unknown(at: &str, name: &str) -> GoogleError {
    GoogleError::invalid(format!(
        "Invalid JSON payload received. Unknown name \"{name}\" at '{at}': Cannot find field."
    ))
}

fn check_known(obj: &Map<String, Value>, known: &[&str], at: &str) -> Result<(), GoogleError> {
    match obj.keys().find(|k| !known.contains(&k.as_str())) {
        Some(name) => Err(unknown(at, name)),
        None => Ok(()),
    }
}

/// Checks a `predict` body for a text-embedding model.
pub fn parse(body: &[u8]) -> Result<Predict, GoogleError> {
    let obj = body_object(body)?;
    check_known(&obj, &["instances", "parameters"], "")?;
    let instances = match obj.get("instances") {
        Some(Value::Array(items)) if !items.is_empty() => items,
        _ => {
            return Err(GoogleError::invalid(
                "instances: a non-empty list is required",
            ));
        }
    };
    if instances.len() > MAX_INSTANCES {
        return Err(GoogleError::invalid(format!(
            "instances: at most {MAX_INSTANCES} instances are allowed, got {}",
            instances.len()
        )));
    }
    let mut texts = Vec::with_capacity(instances.len());
    for (i, instance) in instances.iter().enumerate() {
        let at = format!("instances[{i}]");
        let instance = instance
            .as_object()
            .ok_or_else(|| GoogleError::invalid(format!("{at}: expected an object")))?;
        check_known(instance, &["content", "task_type", "title"], &at)?;
        match instance.get("content") {
            Some(Value::String(text)) if !text.trim().is_empty() => texts.push(text.clone()),
            _ => {
                return Err(GoogleError::invalid(format!(
                    "{at}.content: a non-empty string is required"
                )));
            }
        }
    }
    let mut dimensions = None;
    if let Some(parameters) = obj.get("parameters") {
        let parameters = parameters
            .as_object()
            .ok_or_else(|| GoogleError::invalid("parameters: expected an object"))?;
        check_known(
            parameters,
            &["outputDimensionality", "autoTruncate"],
            "parameters",
        )?;
        if let Some(d) = parameters.get("outputDimensionality") {
            dimensions = Some(
                d.as_u64()
                    .filter(|d| (1..=3072).contains(d))
                    .ok_or_else(|| {
                        GoogleError::invalid("parameters.outputDimensionality: must be 1-3072")
                    })?,
            );
        }
    }
    Ok(Predict { texts, dimensions })
}

/// The `predict` response body.
pub fn respond(request: &Predict) -> Bytes {
    let dims = request.dimensions.map_or(EMBEDDING_DIMS, |d| d as usize);
    let predictions: Vec<Value> = request
        .texts
        .iter()
        .map(|text| {
            let values = embedding_of_size(text, dims);
            json!({"embeddings": {
                "statistics": {"truncated": false, "token_count": word_count(text)},
                "values": values,
            }})
        })
        .collect();
    let characters: usize = request.texts.iter().map(|t| t.chars().count()).sum();
    Bytes::from(
        json!({"predictions": predictions, "metadata": {"billableCharacterCount": characters}})
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_answers() {
        let p = parse(
            br#"{"instances":[{"content":"a b c"}],"parameters":{"outputDimensionality":3}}"#,
        )
        .unwrap();
        assert_eq!(p.dimensions, Some(3));
        let v: Value = serde_json::from_slice(&respond(&p)).unwrap();
        assert_eq!(
            v["predictions"][0]["embeddings"]["statistics"]["token_count"],
            3
        );
        assert_eq!(
            v["predictions"][0]["embeddings"]["values"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
        for bad in [
            &br#"{"instances":[]}"#[..],
            br#"{"instances":[{"content":""}]}"#,
            br#"{"instances":[{"text":"x"}]}"#,
            br#"{"instances":[{"content":"x"}],"model":"m"}"#,
            br#"{"instances":[{"content":"x"}],"parameters":{"outputDimensionality":0}}"#,
        ] {
            assert_eq!(parse(bad).unwrap_err().status, 400);
        }
    }
}
