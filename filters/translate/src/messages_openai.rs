//! The backend role for Messages clients of OpenAI and Azure OpenAI backends: the request is
//! translated to OpenAI chat completions (its path was set with the request headers) and the
//! answer back to an Anthropic message, events chunk by chunk, or an Anthropic error with the
//! backend's status, by the translated [`crate::exchange::Exchange`].

use crate::exchange::{Answer, ClientError, Request, Translate, Upstream};
use aigw_core::anthropic::messages::error::from_openai_error;
use aigw_core::anthropic::messages::request::translate_request;
use aigw_core::anthropic::messages::response::translate_response;
use aigw_core::anthropic::messages::stream::StreamTranslator;
use aigw_core::chat_schema::{ChunkStream, ResponseHead};

/// Anthropic Messages to OpenAI chat completions.
pub struct ToOpenAi;

impl Translate for ToOpenAi {
    fn translate(&self, req: &Request<'_>) -> Result<Upstream, ClientError> {
        let translated = translate_request(req.body, req.model_override)?;
        Ok(Upstream {
            path: None,
            body: translated.body,
            answer: Box::new(OpenAiAnswer {
                stream: translated.stream,
            }),
        })
    }
}

/// An OpenAI chat answer, with whether the client asked for a stream.
struct OpenAiAnswer {
    stream: bool,
}

impl Answer for OpenAiAnswer {
    fn stream(&self, _head: &ResponseHead, content_type: &str) -> Option<Box<dyn ChunkStream>> {
        let stream = self.stream && content_type.starts_with("text/event-stream");
        stream.then(|| Box::new(StreamTranslator::new()) as Box<dyn ChunkStream>)
    }

    fn body(&self, _head: &ResponseHead, body: &[u8]) -> Result<Vec<u8>, ClientError> {
        Ok(translate_response(body)?)
    }

    fn error(&self, head: &ResponseHead, body: &[u8]) -> Vec<u8> {
        from_openai_error(head.status, body).body()
    }
}
