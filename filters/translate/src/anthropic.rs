//! The backend role for an Anthropic backend (the Anthropic API, or Claude on Vertex AI):
//! chat completions are translated to the Messages API on the way up and back to OpenAI chat
//! completions on the way down, so the response leaves this filter in the OpenAI schema
//! (token-usage reads it unchanged). Other API paths are refused; non-API paths keep their
//! `/v1/...` under the path prefix (Anthropic API) or pass untouched (Vertex AI).

use crate::reply::send_error;
use aigw_core::anthropic::error::translate_error;
use aigw_core::anthropic::request::translate_request;
use aigw_core::anthropic::response::translate_response;
use aigw_core::anthropic::stream::StreamTranslator;
use aigw_core::anthropic::{ANTHROPIC_VERSION, MESSAGES_PATH};
use aigw_core::api_kind::ApiKind;
use aigw_core::openai::error::OpenAiError;
use aigw_core::vertex::anthropic as vertex;
use aigw_host::{BodyStatus, HeadersStatus, Host};
use std::time::UNIX_EPOCH;

/// Where one exchange with the Anthropic backend is.
#[derive(Default)]
pub enum Exchange {
    /// Nothing to translate (non-API path, or refused).
    #[default]
    PassThrough,
    /// Buffering the chat request; holds the model override.
    Request(Option<String>),
    /// Buffering a chat request to Claude on Vertex AI; holds the model override.
    VertexRequest(Option<String>),
    /// Request sent; the response will be translated.
    AwaitingResponse {
        /// The client asked for a stream.
        stream: bool,
        /// The client asked for a final usage chunk.
        include_usage: bool,
        /// Vertex AI: error answers may be Google's rather than Anthropic's.
        vertex: bool,
    },
    /// A 2xx JSON message, buffered until end of stream.
    Buffered,
    /// A 2xx event stream, translated chunk by chunk.
    Streaming(Box<StreamTranslator>),
    /// A provider error with this status, buffered until end of stream.
    Error {
        /// The HTTP status.
        status: u16,
        /// From Vertex AI (Google or Anthropic error bodies).
        vertex: bool,
    },
}

