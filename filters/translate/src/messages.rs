//! The backend role for client requests to `/anthropic/v1/messages` (and `count_tokens`):
//! passed through to Anthropic backends (path `<prefix>/v1/messages`, `anthropic-version`
//! kept or set, model override applied); passed through to Claude on Vertex AI with the model
//! moved into the path and `anthropic_version` into the body (Vertex's own Google errors
//! rewritten as Anthropic errors) and to Claude on AWS Bedrock (InvokeModel, see
//! [`BedrockMessages`]); translated to OpenAI chat completions for OpenAI and Azure
//! OpenAI backends, whose answers come back as Anthropic messages or events
//! ([`crate::messages_openai`]); chained through
//! OpenAI chat to Gemini, Vertex AI Gemini, Bedrock Converse and Cohere backends
//! ([`crate::messages_chain`]). `count_tokens` goes to the Anthropic API, to Claude on
//! Vertex AI (its `count-tokens:rawPredict` endpoint) and to Claude on AWS Bedrock
//! (CountTokens, [`BedrockCountTokens`]); other backends give an Anthropic 404.

use crate::bedrock_anthropic::BedrockMessages;
use crate::bedrock_count_tokens::BedrockCountTokens;
use crate::config::Target;
use crate::exchange::Exchange;
use crate::messages_chain::{self, chain_api_name};
use crate::messages_openai::ToOpenAi;
use crate::reply::{finish_body, send_anthropic_error};
use aigw_core::anthropic::ANTHROPIC_VERSION;
use aigw_core::anthropic::messages::Endpoint;
use aigw_core::anthropic::messages::error::AnthropicError;
use aigw_core::api_kind::ApiKind;
use aigw_core::azure::deployment_path;
use aigw_core::headers;
use aigw_core::openai::model_override::model_override_edit;
use aigw_core::vertex::anthropic::{count_tokens_request, messages_error, messages_request};
use aigw_host::{BodyStatus, HeadersStatus, Host};

/// Where one Messages exchange is.
#[derive(Default)]
pub enum MessagesExchange {
    /// Nothing (left) to do.
    #[default]
    PassThrough,
    /// Anthropic backend: buffering the request to set this model.
    Override(String),
    /// Claude on Vertex AI: buffering the request to move its model (or this override)
    /// into the path.
    Vertex(Option<String>),
    /// Claude on Vertex AI token counting: buffering the request to set its model (or this
    /// override) in the body.
    VertexCountTokens(Option<String>),
    /// Sent to Vertex AI: a success passes, an error is buffered to check its schema.
    AwaitingVertex,
    /// A Vertex AI error with this status, buffered until end of stream.
    VertexError(u16),
    /// OpenAI-schema backend: translated to OpenAI chat completions ([`ToOpenAi`]).
    ToOpenAi(Exchange),
    /// Gemini, Vertex AI (Gemini), Bedrock Converse or Cohere backend: chained through
    /// OpenAI chat completions ([`crate::messages_chain`]).
    Chained(Exchange),
    /// Claude on AWS Bedrock (InvokeModel): the body rewrite and the stream rewrite
    /// ([`BedrockMessages`]); holds the client's `anthropic-beta` header.
    Bedrock(Option<String>, Exchange),
    /// Claude on AWS Bedrock token counting (CountTokens, [`BedrockCountTokens`]); holds the
    /// client's `anthropic-beta` header.
    BedrockCountTokens(Option<String>, Exchange),
}

