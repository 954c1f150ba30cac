//! `/anthropic/v1/messages/count_tokens` to Claude on AWS Bedrock, as the [`Translate`] of an
//! [`crate::exchange::Exchange`]: the client's body wrapped for CountTokens
//! (`/model/{modelId}/count-tokens`, see [`aigw_core::bedrock::anthropic::count_tokens`]), the
//! answer's `inputTokens` back as Anthropic's `input_tokens`, Bedrock errors as Anthropic
//! errors with the status kept.

use crate::exchange::{Answer, ClientError, Request, Translate, Upstream};
use aigw_core::bedrock::anthropic::count_tokens::{count_tokens_request, count_tokens_response};
use aigw_core::bedrock::anthropic::messages_error;
use aigw_core::chat_schema::{ChunkStream, ResponseHead};

/// A count_tokens request to Claude on Bedrock; the request headers step removed
/// `anthropic-version` and `anthropic-beta`, which Bedrock takes in the wrapped body only.
pub struct BedrockCountTokens<'a> {
    /// The client's `anthropic-beta` header.
    pub beta: Option<&'a str>,
}

impl Translate for BedrockCountTokens<'_> {
    fn translate(&self, req: &Request<'_>) -> Result<Upstream, ClientError> {
        let t = count_tokens_request(req.body, req.model_override, self.beta)?;
        Ok(Upstream {
            path: Some(t.path),
            body: t.body,
            answer: Box::new(CountTokensAnswer),
        })
    }
}

/// Reads Bedrock's CountTokens answer.
struct CountTokensAnswer;

impl Answer for CountTokensAnswer {
    fn stream(&self, _head: &ResponseHead, _content_type: &str) -> Option<Box<dyn ChunkStream>> {
        None
    }

    fn body(&self, _head: &ResponseHead, body: &[u8]) -> Result<Vec<u8>, ClientError> {
        Ok(count_tokens_response(body)?)
    }

    fn error(&self, head: &ResponseHead, body: &[u8]) -> Vec<u8> {
        messages_error(head.status, head.error_type.as_deref(), body).body()
    }
}

#[cfg(test)]
#[path = "bedrock_count_tokens_tests.rs"]
mod tests;
