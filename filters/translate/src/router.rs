//! The router role: buffers and validates client requests on API paths, names the model in
//! `x-ai-eg-model` and re-routes on it. Other requests pass through untouched.

use crate::config::RouterConfig;
use crate::reply::send_error;
use aigw_core::api_kind::ApiKind;
use aigw_core::headers;
use aigw_core::openai::error::OpenAiError;
use aigw_core::openai::models::{is_models_path, method_not_allowed};
use aigw_core::openai::routing::prepare_request;
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
        self.state = State::PassThrough;
        send_error(
            host,
            &OpenAiError::too_large(size, self.config.max_request_bytes),
        );
    }
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
        let Some(kind) = ApiKind::from_path(&path) else {
            return HeadersStatus::Continue;
        };
        if host.request_header(":method").as_deref() != Some("POST") {
            return HeadersStatus::Continue;
        }
        // Only route configuration may choose a backend model; never the client.
        host.remove_request_header(headers::MODEL_OVERRIDE);
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
        let declared = host
            .request_header("content-length")
            .and_then(|v| v.trim().parse::<u64>().ok());
        if let Some(size) = declared.filter(|&n| n > self.config.max_request_bytes as u64) {
            self.too_large(host, size);
            return HeadersStatus::StopIteration;
        }
        self.state = State::Buffering(kind);
        HeadersStatus::StopIteration
    }

    fn on_request_body(&mut self, host: &mut dyn Host, end_of_stream: bool) -> BodyStatus {
        let State::Buffering(kind) = self.state else {
            return BodyStatus::Continue;
        };
        if !end_of_stream {
            return BodyStatus::StopAndBuffer;
        }
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