impl MessagesExchange {
    /// Request headers of a Messages (or count_tokens) request for `target`.
    pub fn on_request_headers(
        &mut self,
        host: &mut dyn Host,
        target: &Target,
        endpoint: Endpoint,
        path: &str,
        model_override: Option<String>,
        end_of_stream: bool,
    ) -> HeadersStatus {
        let chat_path = match (target, endpoint) {
            (Target::Anthropic { path_prefix }, _) => {
                let new_path = format!("{path_prefix}{}", endpoint.backend_path(path));
                host.set_request_header(":path", &new_path);
                if host.request_header("anthropic-version").is_none() {
                    host.set_request_header("anthropic-version", ANTHROPIC_VERSION);
                }
                return match model_override {
                    Some(model) if !end_of_stream => {
                        *self = Self::Override(model);
                        HeadersStatus::StopIteration
                    }
                    _ => HeadersStatus::Continue,
                };
            }
            (Target::OpenAI { .. } | Target::AzureOpenAI { .. }, Endpoint::CountTokens) => {
                return refuse(
                    host,
                    AnthropicError::not_found(
                        "Token counting (/v1/messages/count_tokens) is served only by Anthropic backends; this route's backend speaks the OpenAI schema.",
                    ),
                );
            }
            (Target::OpenAI { path_prefix }, Endpoint::Messages) => {
                format!("{path_prefix}{}", ApiKind::ChatCompletions.suffix())
            }
            (Target::AzureOpenAI { api_version }, Endpoint::Messages) => {
                let model = model_override
                    .clone()
                    .or_else(|| host.request_header(headers::MODEL));
                let Some(model) = model else {
                    return refuse(
                        host,
                        AnthropicError::bad_request(
                            "No model to pick the Azure OpenAI deployment: the request has no 'model'.",
                        ),
                    );
                };
                deployment_path(ApiKind::ChatCompletions, &model, None, api_version)
            }
            (Target::GcpAnthropic { .. }, Endpoint::CountTokens) => {
                if end_of_stream {
                    return refuse(
                        host,
                        AnthropicError::bad_request("A count_tokens request needs a body."),
                    );
                }
                host.remove_request_header("anthropic-version");
                *self = Self::VertexCountTokens(model_override);
                return HeadersStatus::StopIteration;
            }
            (Target::GcpAnthropic { .. }, Endpoint::Messages) => {
                if end_of_stream {
                    return refuse(
                        host,
                        AnthropicError::bad_request("A Messages request needs a body."),
                    );
                }
                // Vertex takes the version in the body only.
                host.remove_request_header("anthropic-version");
                *self = Self::Vertex(model_override);
                return HeadersStatus::StopIteration;
            }
            (
                Target::Gemini { .. }
                | Target::GcpVertexAi { .. }
                | Target::AwsBedrock { .. }
                | Target::Cohere { .. },
                Endpoint::CountTokens,
            ) => {
                return refuse(
                    host,
                    AnthropicError::not_found(format!(
                        "Token counting (/v1/messages/count_tokens) is served only by Anthropic backends; this route's backend speaks {}.",
                        chain_api_name(target)
                    )),
                );
            }
            (Target::AwsAnthropic { .. }, Endpoint::CountTokens) => {
                if end_of_stream {
                    return refuse(
                        host,
                        AnthropicError::bad_request("A count_tokens request needs a body."),
                    );
                }
                let (beta, exchange) = bedrock_exchange(host, model_override);
                *self = Self::BedrockCountTokens(beta, exchange);
                return HeadersStatus::StopIteration;
            }
            (Target::AwsAnthropic { .. }, Endpoint::Messages) => {
                if end_of_stream {
                    return refuse(
                        host,
                        AnthropicError::bad_request("A Messages request needs a body."),
                    );
                }
                let (beta, exchange) = bedrock_exchange(host, model_override);
                *self = Self::Bedrock(beta, exchange);
                return HeadersStatus::StopIteration;
            }
            // Through OpenAI chat completions to the backend's own chat API.
            (
                Target::Gemini { .. }
                | Target::GcpVertexAi { .. }
                | Target::AwsBedrock { .. }
                | Target::Cohere { .. },
                Endpoint::Messages,
            ) => {
                if end_of_stream {
                    return refuse(
                        host,
                        AnthropicError::bad_request("A Messages request needs a body."),
                    );
                }
                host.remove_request_header("anthropic-version");
                host.remove_request_header("anthropic-beta");
                *self = Self::Chained(Exchange::new(ApiKind::ChatCompletions, model_override));
                return HeadersStatus::StopIteration;
            }
        };
        if end_of_stream {
            return refuse(
                host,
                AnthropicError::bad_request("A Messages request needs a body."),
            );
        }
        host.set_request_header(":path", &chat_path);
        host.remove_request_header("anthropic-version");
        host.remove_request_header("anthropic-beta");
        *self = Self::ToOpenAi(Exchange::new(ApiKind::ChatCompletions, model_override));
        HeadersStatus::StopIteration
    }

