//! The backend role for Messages clients of Gemini, Vertex AI (Gemini models), AWS Bedrock
//! Converse and Cohere backends: one exchange for all four, driving the core chain
//! ([`aigw_core::anthropic::messages::chain`]) over the backend's [`ChatSchema`]. The
//! request goes Anthropic -> OpenAI chat -> the provider's chat request (path under the
//! backend's prefix, as the chat path sends it; upstream-auth signs or authorizes it
//! afterwards); the answer comes back as an Anthropic message, events chunk by chunk, or
//! an Anthropic error with the provider's status.

use crate::config::Target;
use crate::messages::finish_body;
use crate::reply::send_anthropic_error;
use aigw_core::anthropic::messages::chain::{ChainAnswer, ChainStream, chain_request};
use aigw_core::chat_schema::{BedrockChat, ChatSchema, CohereChat, GeminiChat, ResponseHead};
use aigw_core::gemini::path::GeminiApi;
use aigw_host::{BodyStatus, HeadersStatus, Host};
use std::time::UNIX_EPOCH;

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

/// Where one chained Messages exchange is.
#[derive(Default)]
pub enum ChainExchange {
    /// Nothing (left) to do.
    #[default]
    PassThrough,
    /// Buffering the Messages request; holds the model override.
    Request(Option<String>),
    /// Translated request sent.
    Awaiting {
        /// Translates the answer.
        answer: ChainAnswer,
        /// The client asked for a stream.
        stream: bool,
    },
    /// A 2xx answer, buffered until end of stream.
    Buffered(ChainAnswer, ResponseHead),
    /// A 2xx provider stream, translated chunk by chunk.
    Streaming(Box<ChainStream>),
    /// A provider error, buffered until end of stream.
    Error(ChainAnswer, ResponseHead),
}

impl ChainExchange {
    /// An exchange that buffers the request to translate it.
    pub fn new(model_override: Option<String>) -> Self {
        Self::Request(model_override)
    }

    /// Request body: translates the whole request for `target` at end of stream.
    pub fn on_request_body(
        &mut self,
        host: &mut dyn Host,
        target: &Target,
        end_of_stream: bool,
    ) -> BodyStatus {
        let Self::Request(model_override) = self else {
            return BodyStatus::Continue;
        };
        if !end_of_stream {
            return BodyStatus::StopAndBuffer;
        }
        let Some((schema, path_prefix)) = chat_schema(target) else {
            *self = Self::PassThrough;
            return BodyStatus::Continue;
        };
        let created = host
            .now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let body = host.request_body();
        match chain_request(schema.as_ref(), &body, model_override.as_deref(), created) {
            Ok(request) => {
                host.set_request_header(":path", &format!("{path_prefix}{}", request.path));
                host.set_request_header("content-type", "application/json");
                host.set_request_body(&request.body);
                *self = Self::Awaiting {
                    answer: request.answer,
                    stream: request.stream,
                };
                BodyStatus::Continue
            }
            Err(error) => {
                *self = Self::PassThrough;
                send_anthropic_error(host, &error);
                BodyStatus::StopNoBuffer
            }
        }
    }

    /// Response headers: picks the translation by status and content type. A response
    /// without a body passes as it is.
    pub fn on_response_headers(
        &mut self,
        host: &mut dyn Host,
        end_of_stream: bool,
    ) -> HeadersStatus {
        let Self::Awaiting { answer, stream } = std::mem::take(self) else {
            return HeadersStatus::Continue;
        };
        if end_of_stream {
            return HeadersStatus::Continue;
        }
        let head = ResponseHead {
            status: host
                .response_header(":status")
                .and_then(|s| s.parse().ok())
                .unwrap_or(0),
            request_id: host.response_header("x-amzn-requestid"),
            error_type: host.response_header("x-amzn-errortype"),
        };
        let content_type = host.response_header("content-type").unwrap_or_default();
        host.remove_response_header("content-length");
        if (200..300).contains(&head.status) && stream && answer.is_stream(&content_type) {
            host.set_response_header("content-type", "text/event-stream");
            *self = Self::Streaming(Box::new(answer.stream(&head)));
            return HeadersStatus::Continue;
        }
        host.set_response_header("content-type", "application/json");
        *self = if (200..300).contains(&head.status) {
            Self::Buffered(answer, head)
        } else {
            Self::Error(answer, head)
        };
        HeadersStatus::StopIteration
    }

    /// Response body: stream chunks as they come, buffered bodies at the end.
    pub fn on_response_body(&mut self, host: &mut dyn Host, end_of_stream: bool) -> BodyStatus {
        match self {
            Self::Streaming(stream) => {
                let mut out = stream.feed(&host.response_body());
                if end_of_stream {
                    out.extend(stream.finish());
                }
                host.set_response_body(&out);
                BodyStatus::Continue
            }
            Self::Buffered(..) | Self::Error(..) if !end_of_stream => BodyStatus::StopAndBuffer,
            Self::Buffered(answer, head) => {
                let body = match answer.message(head, &host.response_body()) {
                    Ok(body) => body,
                    Err(error) => {
                        host.set_response_header(":status", &error.status.to_string());
                        error.body()
                    }
                };
                finish_body(host, &body);
                BodyStatus::Continue
            }
            Self::Error(answer, head) => {
                let body = answer.error(head, &host.response_body()).body();
                finish_body(host, &body);
                BodyStatus::Continue
            }
            Self::PassThrough | Self::Request(_) | Self::Awaiting { .. } => BodyStatus::Continue,
        }
    }
}

#[cfg(test)]
#[path = "messages_chain_tests.rs"]
mod tests;
