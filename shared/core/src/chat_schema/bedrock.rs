//! [`ChatSchema`] for the AWS Bedrock Converse API.

use super::{ChatAnswer, ChatSchema, ChunkSource, ResponseHead, UpstreamChat};
use crate::bedrock::ResponseContext;
use crate::bedrock::error::translate_error;
use crate::bedrock::request::translate_request;
use crate::bedrock::response::translate_response;
use crate::bedrock::stream::StreamTranslator;
use crate::openai::chunk_sink::ChunkSink;
use crate::openai::error::OpenAiError;

/// The content type of a ConverseStream answer (binary AWS event stream).
const EVENT_STREAM: &str = "application/vnd.amazon.eventstream";

/// `/model/{modelId}/converse` and `/converse-stream`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BedrockChat;

impl ChatSchema for BedrockChat {
    fn request(
        &self,
        body: &[u8],
        model_override: Option<&str>,
        created: u64,
    ) -> Result<UpstreamChat, OpenAiError> {
        let r = translate_request(body, model_override)?;
        Ok(UpstreamChat {
            path: r.path,
            body: r.body,
            stream: r.stream,
            include_usage: r.include_usage,
            answer: Box::new(BedrockAnswer {
                model: r.model,
                created,
            }),
        })
    }
}

/// The context is only complete once the request id header arrived.
struct BedrockAnswer {
    model: String,
    created: u64,
}

impl BedrockAnswer {
    fn context(&self, head: &ResponseHead) -> ResponseContext {
        ResponseContext::new(head.request_id.as_deref(), &self.model, self.created)
    }
}

impl ChatAnswer for BedrockAnswer {
    fn is_stream(&self, content_type: &str) -> bool {
        content_type.starts_with(EVENT_STREAM)
    }

    fn completion(&self, head: &ResponseHead, body: &[u8]) -> Result<Vec<u8>, OpenAiError> {
        translate_response(body, &self.context(head))
    }

    fn error(&self, head: &ResponseHead, body: &[u8]) -> Vec<u8> {
        translate_error(head.status, head.error_type.as_deref(), body)
    }

    fn stream(&self, head: &ResponseHead, include_usage: bool) -> Box<dyn ChunkSource> {
        Box::new(StreamTranslator::new(self.context(head), include_usage))
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