    /// Request body: the model override, the Vertex AI rewrite (under `target`'s path
    /// prefix) or the translation, at end of stream.
    pub fn on_request_body(
        &mut self,
        host: &mut dyn Host,
        target: &Target,
        end_of_stream: bool,
    ) -> BodyStatus {
        match self {
            Self::Chained(chain) => {
                return messages_chain::on_request_body(chain, host, target, end_of_stream);
            }
            Self::ToOpenAi(exchange) => {
                return exchange.on_request_body(host, &ToOpenAi, "", end_of_stream);
            }
            _ => {}
        }
        if let (Self::Bedrock(beta, exchange), Target::AwsAnthropic { path_prefix }) =
            (&mut *self, target)
        {
            let rewrite = BedrockMessages {
                beta: beta.as_deref(),
            };
            return exchange.on_request_body(host, &rewrite, path_prefix, end_of_stream);
        }
        if let (Self::BedrockCountTokens(beta, exchange), Target::AwsAnthropic { path_prefix }) =
            (&mut *self, target)
        {
            let rewrite = BedrockCountTokens {
                beta: beta.as_deref(),
            };
            return exchange.on_request_body(host, &rewrite, path_prefix, end_of_stream);
        }
        if !matches!(
            self,
            Self::Override(_) | Self::Vertex(_) | Self::VertexCountTokens(_)
        ) {
            return BodyStatus::Continue;
        }
        if !end_of_stream {
            return BodyStatus::StopAndBuffer;
        }
        let body = host.request_body();
        let result = match std::mem::take(self) {
            Self::Override(model) => model_override_edit(&body, &model)
                .map(|edit| edit.map(|e| e.apply(&body)))
                .map_err(AnthropicError::from),
            Self::VertexCountTokens(model_override) => {
                count_tokens_request(&body, model_override.as_deref()).map(|rewritten| {
                    let prefix = match target {
                        Target::GcpAnthropic { path_prefix } => path_prefix.as_str(),
                        _ => "",
                    };
                    host.set_request_header(":path", &format!("{prefix}{}", rewritten.path));
                    *self = Self::AwaitingVertex;
                    Some(rewritten.body)
                })
            }
            Self::Vertex(model_override) => {
                messages_request(&body, model_override.as_deref()).map(|rewritten| {
                    let prefix = match target {
                        Target::GcpAnthropic { path_prefix } => path_prefix.as_str(),
                        _ => "",
                    };
                    host.set_request_header(":path", &format!("{prefix}{}", rewritten.path));
                    *self = Self::AwaitingVertex;
                    Some(rewritten.body)
                })
            }
            _ => Ok(None),
        };
        match result {
            Ok(Some(new_body)) => {
                host.set_request_body(&new_body);
                BodyStatus::Continue
            }
            Ok(None) => BodyStatus::Continue,
            Err(error) => {
                *self = Self::PassThrough;
                send_anthropic_error(host, &error);
                BodyStatus::StopNoBuffer
            }
        }
    }

    /// Response headers: picks the translation by status and content type.
    pub fn on_response_headers(
        &mut self,
        host: &mut dyn Host,
        end_of_stream: bool,
    ) -> HeadersStatus {
        if let Self::Chained(exchange)
        | Self::ToOpenAi(exchange)
        | Self::Bedrock(_, exchange)
        | Self::BedrockCountTokens(_, exchange) = self
        {
            return exchange.on_response_headers(host, end_of_stream);
        }
        if matches!(self, Self::AwaitingVertex) {
            *self = Self::PassThrough;
            let status = host
                .response_header(":status")
                .and_then(|s| s.parse::<u16>().ok())
                .unwrap_or(0);
            if end_of_stream || (200..300).contains(&status) {
                return HeadersStatus::Continue;
            }
            *self = Self::VertexError(status);
            return HeadersStatus::StopIteration;
        }
        HeadersStatus::Continue
    }

    /// Response body: stream chunks as they come, buffered bodies at the end.
    pub fn on_response_body(&mut self, host: &mut dyn Host, end_of_stream: bool) -> BodyStatus {
        match self {
            Self::Chained(exchange)
            | Self::ToOpenAi(exchange)
            | Self::Bedrock(_, exchange)
            | Self::BedrockCountTokens(_, exchange) => {
                exchange.on_response_body(host, end_of_stream)
            }
            Self::VertexError(_) if !end_of_stream => BodyStatus::StopAndBuffer,
            Self::VertexError(status) => {
                if let Some(body) = messages_error(*status, &host.response_body()) {
                    host.set_response_header("content-type", "application/json");
                    finish_body(host, &body);
                }
                BodyStatus::Continue
            }
            _ => BodyStatus::Continue,
        }
    }
}

/// The exchange of a request to Claude on Bedrock and the client's `anthropic-beta` header;
/// the version and beta headers are removed, since Bedrock takes both in the body only.
fn bedrock_exchange(
    host: &mut dyn Host,
    model_override: Option<String>,
) -> (Option<String>, Exchange) {
    let beta = host.request_header("anthropic-beta");
    host.remove_request_header("anthropic-version");
    host.remove_request_header("anthropic-beta");
    (
        beta,
        Exchange::new(ApiKind::ChatCompletions, model_override),
    )
}

fn refuse(host: &mut dyn Host, error: AnthropicError) -> HeadersStatus {
    send_anthropic_error(host, &error);
    HeadersStatus::StopIteration
}

#[cfg(test)]
#[path = "messages_tests.rs"]
mod tests;
