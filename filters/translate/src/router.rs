//! The router role: buffers and validates client requests on API paths, names the model in
//! `x-ai-eg-model` and re-routes on it. Other requests pass through untouched.

use crate::config::RouterConfig;
use crate::reply::{send_anthropic_error, send_error};
use aigw_core::anthropic::messages::Endpoint;
use aigw_core::anthropic::messages::client::check_request;
use aigw_core::anthropic::messages::error::AnthropicError;
use aigw_core::api_key_id::{api_key_id, client_credential};
use aigw_core::api_kind::ApiKind;
use aigw_core::headers;
use aigw_core::openai::error::OpenAiError;
use aigw_core::openai::models::{is_models_path, method_not_allowed};
use aigw_core::openai::multipart_model::multipart_model;
use aigw_core::openai::passthrough::{Passthrough, json_model};
use aigw_core::openai::routing::prepare_request;
use aigw_core::reservation::{
    reserved_tokens, reserved_tokens_anthropic, reserved_tokens_responses,
};
use aigw_host::{BodyStatus, Filter, HeadersStatus, Host};
use std::sync::Arc;

/// The router-role filter of one stream.
pub struct RouterFilter {
    config: Arc<RouterConfig>,
    state: State,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Not an API request (or already answered): nothing to do.
    PassThrough,
    /// Buffering the body of an API request of this kind.
    Buffering(ApiKind),
    /// Buffering the body of an Anthropic Messages (or count_tokens) request.
    BufferingAnthropic(Endpoint),
    /// Buffering the body of a passed-through OpenAI endpoint (`/v1/responses`, ...) to read
    /// its model (from JSON, or from the `model` field of a multipart upload).
    BufferingPassthrough(Passthrough),
}

impl RouterFilter {
    /// A filter for one stream.
    pub fn new(config: Arc<RouterConfig>) -> Self {
        Self {
            config,
            state: State::PassThrough,
        }
    }

    /// Answers `/v1/models`: the configured list for GET, a 405 for other methods.
    fn list_models(&self, host: &mut dyn Host) {
        let method = host.request_header(":method").unwrap_or_default();
        if method == "GET" {
            host.send_local_reply(
                200,
                &[("content-type", "application/json")],
                &self.config.models_body,
            );
        } else {
            let error = method_not_allowed(&method);
            host.send_local_reply(
                error.status,
                &[("content-type", "application/json"), ("allow", "GET")],
                &error.body(),
            );
        }
    }

    fn too_large(&mut self, host: &mut dyn Host, size: u64) {
        let error = OpenAiError::too_large(size, self.config.max_request_bytes);
        if matches!(self.state, State::BufferingAnthropic(_)) {
            send_anthropic_error(host, &AnthropicError::from(error));
        } else {
            send_error(host, &error);
        }
        self.state = State::PassThrough;
    }

    /// Request headers of an Anthropic endpoint: refuses an empty or declared-too-large
    /// body, else starts buffering.
    fn anthropic_headers(
        &mut self,
        host: &mut dyn Host,
        endpoint: Endpoint,
        end_of_stream: bool,
    ) -> HeadersStatus {
        host.remove_request_header(headers::MODEL_OVERRIDE);
        if end_of_stream {
            let error =
                AnthropicError::bad_request("The request body is empty; expected a JSON object.");
            send_anthropic_error(host, &error);
            return HeadersStatus::StopIteration;
        }
        self.state = State::BufferingAnthropic(endpoint);
        if let Some(size) =
            declared_length(host).filter(|&n| n > self.config.max_request_bytes as u64)
        {
            self.too_large(host, size);
        }
        HeadersStatus::StopIteration
    }

    /// The whole body of an Anthropic endpoint request: checks it, names the model.
    fn anthropic_body(&mut self, host: &mut dyn Host, endpoint: Endpoint) -> BodyStatus {
        let body = host.request_body();
        if body.len() > self.config.max_request_bytes {
            self.too_large(host, body.len() as u64);
            return BodyStatus::StopNoBuffer;
        }
        self.state = State::PassThrough;
        match check_request(endpoint, &body) {
            Ok(request) => {
                host.set_request_header(headers::MODEL, &request.model);
                if self.config.reserve_tokens && endpoint == Endpoint::Messages {
                    let reserved = reserved_tokens_anthropic(&body);
                    host.set_request_header(headers::RESERVED_TOKENS, &reserved.to_string());
                }
                host.clear_route_cache();
                BodyStatus::Continue
            }
            Err(error) => {
                send_anthropic_error(host, &error);
                BodyStatus::StopNoBuffer
            }
        }
    }
}

