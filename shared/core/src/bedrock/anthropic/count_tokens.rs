//! Anthropic `count_tokens` for Claude on AWS Bedrock, through CountTokens (`POST
//! /model/{modelId}/count-tokens`): the client's body becomes the InvokeModel body Bedrock
//! would get for it (as [`super::messages_request`] makes it), sent base64-encoded as
//! `{"input": {"invokeModel": {"body": ...}}}`; the answer `{"inputTokens": N}` becomes
//! Anthropic's `{"input_tokens": N}`. Errors are Bedrock's, as for InvokeModel.

use super::invoke_members;
use crate::anthropic::messages::error::AnthropicError;
use crate::anthropic::messages::members::Members;
use crate::bedrock::count_tokens_path;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::json;

/// A `count_tokens` request rewritten for Bedrock CountTokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountTokensRequest {
    /// The upstream `:path` (before any path prefix).
    pub path: String,
    /// The CountTokens body.
    pub body: Vec<u8>,
}

/// The `max_tokens` put in the wrapped InvokeModel body when the client sent none: Claude's
/// InvokeModel body requires one, a count request has none, and it does not change the
/// input token count.
const COUNT_MAX_TOKENS: u64 = 1;

/// Rewrites a client's `count_tokens` body: the model (or `model_override`) goes into the
/// path, the InvokeModel body (with `anthropic_version`, the `anthropic-beta` header's
/// betas and a `max_tokens`) into `input.invokeModel.body`, base64-encoded.
pub fn count_tokens_request(
    body: &[u8],
    model_override: Option<&str>,
    beta_header: Option<&str>,
) -> Result<CountTokensRequest, AnthropicError> {
    let mut invoke = invoke_members(Members::parse(body)?, model_override, beta_header)?;
    if !invoke.members.contains("max_tokens") {
        invoke.members.set("max_tokens", &COUNT_MAX_TOKENS)?;
    }
    let encoded = STANDARD.encode(invoke.members.encode()?);
    let body = json!({"input": {"invokeModel": {"body": encoded}}});
    Ok(CountTokensRequest {
        path: count_tokens_path(&invoke.model),
        body: body.to_string().into_bytes(),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CountTokensResponse {
    input_tokens: u64,
}

/// A 2xx CountTokens answer as Anthropic's `count_tokens` answer; an unreadable one is a 502.
pub fn count_tokens_response(body: &[u8]) -> Result<Vec<u8>, AnthropicError> {
    let answer: CountTokensResponse = serde_json::from_slice(body).map_err(|e| AnthropicError {
        status: 502,
        message: format!("The Bedrock backend sent an unreadable CountTokens answer: {e}"),
    })?;
    Ok(json!({"input_tokens": answer.input_tokens})
        .to_string()
        .into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn decoded(request: &CountTokensRequest) -> Value {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        let inner = body["input"]["invokeModel"]["body"].as_str().unwrap();
        serde_json::from_slice(&STANDARD.decode(inner).unwrap()).unwrap()
    }

    #[test]
    fn wraps_the_invoke_model_body() {
        let body =
            br#"{"model":"claude","messages":[{"role":"user","content":"hi"}],"system":"s"}"#;
        let request = count_tokens_request(
            body,
            Some("anthropic.claude-haiku-4-5-20251001-v1:0"),
            Some("b1"),
        )
        .unwrap();
        assert_eq!(
            request.path,
            "/model/anthropic.claude-haiku-4-5-20251001-v1%3A0/count-tokens"
        );
        assert_eq!(
            decoded(&request),
            json!({"anthropic_version": "bedrock-2023-05-31", "anthropic_beta": ["b1"],
                   "max_tokens": 1, "messages": [{"role": "user", "content": "hi"}],
                   "system": "s"})
        );
        let with_max = br#"{"model":"m","max_tokens":50,"messages":[]}"#;
        let request = count_tokens_request(with_max, None, None).unwrap();
        assert_eq!(request.path, "/model/m/count-tokens");
        assert_eq!(decoded(&request)["max_tokens"], 50);
    }

    #[test]
    fn refuses_a_body_without_a_model_and_reads_the_answer() {
        let error = count_tokens_request(br#"{"messages":[]}"#, None, None).unwrap_err();
        assert_eq!(error.status, 400);
        assert_eq!(
            count_tokens_response(br#"{"inputTokens":42}"#).unwrap(),
            br#"{"input_tokens":42}"#
        );
        assert_eq!(count_tokens_response(b"{}").unwrap_err().status, 502);
    }
}
