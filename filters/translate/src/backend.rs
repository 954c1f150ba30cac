//! The backend role: adapts a request to one backend's schema (path, model override) and
//! tags the response with the backend's name. OpenAI and Azure bodies pass through untouched
//! unless the model is overridden; Anthropic, Gemini, Bedrock (Converse and Claude through
//! InvokeModel), Vertex AI and Cohere exchanges
//! are translated both ways. Every attempt (a retry or fallback to another backend) starts from the client's
//! request.

use crate::anthropic::Anthropic;
use crate::attempt::start_from_client_request;
use crate::bedrock::Bedrock;
use crate::cohere::Cohere;
use crate::config::{BackendConfig, Target};
use crate::content_check::ContentCheck;
use crate::exchange::{Exchange, Translated};
use crate::gemini::Gemini;
use crate::messages::MessagesExchange;
use crate::reply::send_error;
use aigw_core::anthropic::messages::Endpoint;
use aigw_core::api_kind::ApiKind;
use aigw_core::azure::deployment_path;
use aigw_core::chat_schema::AnthropicChat;
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
    /// The exchange with a translated backend (unused for OpenAI and Azure).
    exchange: Exchange,
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
            exchange: Exchange::default(),
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
            // Translated backends set their own paths ([`Exchange`]).
            _ => Ok(None),
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
        if let Some((backend, path_prefix)) = translated(&self.config.target) {
            return self.exchange.on_request_headers(
                host,
                backend,
                path_prefix,
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
        if let Some((backend, path_prefix)) = translated(&self.config.target) {
            return self
                .exchange
                .on_request_body(host, backend, path_prefix, end_of_stream);
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
            Target::OpenAI { .. } | Target::AzureOpenAI { .. } => {
                self.content_check.on_response_headers(host, end_of_stream)
            }
            _ => self.exchange.on_response_headers(host, end_of_stream),
        }
    }

    fn on_response_body(&mut self, host: &mut dyn Host, end_of_stream: bool) -> BodyStatus {
        if self.messages_api {
            return self.messages.on_response_body(host, end_of_stream);
        }
        match self.config.target {
            Target::OpenAI { .. } | Target::AzureOpenAI { .. } => {
                self.content_check.on_response_body(host, end_of_stream)
            }
            _ => self.exchange.on_response_body(host, end_of_stream),
        }
    }
}

/// The translated backend of `target` and its path prefix (`None`: OpenAI and Azure, whose
/// bodies pass through).
fn translated(target: &Target) -> Option<(&'static dyn Translated, &str)> {
    static ANTHROPIC: Anthropic = Anthropic(AnthropicChat::Anthropic);
    static VERTEX_ANTHROPIC: Anthropic = Anthropic(AnthropicChat::Vertex);
    static BEDROCK_ANTHROPIC: Anthropic = Anthropic(AnthropicChat::Bedrock);
    static GEMINI: Gemini = Gemini(GeminiApi::Gemini);
    static VERTEX: Gemini = Gemini(GeminiApi::Vertex);
    match target {
        Target::Anthropic { path_prefix } => Some((&ANTHROPIC, path_prefix)),
        Target::GcpAnthropic { path_prefix } => Some((&VERTEX_ANTHROPIC, path_prefix)),
        Target::AwsAnthropic { path_prefix } => Some((&BEDROCK_ANTHROPIC, path_prefix)),
        Target::Gemini { path_prefix } => Some((&GEMINI, path_prefix)),
        Target::GcpVertexAi { path_prefix } => Some((&VERTEX, path_prefix)),
        Target::AwsBedrock { path_prefix } => Some((&Bedrock, path_prefix)),
        Target::Cohere { path_prefix } => Some((&Cohere, path_prefix)),
        Target::OpenAI { .. } | Target::AzureOpenAI { .. } => None,
    }
}

#[cfg(test)]
#[path = "backend_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "vertex_tests.rs"]
mod vertex_tests;
