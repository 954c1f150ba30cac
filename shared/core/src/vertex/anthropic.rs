//! Anthropic's Claude models on Vertex AI: the Messages API body with the model moved into
//! the path (`/publishers/anthropic/models/{model}:rawPredict`, `:streamRawPredict` for
//! streams) and `anthropic_version: "vertex-2023-10-16"` in the body (Vertex refuses a
//! `model` member). Answers are Anthropic's; errors raised by Vertex itself (credentials,
//! paths, quotas) are Google error objects.

use crate::anthropic::error::translate_error;
use crate::anthropic::messages::error::{AnthropicError, from_openai_error};
use crate::anthropic::messages::members::Members;
use crate::anthropic::request::{ModelPlacement, PathChatRequest, translate_path_request};
use crate::gemini::error::error_response;
use crate::openai::error::OpenAiError;
use serde_json::{Value, json};

/// The `anthropic_version` Vertex AI requires in the body.
pub const ANTHROPIC_VERSION: &str = "vertex-2023-10-16";

/// The path of a Messages request for `model` (after the project and location prefix);
/// `Err` names what is wrong with a model that cannot be a path segment.
pub fn model_path(model: &str, stream: bool) -> Result<String, String> {
    let valid = !model.is_empty()
        && model
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'@'));
    if !valid {
        return Err(format!(
            "The model {model:?} is not a valid Vertex AI model id (letters, digits, '-', '.', '_', '@')."
        ));
    }
    let method = if stream {
        "streamRawPredict"
    } else {
        "rawPredict"
    };
    Ok(format!("/publishers/anthropic/models/{model}:{method}"))
}

/// Translates an OpenAI chat completion body; `model_override` replaces the model.
pub fn chat_request(
    body: &[u8],
    model_override: Option<&str>,
) -> Result<PathChatRequest, OpenAiError> {
    let placement = ModelPlacement::Path {
        anthropic_version: ANTHROPIC_VERSION,
        stream_in_body: true,
    };
    translate_path_request(placement, model_path, body, model_override)
}

/// A client's Messages request rewritten for Vertex AI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessagesPassthrough {
    /// The upstream `:path` (after the project and location prefix).
    pub path: String,
    /// The body without `model`, with `anthropic_version`.
    pub body: Vec<u8>,
}

/// Rewrites a client's Messages body (the router checked `model`, `messages` and `stream`):
/// `model` (or `model_override`) goes into the path, `anthropic_version` into the body. Only
/// the top-level members are parsed; their values are copied verbatim.
pub fn messages_request(
    body: &[u8],
    model_override: Option<&str>,
) -> Result<MessagesPassthrough, AnthropicError> {
    let mut members = Members::parse(body)?;
    let model = members.model(model_override)?;
    members.remove("model");
    let path =
        model_path(&model, members.is_true("stream")).map_err(AnthropicError::bad_request)?;
    members.set("anthropic_version", &ANTHROPIC_VERSION)?;
    let body = members.encode()?;
    Ok(MessagesPassthrough { path, body })
}

/// The path of Claude token counting (after the project and location prefix).
pub const COUNT_TOKENS_PATH: &str = "/publishers/anthropic/models/count-tokens:rawPredict";

/// Rewrites a client's `count_tokens` body for Vertex AI's Claude count-tokens endpoint,
/// which names the model in the body: `model_override` replaces `model`, which must be a
/// valid Vertex model id; everything else is copied verbatim. The answer is Anthropic's
/// `{"input_tokens": N}`.
pub fn count_tokens_request(
    body: &[u8],
    model_override: Option<&str>,
) -> Result<MessagesPassthrough, AnthropicError> {
    let mut members = Members::parse(body)?;
    let model = members.model(model_override)?;
    model_path(&model, false).map_err(AnthropicError::bad_request)?;
    members.set("model", &model)?;
    let body = members.encode()?;
    Ok(MessagesPassthrough {
        path: COUNT_TOKENS_PATH.to_string(),
        body,
    })
}

/// Whether an error body is Anthropic's (`{"type":"error",...}`) rather than Google's.
fn is_anthropic_error(body: &[u8]) -> bool {
    serde_json::from_slice::<Value>(body).is_ok_and(|v| v.get("type") == Some(&json!("error")))
}