impl RouterFilter {
    /// The whole body of a passed-through endpoint: names the model, body unchanged. JSON
    /// bodies are read as JSON; multipart uploads only for their `model` field. A Responses
    /// API request also gets its token reservation when rate limits need one.
    fn passthrough_body(&mut self, host: &mut dyn Host, endpoint: Passthrough) -> BodyStatus {
        self.state = State::PassThrough;
        let body = host.request_body();
        if body.len() > self.config.max_request_bytes {
            self.too_large(host, body.len() as u64);
            return BodyStatus::StopNoBuffer;
        }
        let model = if endpoint.is_json() {
            json_model(&body).map(|m| m.into_owned())
        } else {
            let content_type = host.request_header("content-type").unwrap_or_default();
            multipart_model(&content_type, &body)
        };
        match model {
            Ok(model) => {
                host.set_request_header(headers::MODEL, &model);
                if self.config.reserve_tokens && endpoint == Passthrough::Responses {
                    let reserved =
                        reserved_tokens_responses(&body, self.config.default_output_tokens);
                    host.set_request_header(headers::RESERVED_TOKENS, &reserved.to_string());
                }
                host.clear_route_cache();
                BodyStatus::Continue
            }
            Err(error) => {
                send_error(host, &error);
                BodyStatus::StopNoBuffer
            }
        }
    }
}

/// The request's declared `content-length`.
fn declared_length(host: &dyn Host) -> Option<u64> {
    host.request_header("content-length")
        .and_then(|v| v.trim().parse::<u64>().ok())
}

impl Filter for RouterFilter {
    fn on_request_headers(&mut self, host: &mut dyn Host, end_of_stream: bool) -> HeadersStatus {
        let Some(path) = host.request_header(":path") else {
            return HeadersStatus::Continue;
        };
        if is_models_path(&path) {
            self.list_models(host);
            return HeadersStatus::StopIteration;
        }
        let kind = ApiKind::from_path(&path);
        let anthropic = kind.map_or_else(|| Endpoint::from_path(&path), |_| None);
        let passthrough = match (kind, anthropic) {
            (None, None) => Passthrough::from_path(&path),
            _ => None,
        };
        if (kind.is_none() && anthropic.is_none() && passthrough.is_none())
            || host.request_header(":method").as_deref() != Some("POST")
        {
            return HeadersStatus::Continue;
        }
        // Only this filter may name a reservation (a client's would drive the budget).
        host.remove_request_header(headers::RESERVED_TOKENS);
        if let Some(endpoint) = anthropic {
            return self.anthropic_headers(host, endpoint, end_of_stream);
        }
        // Only route configuration may choose a backend model; never the client.
        host.remove_request_header(headers::MODEL_OVERRIDE);
        host.remove_request_header(headers::API_KEY_ID);
        if self.config.api_key_id
            && let Some(key) = client_credential(|name| host.request_header(name))
        {
            host.set_request_header(headers::API_KEY_ID, &api_key_id(&key));
        }
        if end_of_stream {
            send_error(
                host,
                &OpenAiError::bad_request(
                    "The request body is empty; expected a JSON object.",
                    None,
                ),
            );
            return HeadersStatus::StopIteration;
        }
        if let Some(size) =
            declared_length(host).filter(|&n| n > self.config.max_request_bytes as u64)
        {
            self.too_large(host, size);
            return HeadersStatus::StopIteration;
        }
        self.state = match (kind, passthrough) {
            (Some(kind), _) => State::Buffering(kind),
            (None, Some(endpoint)) => State::BufferingPassthrough(endpoint),
            (None, None) => State::PassThrough,
        };
        HeadersStatus::StopIteration
    }

    fn on_request_body(&mut self, host: &mut dyn Host, end_of_stream: bool) -> BodyStatus {
        let kind = match self.state {
            State::PassThrough => return BodyStatus::Continue,
            _ if !end_of_stream => return BodyStatus::StopAndBuffer,
            State::BufferingAnthropic(endpoint) => return self.anthropic_body(host, endpoint),
            State::BufferingPassthrough(endpoint) => return self.passthrough_body(host, endpoint),
            State::Buffering(kind) => kind,
        };
        self.state = State::PassThrough;
        let body = host.request_body();
        if body.len() > self.config.max_request_bytes {
            self.too_large(host, body.len() as u64);
            return BodyStatus::StopNoBuffer;
        }
        let limits = self.config.limits();
        match prepare_request(kind, &body, self.config.force_include_usage, &limits) {
            Ok(prepared) => {
                host.set_request_header(headers::MODEL, &prepared.model);
                if self.config.reserve_tokens {
                    let reserved = reserved_tokens(
                        kind,
                        &body,
                        prepared.max_output_tokens,
                        self.config.default_output_tokens,
                    );
                    host.set_request_header(headers::RESERVED_TOKENS, &reserved.to_string());
                }
                if let Some(new_body) = prepared.body {
                    host.set_request_body(&new_body);
                }
                host.clear_route_cache();
                BodyStatus::Continue
            }
            Err(error) => {
                send_error(host, &error);
                BodyStatus::StopNoBuffer
            }
        }
    }
}

#[cfg(test)]
#[path = "router_tests.rs"]
mod tests;
