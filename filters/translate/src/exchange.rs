//! One exchange with a translated backend, as a single state machine: the request is
//! buffered and translated by a [`Translate`], and the answer is read back by the [`Answer`]
//! that translation returned (by status and content type: a stream chunk by chunk, a 2xx
//! body or an error body at end of stream). It serves OpenAI clients of every translated
//! backend (Anthropic, Claude on Vertex AI or Bedrock, Gemini, Vertex AI, Bedrock Converse,
//! Cohere: [`Translated`]) and Anthropic Messages clients of OpenAI-schema and chained
//! backends ([`crate::messages`], [`crate::messages_chain`]); each adds only what differs.

use crate::reply::{finish_body, send_error};
use aigw_core::anthropic::messages::error::AnthropicError;
use aigw_core::api_kind::ApiKind;
use aigw_core::bedrock::embeddings::INPUT_TOKEN_COUNT_HEADER;
use aigw_core::chat_schema::{ChatAnswer, ChunkStream, ResponseHead, UpstreamChat};
use aigw_core::openai::error::OpenAiError;
use aigw_host::{BodyStatus, HeadersStatus, Host, LogLevel};
use std::time::UNIX_EPOCH;

/// An error answered in the client's schema (OpenAI or Anthropic).
pub struct ClientError {
    /// The HTTP status.
    pub status: u16,
    /// The JSON error body.
    pub body: Vec<u8>,
}

impl From<OpenAiError> for ClientError {
    fn from(error: OpenAiError) -> Self {
        Self {
            status: error.status,
            body: error.body(),
        }
    }
}

impl From<AnthropicError> for ClientError {
    fn from(error: AnthropicError) -> Self {
        Self {
            status: error.status,
            body: error.body(),
        }
    }
}

/// A buffered client request, as the [`Exchange`] hands it to a [`Translate`].
pub struct Request<'a> {
    /// The API the client called.
    pub kind: ApiKind,
    /// The client's body.
    pub body: &'a [u8],
    /// The model to send instead of the body's.
    pub model_override: Option<&'a str>,
    /// The Unix time the answer reports.
    pub created: u64,
}

/// Translates a buffered request for the [`Exchange`].
pub trait Translate {
    /// Translates `request`.
    fn translate(&self, request: &Request<'_>) -> Result<Upstream, ClientError>;
    /// Request headers the translated request carries.
    fn request_headers(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }
}

/// The OpenAI APIs a translated backend serves, and how it refuses the others.
pub struct Front {
    /// The APIs it serves.
    pub serves: &'static [ApiKind],
    /// Who refuses other APIs, as in "{name} serves /v1/chat/completions only".
    pub name: &'static str,
    /// The message of a request without a body.
    pub no_body: &'static str,
}

impl Front {
    /// Chat completions and embeddings, by `name`.
    pub const fn chat_and_embeddings(name: &'static str) -> Self {
        Self {
            serves: &[ApiKind::ChatCompletions, ApiKind::Embeddings],
            name,
            no_body: "The request needs a body.",
        }
    }
}

/// A translated backend of OpenAI clients: the APIs it serves on top of its translation.
pub trait Translated: Translate + Sync {
    /// The APIs it serves.
    fn front(&self) -> &'static Front;
    /// The new `:path` of a non-API request under `path_prefix` (`None`: untouched).
    fn other_path(&self, _path_prefix: &str, _path: &str) -> Option<String> {
        None
    }
}

/// A translated request.
pub struct Upstream {
    /// The provider path, without the backend's path prefix (`None`: the path set with the
    /// request headers stays).
    pub path: Option<String>,
    /// The provider request body (JSON).
    pub body: Vec<u8>,
    /// Reads the provider's answer back.
    pub answer: Box<dyn Answer>,
}

impl From<UpstreamChat> for Upstream {
    fn from(chat: UpstreamChat) -> Self {
        Self {
            path: Some(chat.path),
            body: chat.body,
            answer: Box::new(ChatReply {
                answer: chat.answer,
                stream: chat.stream,
                include_usage: chat.include_usage,
            }),
        }
    }
}

/// Reads one provider answer back into the client's schema.
pub trait Answer {
    /// The translator of a 2xx response of `content_type`, when it is a stream the client
    /// asked for.
    fn stream(&self, head: &ResponseHead, content_type: &str) -> Option<Box<dyn ChunkStream>>;
    /// Whether a 2xx body that is not a stream passes as it is, without buffering.
    fn passes(&self) -> bool {
        false
    }
    /// A buffered 2xx body in the client's schema; a body that cannot be read is an error.
    fn body(&self, head: &ResponseHead, body: &[u8]) -> Result<Vec<u8>, ClientError>;
    /// A non-2xx body as the client's error body (the status is kept).
    fn error(&self, head: &ResponseHead, body: &[u8]) -> Vec<u8>;
}

/// A chat answer, with what the client asked for.
struct ChatReply {
    answer: Box<dyn ChatAnswer>,
    stream: bool,
    include_usage: bool,
}

impl Answer for ChatReply {
    fn stream(&self, head: &ResponseHead, content_type: &str) -> Option<Box<dyn ChunkStream>> {
        let stream = self.stream && self.answer.is_stream(content_type);
        // The provider's chunks, written as OpenAI SSE.
        stream
            .then(|| Box::new(self.answer.stream(head, self.include_usage)) as Box<dyn ChunkStream>)
    }

    fn body(&self, head: &ResponseHead, body: &[u8]) -> Result<Vec<u8>, ClientError> {
        Ok(self.answer.completion(head, body)?)
    }

