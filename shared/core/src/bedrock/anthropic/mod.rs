//! Anthropic's Claude models on AWS Bedrock through InvokeModel (`POST
//! /model/{modelId}/invoke`) and InvokeModelWithResponseStream (`POST
//! /model/{modelId}/invoke-with-response-stream`): the Messages API body with the model in
//! the path (percent-encoded: ids, ARNs and inference profiles are one segment),
//! `anthropic_version: "bedrock-2023-05-31"` in the body, no `model` and no `stream` member
//! (the path chooses streaming) and beta features in an `anthropic_beta` body array.
//!
//! Buffered answers are Anthropic messages. Streamed answers are event-stream frames whose
//! `:event-type` is `chunk` and whose payload is `{"bytes": "<base64 of one Anthropic
//! event>"}` ([`frames`]), turned into OpenAI chunks or Anthropic SSE by [`stream`].
//! Errors are Bedrock's (`x-amzn-ErrorType`, `{"message"}`, exception frames).

pub mod count_tokens;
pub mod frames;
pub mod stream;

use super::error::translate_error;
use super::{invoke_path, invoke_stream_path};
use crate::anthropic::messages::error::{AnthropicError, from_openai_error};
use crate::anthropic::messages::members::Members;
use crate::anthropic::request::{ModelPlacement, PathChatRequest, translate_path_request};
use crate::openai::error::OpenAiError;

/// The `anthropic_version` Bedrock requires in the body.
pub const ANTHROPIC_VERSION: &str = "bedrock-2023-05-31";

/// The upstream path for `model`: InvokeModel, or InvokeModelWithResponseStream when
/// `stream`. `Err` names what is wrong with a model that cannot be sent.
pub fn model_path(model: &str, stream: bool) -> Result<String, String> {
    if model.is_empty() || model.chars().any(char::is_control) {
        return Err(format!(
            "The model {model:?} is not a valid Bedrock model id, ARN or inference profile."
        ));
    }
    Ok(if stream {
        invoke_stream_path(model)
    } else {
        invoke_path(model)
    })
}

/// Translates an OpenAI chat completion body; `model_override` replaces the model.
pub fn chat_request(
    body: &[u8],
    model_override: Option<&str>,
) -> Result<PathChatRequest, OpenAiError> {
    let placement = ModelPlacement::Path {
        anthropic_version: ANTHROPIC_VERSION,
        stream_in_body: false,
    };
    translate_path_request(placement, model_path, body, model_override)
}

/// A client's Messages request rewritten for Bedrock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessagesPassthrough {
    /// The upstream `:path` (before any path prefix).
    pub path: String,
    /// The body without `model` and `stream`, with `anthropic_version` (and `anthropic_beta`).
    pub body: Vec<u8>,
    /// The client asked for a stream.
    pub stream: bool,
}

/// Rewrites a client's Messages body: `model` (or `model_override`) goes into the path,
/// `stream` chooses the path, `anthropic_version` goes into the body, and the client's
/// `anthropic-beta` header (`beta_header`, comma-separated) becomes `anthropic_beta` unless
/// the body has one. Only the top-level members are parsed; other values are copied verbatim.
pub fn messages_request(
    body: &[u8],
    model_override: Option<&str>,
    beta_header: Option<&str>,
) -> Result<MessagesPassthrough, AnthropicError> {
    let invoke = invoke_members(Members::parse(body)?, model_override, beta_header)?;
    Ok(MessagesPassthrough {
        path: model_path(&invoke.model, invoke.stream).map_err(AnthropicError::bad_request)?,
        body: invoke.members.encode()?,
        stream: invoke.stream,
    })
}

/// A client's Messages body as the InvokeModel body of Claude on Bedrock.
pub(crate) struct InvokeBody {
    /// The model, for the path.
    pub model: String,
    /// The client asked for a stream (the `stream` member, removed).
    pub stream: bool,
    /// The body without `model` and `stream`, with `anthropic_version` and the betas.
    pub members: Members,
}

