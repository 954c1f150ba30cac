//! The backend role: adapts a request to one backend's schema (path, model override) and
//! tags the response with the backend's name. OpenAI and Azure bodies pass through untouched
//! unless the model is overridden; Anthropic, Gemini, Bedrock (Converse and Claude through
//! InvokeModel), Vertex AI and Cohere exchanges
//! are translated both ways. Every attempt (a retry or fallback to another backend) starts from the client's
//! request.

use crate::anthropic::Exchange;
use crate::attempt::start_from_client_request;
use crate::bedrock::BedrockExchange;
use crate::bedrock_anthropic::BedrockAnthropicExchange;
use crate::cohere::CohereExchange;
use crate::config::{BackendConfig, Target};
use crate::content_check::ContentCheck;
use crate::gemini::GeminiExchange;
use crate::messages::MessagesExchange;
use crate::reply::send_error;
use aigw_core::anthropic::messages::Endpoint;
use aigw_core::api_kind::ApiKind;
use aigw_core::azure::deployment_path;
use aigw_core::gemini::path::GeminiApi;
use aigw_core::headers;
use aigw_core::openai::error::OpenAiError;
use aigw_core::openai::model_override::model_override_edit;
use aigw_core::openai::passthrough::Passthrough;
use aigw_core::openai::path::with_prefix;
use aigw_host::{BodyStatus, Filter, HeadersStatus, Host};
use std::sync::Arc;

/// The backend-role filter of one stream (one upstream attempt).
pub struct BackendFilter {
    config: Arc<BackendConfig>,
    /// The model to write into the request body, while buffering it.
    pending_override: Option<String>,
    /// The exchange with an Anthropic backend (unused for other schemas).
    anthropic: Exchange,
    /// The exchange with a Gemini backend (unused for other schemas).
    gemini: GeminiExchange,
    /// The exchange with an AWS Bedrock backend (unused for other schemas).
    bedrock: BedrockExchange,
    /// The exchange with a Cohere backend (unused for other schemas).
    cohere: CohereExchange,
    /// The chat exchange with Claude on Bedrock (unused for other schemas).
    bedrock_anthropic: BedrockAnthropicExchange,
    /// The client called the Anthropic Messages API (`/anthropic/v1/...`).
    messages_api: bool,
    /// That exchange, for any backend schema.
    messages: MessagesExchange,
    /// The media-type check of a JSON response passed through (OpenAI and Azure backends).
    content_check: ContentCheck,
}

impl BackendFilter {
    /// A filter for one stream.
    pub fn new(config: Arc<BackendConfig>) -> Self {
        Self {
            config,
            pending_override: None,
            anthropic: Exchange::default(),
            gemini: GeminiExchange::default(),
            bedrock: BedrockExchange::default(),
            cohere: CohereExchange::default(),
            bedrock_anthropic: BedrockAnthropicExchange::default(),
            messages_api: false,
            messages: MessagesExchange::default(),
            content_check: ContentCheck::default(),
        }
    }

    /// The rewritten `:path`, `None` to keep it; `Err` when an Azure request names no model.
    fn new_path(
        &self,
        host: &dyn Host,
        path: &str,
        kind: Option<ApiKind>,
        passthrough: Option<Passthrough>,
        model_override: Option<&str>,
    ) -> Result<Option<String>, OpenAiError> {
        let azure_model = || match model_override {
            Some(model) => Ok(model.to_string()),
            None => host.request_header(headers::MODEL).ok_or_else(|| {
                OpenAiError::bad_request(
                    "No model to pick the Azure OpenAI deployment: the request has no 'model'.",
                    Some("model"),
                )
            }),
        };
        let query = path.split_once('?').map(|(_, q)| q);
        match (&self.config.target, kind, passthrough) {
            (Target::OpenAI { path_prefix }, _, _) => Ok(with_prefix(path, path_prefix)),
            (Target::AzureOpenAI { api_version }, Some(kind), _) => Ok(Some(deployment_path(
                kind,
                &azure_model()?,
                query,
                api_version,
            ))),
            (Target::AzureOpenAI { api_version }, None, Some(endpoint)) => Ok(Some(
                endpoint.azure_path(&azure_model()?, query, api_version),
            )),
            (Target::AzureOpenAI { .. }, None, None) => Ok(None),
            // The Anthropic exchange sets its own paths.
            (Target::Anthropic { .. }, _, _) => Ok(None),
            // So does the Gemini exchange.
            (Target::Gemini { .. }, _, _) => Ok(None),
            // And the Bedrock and Vertex AI exchanges.
            (
                Target::AwsBedrock { .. }
                | Target::AwsAnthropic { .. }
                | Target::GcpVertexAi { .. }
                | Target::GcpAnthropic { .. },
                _,
                _,
            ) => Ok(None),
            (Target::Cohere { .. }, _, _) => Ok(None),
        }
    }
}