    fn error(&self, head: &ResponseHead, body: &[u8]) -> Vec<u8> {
        self.answer.error(head, body)
    }
}

/// Where one exchange with a translated backend is.
#[derive(Default)]
pub enum Exchange {
    /// Nothing to translate (non-API path, or refused).
    #[default]
    PassThrough,
    /// Buffering a request of this kind; holds the model override.
    Request(ApiKind, Option<String>),
    /// Translated request sent.
    Awaiting(Box<dyn Answer>),
    /// A 2xx answer, buffered until end of stream.
    Buffered(Box<dyn Answer>, ResponseHead),
    /// A 2xx provider stream, translated chunk by chunk.
    Streaming(Box<dyn ChunkStream>),
    /// A provider error, buffered until end of stream.
    Error(Box<dyn Answer>, ResponseHead),
}

impl Exchange {
    /// An exchange that buffers a request of `kind` to translate it.
    pub fn new(kind: ApiKind, model_override: Option<String>) -> Self {
        Self::Request(kind, model_override)
    }

    /// Request headers: starts buffering a request of an API `backend` serves (the path is
    /// set once the body is translated); other API paths are refused, non-API paths pass
    /// (under `path_prefix` where the backend says so).
    pub fn on_request_headers(
        &mut self,
        host: &mut dyn Host,
        backend: &dyn Translated,
        path_prefix: &str,
        path: &str,
        model_override: Option<String>,
        end_of_stream: bool,
    ) -> HeadersStatus {
        let Some(kind) = ApiKind::from_path(path) else {
            if let Some(new_path) = backend.other_path(path_prefix, path) {
                host.set_request_header(":path", &new_path);
            }
            return HeadersStatus::Continue;
        };
        let front = backend.front();
        let error = if !front.serves.contains(&kind) {
            let served = match front.serves {
                [ApiKind::ChatCompletions] => "/v1/chat/completions only".to_string(),
                kinds => kinds
                    .iter()
                    .map(|k| format!("/v1{}", k.suffix()))
                    .collect::<Vec<_>>()
                    .join(" and "),
            };
            OpenAiError {
                status: 404,
                message: format!("{} serves {served}, not /v1{}.", front.name, kind.suffix()),
                param: None,
            }
        } else if end_of_stream {
            OpenAiError::bad_request(front.no_body, None)
        } else {
            *self = Self::Request(kind, model_override);
            return HeadersStatus::StopIteration;
        };
        send_error(host, &error);
        HeadersStatus::StopIteration
    }

    /// Request body: translates the whole request at end of stream; the upstream path is
    /// `path_prefix` followed by the translated path.
    pub fn on_request_body(
        &mut self,
        host: &mut dyn Host,
        backend: &dyn Translate,
        path_prefix: &str,
        end_of_stream: bool,
    ) -> BodyStatus {
        let Self::Request(kind, model_override) = self else {
            return BodyStatus::Continue;
        };
        if !end_of_stream {
            return BodyStatus::StopAndBuffer;
        }
        let created = host
            .now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let body = host.request_body();
        let request = Request {
            kind: *kind,
            body: &body,
            model_override: model_override.as_deref(),
            created,
        };
        match backend.translate(&request) {
            Ok(upstream) => {
                if let Some(path) = upstream.path {
                    host.set_request_header(":path", &format!("{path_prefix}{path}"));
                }
                host.set_request_header("content-type", "application/json");
                for (name, value) in backend.request_headers() {
                    host.set_request_header(name, value);
                }
                host.set_request_body(&upstream.body);
                *self = Self::Awaiting(upstream.answer);
                BodyStatus::Continue
            }
            Err(error) => {
                *self = Self::PassThrough;
                host.send_local_reply(
                    error.status,
                    &[("content-type", "application/json")],
                    &error.body,
                );
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
        let Self::Awaiting(answer) = std::mem::take(self) else {
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
            input_tokens: host
                .response_header(INPUT_TOKEN_COUNT_HEADER)
                .and_then(|n| n.trim().parse().ok()),
        };
        let content_type = host.response_header("content-type").unwrap_or_default();
        let ok = (200..300).contains(&head.status);
        if ok {
            if let Some(stream) = answer.stream(&head, &content_type) {
                // The length changes chunk by chunk, after the headers went on.
                host.remove_response_header("content-length");
                host.set_response_header("content-type", "text/event-stream");
                *self = Self::Streaming(stream);
                return HeadersStatus::Continue;
            }
            if answer.passes() {
                return HeadersStatus::Continue;
            }
        }
        // The translated body gets its own length.
        host.remove_response_header("content-length");
        host.set_response_header("content-type", "application/json");
        *self = if ok {
            Self::Buffered(answer, head)
        } else {
            Self::Error(answer, head)
        };
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
            Self::Buffered(..) | Self::Error(..) if !end_of_stream => BodyStatus::StopAndBuffer,
            Self::Buffered(answer, head) => {
                let body = match answer.body(head, &host.response_body()) {
                    Ok(body) => body,
                    Err(error) => {
                        let reason = String::from_utf8_lossy(&error.body);
                        host.log(
                            LogLevel::Warn,
                            &format!("response not translated: {reason}"),
                        );
                        host.set_response_header(":status", &error.status.to_string());
                        error.body
                    }
                };
                finish_body(host, &body);
                BodyStatus::Continue
            }
            Self::Error(answer, head) => {
                let body = answer.error(head, &host.response_body());
                finish_body(host, &body);
                BodyStatus::Continue
            }
            Self::PassThrough | Self::Request(..) | Self::Awaiting(_) => BodyStatus::Continue,
        }
    }
}
