//! The backend role for an AWS Bedrock backend: chat completions are translated to the
//! Converse API (`/model/{modelId}/converse`, `/converse-stream`) on the way up and back to
//! OpenAI chat completions on the way down (binary event-stream frames become SSE chunks);
//! embeddings go to Titan or Cohere Embed through InvokeModel (`/model/{modelId}/invoke`). The response
//! leaves this filter in the OpenAI schema. upstream-auth runs after this filter and signs
//! the translated path and body (SigV4). Other API paths are refused; non-API paths pass
//! through untouched.

use crate::reply::send_error;
use aigw_core::api_kind::ApiKind;
use aigw_core::bedrock::ResponseContext;
use aigw_core::bedrock::embeddings::{
    EmbeddingsReply, INPUT_TOKEN_COUNT_HEADER, embeddings_request, embeddings_response,
};
use aigw_core::bedrock::error::translate_error;
use aigw_core::bedrock::request::translate_request;
use aigw_core::bedrock::response::translate_response;
use aigw_core::bedrock::stream::StreamTranslator;
use aigw_core::openai::error::OpenAiError;
use aigw_host::{BodyStatus, HeadersStatus, Host, LogLevel};
use std::time::UNIX_EPOCH;

/// The content type of a ConverseStream answer.
const EVENT_STREAM: &str = "application/vnd.amazon.eventstream";

/// Where one exchange with the Bedrock backend is.
#[derive(Default)]
pub enum BedrockExchange {
    /// Nothing to translate (non-API path, or refused).
    #[default]
    PassThrough,
    /// Buffering a chat (`true`) or embeddings (`false`) request.
    Request {
        /// Chat completions rather than embeddings.
        chat: bool,
        /// The model to send instead of the body's.
        model_override: Option<String>,
    },
    /// Request sent; the response will be translated.
    AwaitingResponse {
        /// The model sent, reported as the response `model`.
        model: String,
        /// The client asked for a stream.
        stream: bool,
        /// The client asked for a final usage chunk.
        include_usage: bool,
    },
    /// Embeddings request sent.
    AwaitingEmbeddings(EmbeddingsReply),
    /// A 2xx Converse answer, buffered until end of stream.
    Buffered(ResponseContext),
    /// A 2xx embeddings answer (and the token count header), buffered until end of stream.
    BufferedEmbeddings(EmbeddingsReply, Option<u64>),
    /// A 2xx event stream, translated frame by frame.
    Streaming(Box<StreamTranslator>),
    /// A provider error with this status and `x-amzn-ErrorType`, buffered until the end.
    Error(u16, Option<String>),
}

fn now_secs(host: &dyn Host) -> u64 {
    host.now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl BedrockExchange {
    /// Request headers: starts buffering a chat or embeddings request (the path, which
    /// names the model, is set once the body is read).
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
                        "An AWS Bedrock backend serves /v1/chat/completions and /v1/embeddings, not /v1{}.",
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

    /// Request body: translates the whole request at end of stream; the upstream path is
    /// `path_prefix` followed by the Converse or InvokeModel path.
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
            translate_request(&body, model_override).map(|r| {
                let next = Self::AwaitingResponse {
                    model: r.model,
                    stream: r.stream,
                    include_usage: r.include_usage,
                };
                (r.path, r.body, next)
            })
        } else {
            embeddings_request(&body, model_override)
                .map(|r| (r.path, r.body, Self::AwaitingEmbeddings(r.reply)))
        };
        match translated {
            Ok((path, body, next)) => {
                host.set_request_header(":path", &format!("{path_prefix}{path}"));
                host.set_request_header("content-type", "application/json");
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
            Self::AwaitingResponse { .. } | Self::AwaitingEmbeddings(_)
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
            .is_some_and(|t| t.starts_with(EVENT_STREAM));
        if !(200..300).contains(&status) {
            host.set_response_header("content-type", "application/json");
            *self = Self::Error(status, host.response_header("x-amzn-errortype"));
            return HeadersStatus::StopIteration;
        }
        let (model, stream, include_usage) = match awaiting {
            Self::AwaitingResponse {
                model,
                stream,
                include_usage,
            } => (model, stream, include_usage),
            Self::AwaitingEmbeddings(reply) => {
                let tokens = host
                    .response_header(INPUT_TOKEN_COUNT_HEADER)
                    .and_then(|n| n.trim().parse().ok());
                host.set_response_header("content-type", "application/json");
                *self = Self::BufferedEmbeddings(reply, tokens);
                return HeadersStatus::StopIteration;
            }
            _ => return HeadersStatus::Continue,
        };
        let request_id = host.response_header("x-amzn-requestid");
        let context = ResponseContext::new(request_id.as_deref(), &model, now_secs(host));
        if stream && event_stream {
            // The length changes frame by frame, after the headers went on.
            host.remove_response_header("content-length");
            host.set_response_header("content-type", "text/event-stream");
            *self = Self::Streaming(Box::new(StreamTranslator::new(context, include_usage)));
            return HeadersStatus::Continue;
        }
        host.set_response_header("content-type", "application/json");
        *self = Self::Buffered(context);
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
            Self::Buffered(_) | Self::BufferedEmbeddings(..) | Self::Error(..)
                if !end_of_stream =>
            {
                BodyStatus::StopAndBuffer
            }
            Self::BufferedEmbeddings(reply, tokens) => {
                match embeddings_response(&host.response_body(), reply, *tokens) {
                    Ok(body) => host.set_response_body(&body),
                    Err(reason) => {
                        host.log(
                            LogLevel::Warn,
                            &format!("Bedrock embeddings response not translated: {reason}"),
                        );
                        let error = OpenAiError {
                            status: 502,
                            message: format!(
                                "The Bedrock backend sent an embeddings response that cannot be read: {reason}."
                            ),
                            param: None,
                        };
                        host.set_response_header(":status", "502");
                        host.set_response_body(&error.body());
                    }
                }
                BodyStatus::Continue
            }
            Self::Buffered(context) => {
                let body = match translate_response(&host.response_body(), context) {
                    Ok(body) => body,
                    Err(error) => {
                        host.set_response_header(":status", &error.status.to_string());
                        error.body()
                    }
                };
                host.set_response_body(&body);
                BodyStatus::Continue
            }
            Self::Error(status, error_type) => {
                let body = translate_error(*status, error_type.as_deref(), &host.response_body());
                host.set_response_body(&body);
                BodyStatus::Continue
            }
            Self::PassThrough
            | Self::Request { .. }
            | Self::AwaitingResponse { .. }
            | Self::AwaitingEmbeddings(_) => BodyStatus::Continue,
        }
    }
}

#[cfg(test)]
#[path = "bedrock_tests.rs"]
mod tests;