fn now_secs(host: &dyn Host) -> u64 {
    host.now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Exchange {
    /// Request headers: rewrites the path and starts buffering a chat request.
    pub fn on_request_headers(
        &mut self,
        host: &mut dyn Host,
        path_prefix: &str,
        path: &str,
        model_override: Option<String>,
        end_of_stream: bool,
    ) -> HeadersStatus {
        match ApiKind::from_path(path) {
            None => {
                if path_prefix.is_empty() {
                    return HeadersStatus::Continue;
                }
                host.set_request_header(":path", &format!("{path_prefix}{path}"));
                HeadersStatus::Continue
            }
            Some(ApiKind::ChatCompletions) if end_of_stream => {
                let error =
                    OpenAiError::bad_request("A chat completion request needs a body.", None);
                send_error(host, &error);
                HeadersStatus::StopIteration
            }
            Some(ApiKind::ChatCompletions) => {
                host.set_request_header(":path", &format!("{path_prefix}{MESSAGES_PATH}"));
                host.set_request_header("anthropic-version", ANTHROPIC_VERSION);
                *self = Self::Request(model_override);
                HeadersStatus::StopIteration
            }
            Some(kind) => refuse_kind(host, kind),
        }
    }

    /// Request headers to Claude on Vertex AI: starts buffering a chat request (its path
    /// names the model, so it is set once the body is read); other API paths are refused,
    /// other paths pass untouched.
    pub fn on_vertex_request_headers(
        &mut self,
        host: &mut dyn Host,
        path: &str,
        model_override: Option<String>,
        end_of_stream: bool,
    ) -> HeadersStatus {
        match ApiKind::from_path(path) {
            None => HeadersStatus::Continue,
            Some(ApiKind::ChatCompletions) if end_of_stream => {
                let error =
                    OpenAiError::bad_request("A chat completion request needs a body.", None);
                send_error(host, &error);
                HeadersStatus::StopIteration
            }
            Some(ApiKind::ChatCompletions) => {
                *self = Self::VertexRequest(model_override);
                HeadersStatus::StopIteration
            }
            Some(kind) => refuse_kind(host, kind),
        }
    }

    /// Request body: translates the whole chat request at end of stream. `path_prefix` is
    /// the backend's (used for Vertex AI, where the path names the model).
    pub fn on_request_body(
        &mut self,
        host: &mut dyn Host,
        path_prefix: &str,
        end_of_stream: bool,
    ) -> BodyStatus {
        if !matches!(self, Self::Request(_) | Self::VertexRequest(_)) {
            return BodyStatus::Continue;
        }
        if !end_of_stream {
            return BodyStatus::StopAndBuffer;
        }
        let body = host.request_body();
        let translated = match std::mem::take(self) {
            Self::VertexRequest(model_override) => {
                vertex::chat_request(&body, model_override.as_deref()).map(|t| {
                    host.set_request_header(":path", &format!("{path_prefix}{}", t.path));
                    (t.messages, true)
                })
            }
            Self::Request(model_override) => {
                translate_request(&body, model_override.as_deref()).map(|t| (t, false))
            }
            _ => return BodyStatus::Continue,
        };
        match translated {
            Ok((translated, vertex)) => {
                host.set_request_body(&translated.body);
                *self = Self::AwaitingResponse {
                    stream: translated.stream,
                    include_usage: translated.include_usage,
                    vertex,
                };
                BodyStatus::Continue
            }
            Err(error) => {
                *self = Self::PassThrough;
                send_error(host, &error);
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
        let Self::AwaitingResponse {
            stream,
            include_usage,
            vertex,
        } = *self
        else {
            return HeadersStatus::Continue;
        };
        if end_of_stream {
            *self = Self::PassThrough;
            return HeadersStatus::Continue;
        }
        let status = host
            .response_header(":status")
            .and_then(|s| s.parse::<u16>().ok())
            .unwrap_or(0);
        let event_stream = host
            .response_header("content-type")
            .is_some_and(|t| t.starts_with("text/event-stream"));
        host.remove_response_header("content-length");
        if !(200..300).contains(&status) {
            host.set_response_header("content-type", "application/json");
            *self = Self::Error { status, vertex };
            return HeadersStatus::StopIteration;
        }
        if stream && event_stream {
            *self = Self::Streaming(Box::new(StreamTranslator::new(
                now_secs(host),
                include_usage,
            )));
            return HeadersStatus::Continue;
        }
        *self = Self::Buffered;
        HeadersStatus::StopIteration
    }

    /// Response body: translates stream chunks as they come, buffered bodies at the end.
    pub fn on_response_body(&mut self, host: &mut dyn Host, end_of_stream: bool) -> BodyStatus {
        match self {
            Self::Streaming(translator) => {
                let mut out = translator.feed(&host.response_body());
                if end_of_stream {
                    out.extend(translator.finish());
                }
                host.set_response_body(&out);
                BodyStatus::Continue
            }
            Self::Buffered | Self::Error { .. } if !end_of_stream => BodyStatus::StopAndBuffer,
            Self::Buffered => {
                let body = match translate_response(&host.response_body(), now_secs(host)) {
                    Ok(body) => body,
                    Err(error) => {
                        host.set_response_header(":status", &error.status.to_string());
                        error.body()
                    }
                };
                finish_body(host, &body);
                BodyStatus::Continue
            }
            Self::Error { status, vertex } => {
                let upstream = host.response_body();
                let body = if *vertex {
                    vertex::openai_error(*status, &upstream)
                } else {
                    translate_error(*status, &upstream)
                };
                finish_body(host, &body);
                BodyStatus::Continue
            }
            Self::PassThrough
            | Self::Request(_)
            | Self::VertexRequest(_)
            | Self::AwaitingResponse { .. } => BodyStatus::Continue,
        }
    }
}

/// Answers an OpenAI 404 for an API path an Anthropic backend does not serve.
fn refuse_kind(host: &mut dyn Host, kind: ApiKind) -> HeadersStatus {
    let error = OpenAiError {
        status: 404,
        message: format!(
            "An Anthropic backend serves /v1/chat/completions only, not /v1{}.",
            kind.suffix()
        ),
        param: None,
    };
    send_error(host, &error);
    HeadersStatus::StopIteration
}

/// Replaces a buffered response body; its headers are still held, so the length is known.
fn finish_body(host: &mut dyn Host, body: &[u8]) {
    host.set_response_body(body);
    host.set_response_header("content-length", &body.len().to_string());
}

#[cfg(test)]
#[path = "anthropic_tests.rs"]
mod tests;