impl Filter for BackendFilter {
    fn on_request_headers(&mut self, host: &mut dyn Host, end_of_stream: bool) -> HeadersStatus {
        if self.config.retried {
            start_from_client_request(host);
        }
        let path = host.request_header(":path").unwrap_or_default();
        let kind = ApiKind::from_path(&path);
        let header_override = host.request_header(headers::MODEL_OVERRIDE);
        if header_override.is_some() {
            host.remove_request_header(headers::MODEL_OVERRIDE);
        }
        let model_override = self.config.model_override.clone().or(header_override);
        if let Some(authority) = &self.config.authority {
            host.set_request_header(":authority", authority);
        }
        if let Some(endpoint) = Endpoint::from_path(&path) {
            self.messages_api = true;
            return self.messages.on_request_headers(
                host,
                &self.config.target,
                endpoint,
                &path,
                model_override,
                end_of_stream,
            );
        }
        let passthrough = kind.map_or_else(|| Passthrough::from_path(&path), |_| None);
        if let (
            Some(endpoint),
            Target::Anthropic { .. }
            | Target::Gemini { .. }
            | Target::AwsBedrock { .. }
            | Target::AwsAnthropic { .. }
            | Target::GcpVertexAi { .. }
            | Target::GcpAnthropic { .. }
            | Target::Cohere { .. },
        ) = (passthrough, &self.config.target)
        {
            let error = OpenAiError {
                status: 404,
                message: format!(
                    "/v1{} is passed through to OpenAI-schema backends only; this route's backend speaks another API.",
                    endpoint.suffix()
                ),
                param: None,
            };
            send_error(host, &error);
            return HeadersStatus::StopIteration;
        }
        if let Target::Anthropic { path_prefix } = &self.config.target {
            return self.anthropic.on_request_headers(
                host,
                path_prefix,
                &path,
                model_override,
                end_of_stream,
            );
        }
        if let Target::GcpAnthropic { .. } = &self.config.target {
            return self.anthropic.on_vertex_request_headers(
                host,
                &path,
                model_override,
                end_of_stream,
            );
        }
        if let Target::Gemini { .. } | Target::GcpVertexAi { .. } = &self.config.target {
            return self
                .gemini
                .on_request_headers(host, &path, model_override, end_of_stream);
        }
        if let Target::AwsBedrock { .. } = &self.config.target {
            return self
                .bedrock
                .on_request_headers(host, &path, model_override, end_of_stream);
        }
        if let Target::Cohere { .. } = &self.config.target {
            return self
                .cohere
                .on_request_headers(host, &path, model_override, end_of_stream);
        }
        if let Target::AwsAnthropic { .. } = &self.config.target {
            return self.bedrock_anthropic.on_request_headers(
                host,
                &path,
                model_override,
                end_of_stream,
            );
        }
        match self.new_path(host, &path, kind, passthrough, model_override.as_deref()) {
            Ok(Some(new_path)) => host.set_request_header(":path", &new_path),
            Ok(None) => {}
            Err(error) => {
                send_error(host, &error);
                return HeadersStatus::StopIteration;
            }
        }
        if kind.is_some() || passthrough.is_some_and(Passthrough::answers_json) {
            let chunks = matches!(kind, Some(ApiKind::ChatCompletions | ApiKind::Completions));
            self.content_check.expect(chunks);
        }
        let json_body = kind.is_some() || passthrough.is_some_and(Passthrough::is_json);
        if json_body && !end_of_stream && model_override.is_some() {
            self.pending_override = model_override;
            return HeadersStatus::StopIteration;
        }
        HeadersStatus::Continue
    }

