//! Claude on Vertex AI (`rawPredict` / `streamRawPredict`): the Messages body without
//! `model` (it is in the path) and with `anthropic_version: "vertex-2023-10-16"`, checked
//! and answered as the Anthropic flavour does; errors in Anthropic's format.

use serde_json::Value;

use crate::anthropic::validate::{
    Request, parse as parse_messages, parse_count as parse_count_body,
};
use crate::error::ApiError;

/// The only `anthropic_version` Vertex AI accepts in the body.
pub const VERSION: &str = "vertex-2023-10-16";

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::invalid("body", message)
}

/// Checks a Vertex Messages body for `model` (from the path) and whether the method
/// streams: returns the request as the Anthropic flavour sees it.
pub fn parse(body: &[u8], model: &str, streaming_method: bool) -> Result<Request, ApiError> {
    let mut obj = match serde_json::from_slice(body) {
        Ok(Value::Object(obj)) => obj,
        Ok(_) => return Err(invalid("Request body must be a JSON object")),
        Err(e) => return Err(invalid(format!("Request body is not valid JSON: {e}"))),
    };
    match obj.remove("anthropic_version") {
        None => return Err(invalid("anthropic_version: Field required")),
        Some(Value::String(v)) if v == VERSION => {}
        Some(v) => {
            return Err(invalid(format!(
                "anthropic_version: Input should be '{VERSION}', got {v}"
            )));
        }
    }
    if obj.contains_key("model") {
        return Err(invalid(
            "model: Extra inputs are not permitted (the model is named in the URL)",
        ));
    }
    obj.insert("model".into(), Value::String(model.to_string()));
    let body = serde_json::to_vec(&obj).map_err(|e| invalid(e.to_string()))?;
    let request = parse_messages(&body)?;
    if request.stream != streaming_method {
        return Err(invalid(if streaming_method {
            "stream: streamRawPredict needs \"stream\": true"
        } else {
            "stream: rawPredict does not stream; use streamRawPredict"
        }));
    }
    Ok(request)
}

/// Checks a `count-tokens:rawPredict` body: the Anthropic `count_tokens` body with `model`
/// (a Claude model) in it, no `anthropic_version` other than Vertex's; returns the count.
pub fn parse_count(body: &[u8]) -> Result<u64, ApiError> {
    let mut obj = match serde_json::from_slice(body) {
        Ok(Value::Object(obj)) => obj,
        Ok(_) => return Err(invalid("Request body must be a JSON object")),
        Err(e) => return Err(invalid(format!("Request body is not valid JSON: {e}"))),
    };
    match obj.remove("anthropic_version") {
        None => {}
        Some(Value::String(v)) if v == VERSION => {}
        Some(v) => {
            return Err(invalid(format!(
                "anthropic_version: Input should be '{VERSION}', got {v}"
            )));
        }
    }
    match obj.get("model").and_then(Value::as_str) {
        Some(model) if model.starts_with("claude") => {}
        Some(model) => {
            return Err(invalid(format!(
                "model: {model} does not support counting tokens"
            )));
        }
        None => return Err(invalid("model: Field required")),
    }
    let body = serde_json::to_vec(&obj).map_err(|e| invalid(e.to_string()))?;
    Ok(parse_count_body(&body)?.input_tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"{"anthropic_version":"vertex-2023-10-16","max_tokens":8,"messages":[{"role":"user","content":"hi there"}]}"#;

    #[test]
    fn counts_with_the_model_in_the_body() {
        let ok = br#"{"model":"claude-x@1","messages":[{"role":"user","content":"one two"}]}"#;
        assert!(parse_count(ok).unwrap() >= 2);
        for bad in [
            &br#"{"messages":[{"role":"user","content":"x"}]}"#[..],
            br#"{"model":"gemini-x","messages":[{"role":"user","content":"x"}]}"#,
            br#"{"model":"claude-x","anthropic_version":"2023-06-01","messages":[{"role":"user","content":"x"}]}"#,
            br#"{"model":"claude-x","max_tokens":5,"messages":[{"role":"user","content":"x"}]}"#,
        ] {
            assert!(parse_count(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn accepts_the_vertex_shape_only() {
        let r = parse(OK.as_bytes(), "claude-x@1", false).unwrap();
        assert_eq!((r.model.as_str(), r.stream), ("claude-x@1", false));
        for (body, streaming, want) in [
            (
                OK.replace("\"anthropic_version\":\"vertex-2023-10-16\",", ""),
                false,
                "anthropic_version: Field required",
            ),
            (
                OK.replace("vertex-2023-10-16", "2023-06-01"),
                false,
                "anthropic_version: Input should be",
            ),
            (
                OK.replace("{", "{\"model\":\"claude-x\","),
                false,
                "model: Extra inputs",
            ),
            (OK.to_string(), true, "streamRawPredict needs"),
            (OK.replace("\"max_tokens\":8,", ""), false, "max_tokens"),
        ] {
            let e = parse(body.as_bytes(), "claude-x", streaming).unwrap_err();
            assert_eq!(e.status, 400);
            assert!(e.message.contains(want), "{}", e.message);
        }
    }
}