/// The OpenAI error body for an error answer of `status`: Anthropic's errors as for the
/// Anthropic API, Vertex's own (Google) errors as for the Gemini API.
pub fn openai_error(status: u16, body: &[u8]) -> Vec<u8> {
    if is_anthropic_error(body) {
        translate_error(status, body)
    } else {
        error_response(status, body)
    }
}

/// The Anthropic error body for an error answer of `status` to a Messages client: `None`
/// when the body already is an Anthropic error (passed on as it is), else Vertex's Google
/// error rewritten.
pub fn messages_error(status: u16, body: &[u8]) -> Option<Vec<u8>> {
    if is_anthropic_error(body) {
        return None;
    }
    Some(from_openai_error(status, &error_response(status, body)).body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_paths() {
        assert_eq!(
            model_path("claude-sonnet-4-5@20250929", true).unwrap(),
            "/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict"
        );
        assert_eq!(
            model_path("claude-3-5-haiku", false).unwrap(),
            "/publishers/anthropic/models/claude-3-5-haiku:rawPredict"
        );
        for bad in ["", "a/b", "x:y", "a b", "m?alt=sse"] {
            assert!(model_path(bad, false).is_err(), "{bad}");
        }
    }

    #[test]
    fn messages_body_loses_model_and_gains_version() {
        let body = br#"{"model":"claude-x","max_tokens":5,"stream":true,"anthropic_version":"2023-06-01","messages":[{"role":"user","content":"hi"}]}"#;
        let out = messages_request(body, None).unwrap();
        assert_eq!(
            out.path,
            "/publishers/anthropic/models/claude-x:streamRawPredict"
        );
        assert_eq!(
            String::from_utf8(out.body).unwrap(),
            r#"{"anthropic_version":"vertex-2023-10-16","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"stream":true}"#
        );
        let over = messages_request(body, Some("claude-y@1")).unwrap();
        assert_eq!(
            over.path,
            "/publishers/anthropic/models/claude-y@1:streamRawPredict"
        );
        assert_eq!(messages_request(b"[1]", None).unwrap_err().status, 400);
        assert_eq!(
            messages_request(br#"{"model":"a/b"}"#, None)
                .unwrap_err()
                .status,
            400
        );
    }

    #[test]
    fn count_tokens_keeps_the_model_in_the_body() {
        let body = br#"{"model":"claude-x","messages":[{"role":"user","content":"hi"}]}"#;
        let out = count_tokens_request(body, None).unwrap();
        assert_eq!(
            out.path,
            "/publishers/anthropic/models/count-tokens:rawPredict"
        );
        assert_eq!(
            String::from_utf8(out.body).unwrap(),
            r#"{"messages":[{"role":"user","content":"hi"}],"model":"claude-x"}"#
        );
        let over = count_tokens_request(body, Some("claude-y@1")).unwrap();
        assert!(
            String::from_utf8(over.body)
                .unwrap()
                .ends_with(r#""model":"claude-y@1"}"#)
        );
        for bad in [&br#"{"messages":[]}"#[..], br#"{"model":"a/b"}"#, b"[1]"] {
            assert_eq!(count_tokens_request(bad, None).unwrap_err().status, 400);
        }
    }

    #[test]
    fn errors_by_origin() {
        let google = br#"{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}"#;
        let anthropic =
            br#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
        let openai: Value = serde_json::from_slice(&openai_error(401, google)).unwrap();
        assert_eq!(openai["error"]["code"], "UNAUTHENTICATED");
        assert_eq!(openai["error"]["type"], "authentication_error");
        let openai: Value = serde_json::from_slice(&openai_error(529, anthropic)).unwrap();
        assert_eq!(openai["error"]["type"], "overloaded_error");
        assert_eq!(messages_error(529, anthropic), None);
        let rewritten: Value =
            serde_json::from_slice(&messages_error(401, google).unwrap()).unwrap();
        assert_eq!(rewritten["type"], "error");
        assert_eq!(rewritten["error"]["type"], "authentication_error");
        assert_eq!(
            rewritten["error"]["message"],
            "Request had invalid authentication credentials."
        );
    }
}
