//! The backend role for a Cohere v2 backend: chat completions and embeddings are
//! translated to `/v2/chat` (streamed as SSE when asked) / `/v2/embed` on the way up and back to the OpenAI schema on the way down, so the response leaves this
//! filter as OpenAI (token-usage reads it unchanged). `/v1/completions` is refused; other
//! paths pass through untouched.

use crate::reply::send_error;
use aigw_core::api_kind::ApiKind;
use aigw_core::cohere::embeddings::{embeddings_request, embeddings_response};
use aigw_core::cohere::error::error_response;
use aigw_core::cohere::request::chat_request;
use aigw_core::cohere::response::{ResponseContext, chat_response};
use aigw_core::cohere::stream::ChatStream;
use aigw_core::openai::error::OpenAiError;
use aigw_host::{BodyStatus, HeadersStatus, Host, LogLevel};
use std::time::UNIX_EPOCH;

/// Where one exchange with the Cohere backend is.
#[derive(Default)]
pub enum CohereExchange {
    /// Nothing to translate (non-API path, or refused).
    #[default]
    PassThrough,
    /// Buffering a chat (`true`) or embeddings (`false`) request; holds the model override.
    Request {
        /// Chat completions rather than embeddings.
        chat: bool,
        /// The model to send instead of the body's.
        model_override: Option<String>,
    },
    /// Chat request sent.
    AwaitingChat {
        /// What the response translation needs.
        context: ResponseContext,
        /// The client asked for a stream.
        stream: bool,
        /// The client asked for a final usage chunk.
        include_usage: bool,
    },
    /// Embeddings request sent.
    AwaitingEmbeddings(Embeddings),
    /// A 2xx chat response, buffered until end of stream.
    BufferedChat(ResponseContext),
    /// A 2xx embeddings response, buffered until end of stream.
    BufferedEmbeddings(Embeddings),
    /// A 2xx event stream, translated chunk by chunk.
    Streaming(Box<ChatStream>),
    /// A provider error with this status, buffered until end of stream.
    Error(u16),
}

/// What the embeddings response translation needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embeddings {
    model: String,
    base64: bool,
}

