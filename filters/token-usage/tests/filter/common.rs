//! Helpers shared by the filter tests.

use aigw_host::test_host::{TestHost, TestRegistry};
use aigw_host::{BodyStatus, Filter, FilterFactory, HeadersStatus, MetadataValue};
use aigw_token_usage::{TokenUsageFactory, TokenUsageFilter};
use std::time::Duration;

pub const CHAT: &[u8] = include_bytes!("../../../../testdata/openai/chat_completion.json");
pub const COMPLETION: &[u8] = include_bytes!("../../../../testdata/openai/completion.json");
pub const EMBEDDINGS: &[u8] = include_bytes!("../../../../testdata/openai/embeddings.json");
pub const CHAT_STREAM: &[u8] = include_bytes!("../../../../testdata/openai/chat_stream.sse");
pub const COMPLETIONS_STREAM: &[u8] =
    include_bytes!("../../../../testdata/openai/completions_stream.sse");
pub const NO_USAGE_STREAM: &[u8] =
    include_bytes!("../../../../testdata/openai/chat_stream_no_usage.sse");
pub const RESPONSES: &[u8] = include_bytes!("../../../../testdata/openai/responses.json");
pub const RESPONSES_STREAM: &[u8] =
    include_bytes!("../../../../testdata/openai/responses_stream.sse");

pub const CONFIG: &str = r#"{"costs":[
    {"metadata_key":"llm_total_token","type":"TotalToken"},
    {"metadata_key":"llm_cached","type":"CachedInputToken"}]}"#;

/// One stream under test.
pub struct Stream {
    pub host: TestHost,
    pub filter: TokenUsageFilter,
    pub registry: TestRegistry,
}

impl Stream {
    /// Sends the request headers of `path` naming `model`.
    pub fn request(path: &str, model: &str) -> Self {
        Self::with_config(CONFIG, path, model, &[])
    }

    /// Sends the request headers of `path` naming `model`, plus `extra` headers, to a
    /// filter built from `config`.
    pub fn with_config(config: &str, path: &str, model: &str, extra: &[(&str, &str)]) -> Self {
        let (factory, registry) = TestHost::factory::<TokenUsageFactory>(config).unwrap();
        let mut headers = vec![
            (":method", "POST"),
            (":path", path),
            ("x-ai-eg-model", model),
        ];
        headers.extend_from_slice(extra);
        let mut host = TestHost::with_request_headers(&headers);
        let mut filter = factory.create_filter();
        assert_eq!(
            filter.on_request_headers(&mut host, false),
            HeadersStatus::Continue
        );
        Self {
            host,
            filter,
            registry,
        }
    }

    /// Advances the host clock.
    pub fn advance(&mut self, millis: u64) {
        self.host.time += Duration::from_millis(millis);
    }

    /// Sends response headers.
    pub fn response_headers(&mut self, headers: &[(&str, &str)], end_of_stream: bool) {
        self.host.response_headers = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let status = self
            .filter
            .on_response_headers(&mut self.host, end_of_stream);
        assert_eq!(status, HeadersStatus::Continue);
    }

    /// Sends one response body chunk and checks it passes on untouched.
    pub fn chunk(&mut self, data: &[u8], end_of_stream: bool) {
        self.host.response_body = data.to_vec();
        let status = self.filter.on_response_body(&mut self.host, end_of_stream);
        assert_eq!(status, BodyStatus::Continue);
        assert_eq!(self.host.response_body, data, "body must pass untouched");
    }

    /// Ends the stream.
    pub fn complete(&mut self) {
        self.filter.on_stream_complete(&mut self.host);
    }

    /// Records of the metric named `name`: (label values, value).
    pub fn records(&self, name: &str) -> Vec<(Vec<String>, u64)> {
        let index = self
            .registry
            .metrics
            .iter()
            .position(|m| m.name == name)
            .unwrap_or_else(|| panic!("metric {name} not defined"));
        self.host
            .metric_records
            .iter()
            .filter(|(id, _, _)| id.0 as usize == index)
            .map(|(_, labels, value)| (labels.clone(), *value))
            .collect()
    }

    /// A number written to metadata.
    pub fn num(&self, key: &str) -> f64 {
        match self.host.metadata.get(key) {
            Some(MetadataValue::Num(n)) => *n,
            other => panic!("metadata {key} is {other:?}, not a number"),
        }
    }

    /// A string written to metadata.
    pub fn str(&self, key: &str) -> &str {
        match self.host.metadata.get(key) {
            Some(MetadataValue::Str(s)) => s,
            other => panic!("metadata {key} is {other:?}, not a string"),
        }
    }
}

/// Label values as owned strings.
pub fn labels(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| v.to_string()).collect()
}

/// Response headers of a successful JSON response from `backend`.
pub fn json_headers(backend: &str) -> Vec<(&str, &str)> {
    vec![
        (":status", "200"),
        ("content-type", "application/json"),
        ("x-aigw-backend", backend),
    ]
}

/// Response headers of a successful SSE response from `backend`.
pub fn sse_headers(backend: &str) -> Vec<(&str, &str)> {
    vec![
        (":status", "200"),
        ("content-type", "text/event-stream; charset=utf-8"),
        ("x-aigw-backend", backend),
    ]
}