/// Moves `model` and `stream` out of `members` and adds `anthropic_version` and the
/// `anthropic-beta` header's betas (unless the body names its own).
pub(crate) fn invoke_members(
    mut members: Members,
    model_override: Option<&str>,
    beta_header: Option<&str>,
) -> Result<InvokeBody, AnthropicError> {
    let model = members.model(model_override)?;
    members.remove("model");
    let stream = members.is_true("stream");
    members.remove("stream");
    members.set("anthropic_version", &ANTHROPIC_VERSION)?;
    let betas: Vec<&str> = beta_header
        .into_iter()
        .flat_map(|h| h.split(','))
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .collect();
    if !betas.is_empty() && !members.contains("anthropic_beta") {
        members.set("anthropic_beta", &betas)?;
    }
    Ok(InvokeBody {
        model,
        stream,
        members,
    })
}

/// The OpenAI error body for a Bedrock error answer of `status` (`error_type` is the
/// `x-amzn-ErrorType` header).
pub fn openai_error(status: u16, error_type: Option<&str>, body: &[u8]) -> Vec<u8> {
    translate_error(status, error_type, body)
}

/// The Anthropic error for a Bedrock error answer of `status`, for a Messages client.
pub fn messages_error(status: u16, error_type: Option<&str>, body: &[u8]) -> AnthropicError {
    from_openai_error(status, &translate_error(status, error_type, body))
}

#[cfg(test)]
mod golden_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn paths_by_stream_with_encoded_ids() {
        assert_eq!(
            model_path("us.anthropic.claude-sonnet-4-5-20250929-v1:0", true).unwrap(),
            "/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke-with-response-stream"
        );
        assert_eq!(
            model_path("arn:aws:bedrock:us-east-1:1:inference-profile/x", false).unwrap(),
            "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fx/invoke"
        );
        assert!(model_path("", false).is_err());
        assert!(model_path("a\nb", false).is_err());
    }

    #[test]
    fn messages_body_loses_model_and_stream() {
        let body = br#"{"model":"anthropic.claude-x","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"hi"}]}"#;
        let out = messages_request(body, None, Some("beta-a, beta-b")).unwrap();
        assert!(out.stream);
        assert_eq!(
            out.path,
            "/model/anthropic.claude-x/invoke-with-response-stream"
        );
        assert_eq!(
            String::from_utf8(out.body).unwrap(),
            r#"{"anthropic_beta":["beta-a","beta-b"],"anthropic_version":"bedrock-2023-05-31","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#
        );
        let own = br#"{"model":"m","anthropic_beta":["x"],"stream":false}"#;
        let out = messages_request(own, Some("o"), Some("y")).unwrap();
        assert_eq!(out.path, "/model/o/invoke");
        let body: Value = serde_json::from_slice(&out.body).unwrap();
        assert_eq!(body["anthropic_beta"], serde_json::json!(["x"]));
        assert_eq!(
            messages_request(b"[1]", None, None).unwrap_err().status,
            400
        );
        assert_eq!(messages_request(b"{}", None, None).unwrap_err().status, 400);
    }

    #[test]
    fn errors_keep_the_aws_name_and_message() {
        let body = br#"{"message":"Too many requests, please wait before trying again."}"#;
        let openai: Value =
            serde_json::from_slice(&openai_error(429, Some("ThrottlingException:x"), body))
                .unwrap();
        assert_eq!(openai["error"]["code"], "ThrottlingException");
        assert_eq!(openai["error"]["type"], "rate_limit_error");
        let anthropic = messages_error(429, Some("ThrottlingException"), body).value();
        assert_eq!(anthropic["error"]["type"], "rate_limit_error");
        assert_eq!(
            anthropic["error"]["message"],
            "Too many requests, please wait before trying again."
        );
    }
}