fn now_secs(host: &dyn Host) -> u64 {
    host.now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl CohereExchange {
    /// Request headers: starts buffering a chat or embeddings request (the path is set
    /// once the body is translated).
    pub fn on_request_headers(
        &mut self,
        host: &mut dyn Host,
        path: &str,
        model_override: Option<String>,
        end_of_stream: bool,
    ) -> HeadersStatus {
        let chat = match ApiKind::from_path(path) {
            None => return HeadersStatus::Continue,
            Some(ApiKind::ChatCompletions) => true,
            Some(ApiKind::Embeddings) => false,
            Some(kind) => {
                let error = OpenAiError {
                    status: 404,
                    message: format!(
                        "A Cohere backend serves /v1/chat/completions and /v1/embeddings, not /v1{}.",
                        kind.suffix()
                    ),
                    param: None,
                };
                send_error(host, &error);
                return HeadersStatus::StopIteration;
            }
        };
        if end_of_stream {
            send_error(
                host,
                &OpenAiError::bad_request("The request needs a body.", None),
            );
            return HeadersStatus::StopIteration;
        }
        *self = Self::Request {
            chat,
            model_override,
        };
        HeadersStatus::StopIteration
    }

    /// Request body: translates the whole request at end of stream.
    /// The upstream path is `path_prefix` followed by the Cohere path.
    pub fn on_request_body(
        &mut self,
        host: &mut dyn Host,
        path_prefix: &str,
        end_of_stream: bool,
    ) -> BodyStatus {
        let Self::Request {
            chat,
            model_override,
        } = self
        else {
            return BodyStatus::Continue;
        };
        if !end_of_stream {
            return BodyStatus::StopAndBuffer;
        }
        let body = host.request_body();
        let model_override = model_override.as_deref();
        let translated = if *chat {
            chat_request(&body, model_override).map(|r| {
                let next = Self::AwaitingChat {
                    context: ResponseContext {
                        model: r.model,
                        created: now_secs(host),
                    },
                    stream: r.stream,
                    include_usage: r.include_usage,
                };
                (r.path, r.body, next)
            })
        } else {
            embeddings_request(&body, model_override).map(|r| {
                let next = Self::AwaitingEmbeddings(Embeddings {
                    model: r.model,
                    base64: r.base64,
                });
                (r.path, r.body, next)
            })
        };
        match translated {
            Ok((path, body, next)) => {
                host.set_request_header(":path", &format!("{path_prefix}{path}"));
                host.set_request_body(&body);
                *self = next;
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
        if !matches!(
            self,
            Self::AwaitingChat { .. } | Self::AwaitingEmbeddings(_)
        ) {
            return HeadersStatus::Continue;
        }
        let awaiting = std::mem::take(self);
        if end_of_stream {
            return HeadersStatus::Continue;
        }
        let status = host
            .response_header(":status")
            .and_then(|s| s.parse::<u16>().ok())
            .unwrap_or(0);
        let event_stream = host
            .response_header("content-type")
            .is_some_and(|t| t.starts_with("text/event-stream"));
        if !(200..300).contains(&status) {
            host.set_response_header("content-type", "application/json");
            *self = Self::Error(status);
            return HeadersStatus::StopIteration;
        }
        match awaiting {
            Self::AwaitingChat {
                context,
                stream: true,
                include_usage,
            } if event_stream => {
                // The length changes chunk by chunk, after the headers went on.
                host.remove_response_header("content-length");
                *self = Self::Streaming(Box::new(ChatStream::new(context, include_usage)));
                return HeadersStatus::Continue;
            }
            Self::AwaitingChat { context, .. } => *self = Self::BufferedChat(context),
            Self::AwaitingEmbeddings(embeddings) => *self = Self::BufferedEmbeddings(embeddings),
            _ => return HeadersStatus::Continue,
        }
        host.set_response_header("content-type", "application/json");
        HeadersStatus::StopIteration
    }

    /// Response body: translates stream chunks as they come, buffered bodies at the end.
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
            Self::BufferedChat(_) | Self::BufferedEmbeddings(_) | Self::Error(_)
                if !end_of_stream =>
            {
                BodyStatus::StopAndBuffer
            }
            Self::BufferedChat(context) => {
                let translated = chat_response(&host.response_body(), context);
                finish_translated(host, translated);
                BodyStatus::Continue
            }
            Self::BufferedEmbeddings(e) => {
                let translated = embeddings_response(&host.response_body(), &e.model, e.base64);
                finish_translated(host, translated);
                BodyStatus::Continue
            }
            Self::Error(status) => {
                let body = error_response(*status, &host.response_body());
                host.set_response_body(&body);
                BodyStatus::Continue
            }
            Self::PassThrough
            | Self::Request { .. }
            | Self::AwaitingChat { .. }
            | Self::AwaitingEmbeddings(_) => BodyStatus::Continue,
        }
    }
}

/// Replaces a buffered response body (its headers are still held, so the host sets the new
/// `content-length`); a 2xx body Cohere sent in a shape that cannot be translated becomes a
/// 502.
fn finish_translated(host: &mut dyn Host, translated: Result<Vec<u8>, String>) {
    match translated {
        Ok(body) => host.set_response_body(&body),
        Err(reason) => {
            host.log(
                LogLevel::Warn,
                &format!("Cohere response not translated: {reason}"),
            );
            host.set_response_header(":status", "502");
            let message =
                format!("The Cohere backend sent a response that cannot be read: {reason}.");
            host.set_response_body(&error_response(502, message.as_bytes()));
        }
    }
}

#[cfg(test)]
#[path = "cohere_tests.rs"]
mod tests;
