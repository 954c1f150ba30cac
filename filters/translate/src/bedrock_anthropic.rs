//! The backend role for Claude on AWS Bedrock through InvokeModel (schema `AWSAnthropic`):
//! chat completions are translated to the Anthropic Messages body with the model in the path
//! (`/model/{modelId}/invoke`, `/invoke-with-response-stream`) and back to OpenAI chat
//! completions (streams: base64 event-stream chunks -> SSE) by the chat exchange
//! ([`crate::exchange`], with [`crate::anthropic::Anthropic`] over
//! [`aigw_core::chat_schema::AnthropicChat::Bedrock`]); Messages API clients are passed
//! through with the same body rewrite ([`BedrockMessages`]). upstream-auth signs the
//! translated request (SigV4). Other API paths are refused; non-API paths pass untouched.

use crate::reply::finish_body;
use crate::reply::send_anthropic_error;
use aigw_core::anthropic::messages::error::AnthropicError;
use aigw_core::bedrock::anthropic::stream::MessagesStream;
use aigw_core::bedrock::anthropic::{messages_error, messages_request};
use aigw_host::{BodyStatus, HeadersStatus, Host};

/// The content type of an InvokeModelWithResponseStream answer.
const EVENT_STREAM: &str = "application/vnd.amazon.eventstream";

fn status(host: &dyn Host) -> u16 {
    host.response_header(":status")
        .and_then(|s| s.parse::<u16>().ok())
        .unwrap_or(0)
}

fn is_event_stream(host: &dyn Host) -> bool {
    host.response_header("content-type")
        .is_some_and(|t| t.starts_with(EVENT_STREAM))
}

/// Sets the translated request (path under `path_prefix`, JSON body).
fn send_request(host: &mut dyn Host, path_prefix: &str, path: &str, body: &[u8]) {
    host.set_request_header(":path", &format!("{path_prefix}{path}"));
    host.set_request_header("content-type", "application/json");
    host.set_request_body(body);
}

/// An Anthropic Messages client's exchange with Claude on Bedrock: the body loses `model`
/// and `stream` (they choose the path), gains `anthropic_version` (and `anthropic_beta` from
/// the client's `anthropic-beta` header); streamed answers become Anthropic SSE, Bedrock
/// errors Anthropic errors.
pub enum BedrockMessages {
    /// Buffering the request.
    Request {
        /// The model to send instead of the body's.
        model_override: Option<String>,
        /// The client's `anthropic-beta` header.
        beta: Option<String>,
    },
    /// Request sent.
    Awaiting {
        /// The client asked for a stream.
        stream: bool,
    },
    /// A 2xx event stream, rewritten frame by frame.
    Streaming(Box<MessagesStream>),
    /// A Bedrock error with this status and `x-amzn-ErrorType`, buffered until the end.
    Error(u16, Option<String>),
    /// Nothing left to do.
    Done,
}

impl BedrockMessages {
    /// Request headers of a Messages request (`None`: refused with a reply already sent).
    pub fn start(
        host: &mut dyn Host,
        model_override: Option<String>,
        end_of_stream: bool,
    ) -> Option<Self> {
        if end_of_stream {
            let error = AnthropicError::bad_request("A Messages request needs a body.");
            send_anthropic_error(host, &error);
            return None;
        }
        let beta = host.request_header("anthropic-beta");
        // Bedrock takes the version and the betas in the body only.
        host.remove_request_header("anthropic-version");
        host.remove_request_header("anthropic-beta");
        Some(Self::Request {
            model_override,
            beta,
        })
    }

    /// Request body: the rewrite at end of stream, the path under `path_prefix`.
    pub fn on_request_body(
        &mut self,
        host: &mut dyn Host,
        path_prefix: &str,
        end_of_stream: bool,
    ) -> BodyStatus {
        let Self::Request {
            model_override,
            beta,
        } = self
        else {
            return BodyStatus::Continue;
        };
        if !end_of_stream {
            return BodyStatus::StopAndBuffer;
        }
        let body = host.request_body();
        match messages_request(&body, model_override.as_deref(), beta.as_deref()) {
            Ok(t) => {
                send_request(host, path_prefix, &t.path, &t.body);
                *self = Self::Awaiting { stream: t.stream };
                BodyStatus::Continue
            }
            Err(error) => {
                *self = Self::Done;
                send_anthropic_error(host, &error);
                BodyStatus::StopNoBuffer
            }
        }
    }

    /// Response headers: a 2xx message passes, a stream is rewritten, an error buffered.
    pub fn on_response_headers(
        &mut self,
        host: &mut dyn Host,
        end_of_stream: bool,
    ) -> HeadersStatus {
        let Self::Awaiting { stream } = *self else {
            return HeadersStatus::Continue;
        };
        *self = Self::Done;
        let status = status(host);
        if end_of_stream {
            return HeadersStatus::Continue;
        }
        if !(200..300).contains(&status) {
            host.remove_response_header("content-length");
            host.set_response_header("content-type", "application/json");
            *self = Self::Error(status, host.response_header("x-amzn-errortype"));
            return HeadersStatus::StopIteration;
        }
        if stream && is_event_stream(host) {
            host.remove_response_header("content-length");
            host.set_response_header("content-type", "text/event-stream");
            *self = Self::Streaming(Box::default());
        }
        HeadersStatus::Continue
    }

    /// Response body: stream chunks as they come, errors at the end.
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
            Self::Error(..) if !end_of_stream => BodyStatus::StopAndBuffer,
            Self::Error(status, error_type) => {
                let error = messages_error(*status, error_type.as_deref(), &host.response_body());
                finish_body(host, &error.body());
                BodyStatus::Continue
            }
            Self::Request { .. } | Self::Awaiting { .. } | Self::Done => BodyStatus::Continue,
        }
    }
}

#[cfg(test)]
#[path = "bedrock_anthropic_tests.rs"]
mod tests;