    fn on_request_body(&mut self, host: &mut dyn Host, end_of_stream: bool) -> BodyStatus {
        if self.messages_api {
            return self
                .messages
                .on_request_body(host, &self.config.target, end_of_stream);
        }
        if let Target::Anthropic { path_prefix } | Target::GcpAnthropic { path_prefix } =
            &self.config.target
        {
            return self
                .anthropic
                .on_request_body(host, path_prefix, end_of_stream);
        }
        if let Target::Gemini { path_prefix } = &self.config.target {
            return self.gemini.on_request_body(
                host,
                GeminiApi::Gemini,
                path_prefix,
                end_of_stream,
            );
        }
        if let Target::GcpVertexAi { path_prefix } = &self.config.target {
            return self.gemini.on_request_body(
                host,
                GeminiApi::Vertex,
                path_prefix,
                end_of_stream,
            );
        }
        if let Target::AwsBedrock { path_prefix } = &self.config.target {
            return self
                .bedrock
                .on_request_body(host, path_prefix, end_of_stream);
        }
        if let Target::Cohere { path_prefix } = &self.config.target {
            return self
                .cohere
                .on_request_body(host, path_prefix, end_of_stream);
        }
        if let Target::AwsAnthropic { path_prefix } = &self.config.target {
            return self
                .bedrock_anthropic
                .on_request_body(host, path_prefix, end_of_stream);
        }
        let Some(model) = self.pending_override.as_deref() else {
            return BodyStatus::Continue;
        };
        if !end_of_stream {
            return BodyStatus::StopAndBuffer;
        }
        let body = host.request_body();
        let edit = model_override_edit(&body, model);
        self.pending_override = None;
        match edit {
            Ok(Some(edit)) => {
                let new_body = edit.apply(&body);
                host.set_request_body(&new_body);
                BodyStatus::Continue
            }
            Ok(None) => BodyStatus::Continue,
            Err(error) => {
                send_error(host, &error);
                BodyStatus::StopNoBuffer
            }
        }
    }

    fn on_response_headers(&mut self, host: &mut dyn Host, end_of_stream: bool) -> HeadersStatus {
        host.set_response_header(headers::BACKEND, &self.config.backend);
        if self.messages_api {
            return self.messages.on_response_headers(host, end_of_stream);
        }
        match self.config.target {
            Target::Gemini { .. } | Target::GcpVertexAi { .. } => {
                self.gemini.on_response_headers(host, end_of_stream)
            }
            Target::AwsBedrock { .. } => self.bedrock.on_response_headers(host, end_of_stream),
            Target::Anthropic { .. } | Target::GcpAnthropic { .. } => {
                self.anthropic.on_response_headers(host, end_of_stream)
            }
            Target::OpenAI { .. } | Target::AzureOpenAI { .. } => {
                self.content_check.on_response_headers(host, end_of_stream)
            }
            Target::Cohere { .. } => self.cohere.on_response_headers(host, end_of_stream),
            Target::AwsAnthropic { .. } => self
                .bedrock_anthropic
                .on_response_headers(host, end_of_stream),
        }
    }

    fn on_response_body(&mut self, host: &mut dyn Host, end_of_stream: bool) -> BodyStatus {
        if self.messages_api {
            return self.messages.on_response_body(host, end_of_stream);
        }
        match self.config.target {
            Target::Gemini { .. } | Target::GcpVertexAi { .. } => {
                self.gemini.on_response_body(host, end_of_stream)
            }
            Target::AwsBedrock { .. } => self.bedrock.on_response_body(host, end_of_stream),
            Target::Anthropic { .. } | Target::GcpAnthropic { .. } => {
                self.anthropic.on_response_body(host, end_of_stream)
            }
            Target::OpenAI { .. } | Target::AzureOpenAI { .. } => {
                self.content_check.on_response_body(host, end_of_stream)
            }
            Target::Cohere { .. } => self.cohere.on_response_body(host, end_of_stream),
            Target::AwsAnthropic { .. } => {
                self.bedrock_anthropic.on_response_body(host, end_of_stream)
            }
        }
    }
}

#[cfg(test)]
#[path = "backend_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "vertex_tests.rs"]
mod vertex_tests;
