//! CountTokens (`POST /model/{modelId}/count-tokens`): the body is `{"input": <union>}`
//! with exactly one of `invokeModel` (`{"body": <base64 of an InvokeModel body>}`) and
//! `converse` (`{"messages", "system"}`). Only Claude models count tokens; an InvokeModel
//! body is checked as InvokeModel would check it. The answer is `{"inputTokens": N}`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use serde_json::{Value, json};

use super::claude;
use super::error::AwsError;
use super::validate;

/// Checks a CountTokens body for `model`; returns the answer body.
pub fn answer(body: &[u8], model: &str) -> Result<Bytes, AwsError> {
    if !claude::is_claude(model) {
        return Err(AwsError::validation(
            "The provided model doesn't support counting tokens.",
        ));
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| AwsError::serialization(format!("Could not parse the request body: {e}")))?;
    let input = match value.as_object() {
        Some(top) if top.len() == 1 && top.contains_key("input") => &top["input"],
        _ => {
            return Err(AwsError::validation(
                "1 validation error detected: the request must hold exactly the member 'input'",
            ));
        }
    };
    let union = input.as_object().filter(|u| u.len() == 1).ok_or_else(|| {
        AwsError::validation("input must set exactly one member: invokeModel or converse")
    })?;
    let tokens = match union.iter().next() {
        Some((kind, v)) if kind == "invokeModel" => {
            let encoded = v
                .as_object()
                .filter(|o| o.len() == 1)
                .and_then(|o| o.get("body"))
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    AwsError::validation("input.invokeModel must hold only 'body', a base64 blob")
                })?;
            let decoded = STANDARD.decode(encoded).map_err(|e| {
                AwsError::serialization(format!("input.invokeModel.body: invalid base64: {e}"))
            })?;
            claude::parse(&decoded, model)?.input_tokens
        }
        Some((kind, v)) if kind == "converse" => {
            let request = validate::converse(v.to_string().as_bytes())?;
            request.input_words as u64
        }
        Some((other, _)) => {
            return Err(AwsError::validation(format!(
                "Unknown member '{other}' in input"
            )));
        }
        None => unreachable!("the union has one member"),
    };
    Ok(Bytes::from(json!({ "inputTokens": tokens }).to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLAUDE: &str = "anthropic.claude-haiku-4-5-20251001-v1:0";

    fn invoke(inner: Value) -> Vec<u8> {
        let encoded = STANDARD.encode(inner.to_string());
        json!({"input": {"invokeModel": {"body": encoded}}})
            .to_string()
            .into_bytes()
    }

    #[test]
    fn counts_an_invoke_model_body_as_invoke_model_checks_it() {
        let inner = json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 1,
                           "messages": [{"role": "user", "content": "one two three"}]});
        let out: Value = serde_json::from_slice(&answer(&invoke(inner), CLAUDE).unwrap()).unwrap();
        assert!(out["inputTokens"].as_u64().unwrap() >= 3, "{out}");
        let no_version = json!({"max_tokens": 1, "messages": [{"role": "user", "content": "x"}]});
        assert!(answer(&invoke(no_version), CLAUDE).is_err());
        let with_model = json!({"anthropic_version": "bedrock-2023-05-31", "model": "m",
                                "max_tokens": 1, "messages": [{"role": "user", "content": "x"}]});
        assert!(answer(&invoke(with_model), CLAUDE).is_err());
    }

    #[test]
    fn refuses_other_shapes_and_models() {
        let ok = json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 1,
                        "messages": [{"role": "user", "content": "x"}]});
        assert!(answer(&invoke(ok.clone()), "amazon.nova-lite-v1:0").is_err());
        for bad in [
            json!({"invokeModel": {"body": "x"}}),
            json!({"input": {}}),
            json!({"input": {"invokeModel": {"body": "!!"}}}),
            json!({"input": {"invokeModel": {"body": STANDARD.encode(ok.to_string())}, "converse": {}}}),
        ] {
            assert!(answer(bad.to_string().as_bytes(), CLAUDE).is_err(), "{bad}");
        }
        let converse = json!({"input": {"converse": {"messages": [{"role": "user", "content": [{"text": "a b"}]}]}}});
        let out: Value =
            serde_json::from_slice(&answer(converse.to_string().as_bytes(), CLAUDE).unwrap())
                .unwrap();
        assert_eq!(out["inputTokens"], 2);
    }
}
