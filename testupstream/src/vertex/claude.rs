//! Claude on Vertex AI (`rawPredict` / `streamRawPredict`): the Messages body without
//! `model` (it is in the path) and with `anthropic_version: "vertex-2023-10-16"`, checked
//! and answered as the Anthropic flavour does; errors in Anthropic's format.

use serde_json::Value;

use crate::anthropic::validate::{Request, parse as parse_messages};
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

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"{"anthropic_version":"vertex-2023-10-16","max_tokens":8,"messages":[{"role":"user","content":"hi there"}]}"#;

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
