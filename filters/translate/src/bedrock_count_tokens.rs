//! `/anthropic/v1/messages/count_tokens` to Claude on AWS Bedrock: the client's body wrapped
//! for CountTokens (`/model/{modelId}/count-tokens`, see
//! [`aigw_core::bedrock::anthropic::count_tokens`]), the answer's `inputTokens` back as
//! Anthropic's `input_tokens`, Bedrock errors as Anthropic errors with the status kept.

use crate::messages::finish_body;
use crate::reply::send_anthropic_error;
use aigw_core::bedrock::anthropic::count_tokens::{count_tokens_request, count_tokens_response};
use aigw_core::bedrock::anthropic::messages_error;
use aigw_host::{BodyStatus, HeadersStatus, Host};

/// Where one CountTokens exchange is.
pub enum BedrockCountTokens {
    /// Buffering the client's body; holds the model override and the `anthropic-beta` header.
    Request {
        model_override: Option<String>,
        beta: Option<String>,
    },
    /// Sent; the answer decides what follows.
    Awaiting,
    /// A 2xx answer, buffered until end of stream.
    Answer,
    /// A Bedrock error with this status and `x-amzn-ErrorType`, buffered until end of stream.
    Error(u16, Option<String>),
    /// Nothing (left) to do.
    Done,
}

impl BedrockCountTokens {
    /// Request headers: Bedrock takes the version and betas in the wrapped body only.
    pub fn start(host: &mut dyn Host, model_override: Option<String>) -> Self {
        let beta = host.request_header("anthropic-beta");
        host.remove_request_header("anthropic-version");
        host.remove_request_header("anthropic-beta");
        Self::Request {
            model_override,
            beta,
        }
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
        match count_tokens_request(&body, model_override.as_deref(), beta.as_deref()) {
            Ok(request) => {
                host.set_request_header(":path", &format!("{path_prefix}{}", request.path));
                host.set_request_header("content-type", "application/json");
                host.set_request_body(&request.body);
                *self = Self::Awaiting;
                BodyStatus::Continue
            }
            Err(error) => {
                *self = Self::Done;
                send_anthropic_error(host, &error);
                BodyStatus::StopNoBuffer
            }
        }
    }

    /// Response headers: every answer is buffered and rewritten.
    pub fn on_response_headers(
        &mut self,
        host: &mut dyn Host,
        end_of_stream: bool,
    ) -> HeadersStatus {
        if !matches!(self, Self::Awaiting) {
            return HeadersStatus::Continue;
        }
        *self = Self::Done;
        if end_of_stream {
            return HeadersStatus::Continue;
        }
        let status = host
            .response_header(":status")
            .and_then(|s| s.parse::<u16>().ok())
            .unwrap_or(0);
        host.remove_response_header("content-length");
        host.set_response_header("content-type", "application/json");
        *self = if (200..300).contains(&status) {
            Self::Answer
        } else {
            Self::Error(status, host.response_header("x-amzn-errortype"))
        };
        HeadersStatus::StopIteration
    }

    /// Response body: the answer or the error, rewritten at end of stream.
    pub fn on_response_body(&mut self, host: &mut dyn Host, end_of_stream: bool) -> BodyStatus {
        let body = match self {
            Self::Answer | Self::Error(..) if !end_of_stream => return BodyStatus::StopAndBuffer,
            Self::Answer => match count_tokens_response(&host.response_body()) {
                Ok(body) => body,
                Err(error) => {
                    host.set_response_header(":status", &error.status.to_string());
                    error.body()
                }
            },
            Self::Error(status, error_type) => {
                messages_error(*status, error_type.as_deref(), &host.response_body()).body()
            }
            Self::Request { .. } | Self::Awaiting | Self::Done => return BodyStatus::Continue,
        };
        *self = Self::Done;
        finish_body(host, &body);
        BodyStatus::Continue
    }
}

#[cfg(test)]
#[path = "bedrock_count_tokens_tests.rs"]
mod tests;
