//! The backend role for Messages clients of Gemini, Vertex AI (Gemini models), AWS Bedrock
//! Converse and Cohere backends: the translated [`Exchange`] for all four, driving the core
//! chain ([`aigw_core::anthropic::messages::chain`]) over the backend's [`ChatSchema`]. The
//! request goes Anthropic -> OpenAI chat -> the provider's chat request (path under the
//! backend's prefix, as the chat path sends it; upstream-auth signs or authorizes it
//! afterwards); the answer comes back as an Anthropic message, events chunk by chunk, or
//! an Anthropic error with the provider's status.

use crate::config::Target;
use crate::exchange::{Answer, ClientError, Exchange, Request, Translate, Upstream};
use aigw_core::anthropic::messages::chain::{ChainAnswer, chain_request};
use aigw_core::chat_schema::{
    BedrockChat, ChatSchema, ChunkStream, CohereChat, GeminiChat, ResponseHead,
};
use aigw_core::gemini::path::GeminiApi;
use aigw_host::{BodyStatus, Host};

/// The chat schema of `target` and its path prefix, for the schemas the chain serves.
pub fn chat_schema(target: &Target) -> Option<(Box<dyn ChatSchema>, &str)> {
    match target {
        Target::Gemini { path_prefix } => {
            Some((Box::new(GeminiChat(GeminiApi::Gemini)), path_prefix))
        }
        Target::GcpVertexAi { path_prefix } => {
            Some((Box::new(GeminiChat(GeminiApi::Vertex)), path_prefix))
        }
        Target::AwsBedrock { path_prefix } => Some((Box::new(BedrockChat), path_prefix)),
        Target::Cohere { path_prefix } => Some((Box::new(CohereChat), path_prefix)),
        _ => None,
    }
}

/// The API the chain reaches on `target`, for messages to the client.
pub fn chain_api_name(target: &Target) -> &'static str {
    match target {
        Target::Gemini { .. } => "the Gemini API",
        Target::GcpVertexAi { .. } => "the Vertex AI Gemini API",
        Target::AwsBedrock { .. } => "the AWS Bedrock Converse API",
        Target::Cohere { .. } => "the Cohere API",
        _ => "another API",
    }
}

/// The chain over one [`ChatSchema`], as the [`Translate`] of an [`Exchange`] (which holds
/// the state of one chained Messages exchange, built by [`Exchange::new`]).
pub struct Chain<'a>(pub &'a dyn ChatSchema);

impl Translate for Chain<'_> {
    fn translate(&self, req: &Request<'_>) -> Result<Upstream, ClientError> {
        let request = chain_request(self.0, req.body, req.model_override, req.created)?;
        Ok(Upstream {
            path: Some(request.path),
            body: request.body,
            answer: Box::new(ChainReply {
                answer: request.answer,
                stream: request.stream,
            }),
        })
    }
}

/// The answer to a chained request, with whether the client asked for a stream.
struct ChainReply {
    answer: ChainAnswer,
    stream: bool,
}

impl Answer for ChainReply {
    fn stream(&self, head: &ResponseHead, content_type: &str) -> Option<Box<dyn ChunkStream>> {
        let stream = self.stream && self.answer.is_stream(content_type);
        stream.then(|| Box::new(self.answer.stream(head)) as Box<dyn ChunkStream>)
    }

    fn body(&self, head: &ResponseHead, body: &[u8]) -> Result<Vec<u8>, ClientError> {
        Ok(self.answer.message(head, body)?)
    }

    fn error(&self, head: &ResponseHead, body: &[u8]) -> Vec<u8> {
        self.answer.error(head, body).body()
    }
}

/// Request body of a chained exchange: translates the whole request for `target` at end of
/// stream.
pub fn on_request_body(
    exchange: &mut Exchange,
    host: &mut dyn Host,
    target: &Target,
    end_of_stream: bool,
) -> BodyStatus {
    let Some((schema, path_prefix)) = chat_schema(target) else {
        *exchange = Exchange::PassThrough;
        return BodyStatus::Continue;
    };
    exchange.on_request_body(host, &Chain(schema.as_ref()), path_prefix, end_of_stream)
}

#[cfg(test)]
#[path = "messages_chain_tests.rs"]
mod tests;
