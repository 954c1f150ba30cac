//! The backend role for Claude on AWS Bedrock through InvokeModel (schema `AWSAnthropic`):
//! chat completions are translated to the Anthropic Messages body with the model in the path
//! (`/model/{modelId}/invoke`, `/invoke-with-response-stream`) and back to OpenAI chat
//! completions (streams: base64 event-stream chunks -> SSE) by the chat exchange
//! ([`crate::exchange`], with [`crate::anthropic::Anthropic`] over
//! [`aigw_core::chat_schema::AnthropicChat::Bedrock`]); Messages API clients are passed
//! through with the same body rewrite ([`BedrockMessages`]). upstream-auth signs the
//! translated request (SigV4). Other API paths are refused; non-API paths pass untouched.

use crate::exchange::{Answer, ClientError, Request, Translate, Upstream};
use aigw_core::bedrock::anthropic::stream::MessagesStream;
use aigw_core::bedrock::anthropic::{messages_error, messages_request};
use aigw_core::chat_schema::{ChunkStream, ResponseHead};

/// An Anthropic Messages client's request to Claude on Bedrock, as the [`Translate`] of an
/// [`crate::exchange::Exchange`]: the body loses `model` and `stream` (they choose the
/// path), gains `anthropic_version` (and `anthropic_beta` from the client's `anthropic-beta`
/// header, which the request headers step removed with `anthropic-version`: Bedrock takes
/// both in the body only); a 2xx message passes as it is, streamed answers become Anthropic
/// SSE, Bedrock errors Anthropic errors.
pub struct BedrockMessages<'a> {
    /// The client's `anthropic-beta` header.
    pub beta: Option<&'a str>,
}

impl Translate for BedrockMessages<'_> {
    fn translate(&self, req: &Request<'_>) -> Result<Upstream, ClientError> {
        let t = messages_request(req.body, req.model_override, self.beta)?;
        Ok(Upstream {
            path: Some(t.path),
            body: t.body,
            answer: Box::new(MessagesAnswer { stream: t.stream }),
        })
    }
}

/// Reads Bedrock's answer to a Messages client.
struct MessagesAnswer {
    stream: bool,
}

impl Answer for MessagesAnswer {
    fn stream(&self, _head: &ResponseHead, content_type: &str) -> Option<Box<dyn ChunkStream>> {
        let stream = self.stream && content_type.starts_with(EVENT_STREAM);
        stream.then(|| Box::new(MessagesStream::default()) as Box<dyn ChunkStream>)
    }

    fn passes(&self) -> bool {
        true
    }

    fn body(&self, _head: &ResponseHead, body: &[u8]) -> Result<Vec<u8>, ClientError> {
        Ok(body.to_vec())
    }

    fn error(&self, head: &ResponseHead, body: &[u8]) -> Vec<u8> {
        messages_error(head.status, head.error_type.as_deref(), body).body()
    }
}

/// The content type of an InvokeModelWithResponseStream answer.
const EVENT_STREAM: &str = "application/vnd.amazon.eventstream";

#[cfg(test)]
#[path = "bedrock_anthropic_tests.rs"]
mod tests;
