//! [`ChatSchema`] for Claude's Messages API: on the Anthropic API, on Vertex AI
//! (`rawPredict` / `streamRawPredict`) and on AWS Bedrock through InvokeModel.

use super::{ChatAnswer, ChatSchema, ChunkSource, ChunkStream, ResponseHead, UpstreamChat};
use crate::anthropic::MESSAGES_PATH;
use crate::anthropic::request::{MessagesRequest, translate_request};
use crate::anthropic::response::translate_response;
use crate::anthropic::stream::StreamTranslator;
use crate::bedrock::anthropic::stream::{ChatStream, MessagesStream};
use crate::openai::chunk_sink::ChunkSink;
use crate::openai::error::OpenAiError;
use crate::{anthropic, bedrock, vertex};

/// The service Claude's Messages API is reached on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnthropicChat {
    /// The Anthropic API (`/v1/messages`).
    Anthropic,
    /// Vertex AI: the model is in the path, errors may be Google's.
    Vertex,
    /// AWS Bedrock InvokeModel: the model is in the path, streams are AWS event streams of
    /// base64 chunks, errors are typed by `x-amzn-errortype`.
    Bedrock,
}

impl ChatSchema for AnthropicChat {
    fn request(
        &self,
        body: &[u8],
        model_override: Option<&str>,
        created: u64,
    ) -> Result<UpstreamChat, OpenAiError> {
        let (path, messages): (String, MessagesRequest) = match self {
            Self::Anthropic => (
                MESSAGES_PATH.to_string(),
                translate_request(body, model_override)?,
            ),
            Self::Vertex => {
                let r = vertex::anthropic::chat_request(body, model_override)?;
                (r.path, r.messages)
            }
            Self::Bedrock => {
                let r = bedrock::anthropic::chat_request(body, model_override)?;
                (r.path, r.messages)
            }
        };
        Ok(UpstreamChat {
            path,
            body: messages.body,
            stream: messages.stream,
            include_usage: messages.include_usage,
            answer: Box::new(AnthropicAnswer {
                service: *self,
                created,
            }),
        })
    }
}

struct AnthropicAnswer {
    service: AnthropicChat,
    created: u64,
}

impl ChatAnswer for AnthropicAnswer {
    fn is_stream(&self, content_type: &str) -> bool {
        let stream_type = match self.service {
            AnthropicChat::Bedrock => "application/vnd.amazon.eventstream",
            AnthropicChat::Anthropic | AnthropicChat::Vertex => "text/event-stream",
        };
        content_type.starts_with(stream_type)
    }

    fn completion(&self, _head: &ResponseHead, body: &[u8]) -> Result<Vec<u8>, OpenAiError> {
        translate_response(body, self.created)
    }

    fn error(&self, head: &ResponseHead, body: &[u8]) -> Vec<u8> {
        match self.service {
            AnthropicChat::Anthropic => anthropic::error::translate_error(head.status, body),
            AnthropicChat::Vertex => vertex::anthropic::openai_error(head.status, body),
            AnthropicChat::Bedrock => {
                bedrock::anthropic::openai_error(head.status, head.error_type.as_deref(), body)
            }
        }
    }

    fn stream(&self, _head: &ResponseHead, include_usage: bool) -> Box<dyn ChunkSource> {
        match self.service {
            AnthropicChat::Bedrock => Box::new(ChatStream::new(self.created, include_usage)),
            AnthropicChat::Anthropic | AnthropicChat::Vertex => {
                Box::new(StreamTranslator::new(self.created, include_usage))
            }
        }
    }
}

impl ChunkSource for StreamTranslator {
    fn feed_into(&mut self, chunk: &[u8], sink: &mut dyn ChunkSink) {
        StreamTranslator::feed_into(self, chunk, sink);
    }

    fn finish_into(&mut self, sink: &mut dyn ChunkSink) {
        StreamTranslator::finish_into(self, sink);
    }
}

impl ChunkSource for ChatStream {
    fn feed_into(&mut self, chunk: &[u8], sink: &mut dyn ChunkSink) {
        ChatStream::feed_into(self, chunk, sink);
    }

    fn finish_into(&mut self, sink: &mut dyn ChunkSink) {
        ChatStream::finish_into(self, sink);
    }
}

/// Bedrock's Messages stream rewritten as Anthropic SSE (Messages clients of Claude on
/// Bedrock).
impl ChunkStream for MessagesStream {
    fn feed(&mut self, chunk: &[u8]) -> Vec<u8> {
        MessagesStream::feed(self, chunk)
    }

    fn finish(&mut self) -> Vec<u8> {
        MessagesStream::finish(self)
    }
}
