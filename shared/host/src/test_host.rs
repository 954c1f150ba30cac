//! An in-memory [`Host`] for unit tests: it holds headers and bodies, records metadata,
//! metrics, local replies, callouts and logs, and drives a filter through a stream.

use crate::{
    BodyStatus, CalloutResult, Filter, FilterFactory, HeadersStatus, Host, LogLevel, MetadataValue,
    MetricId, MetricKind, MetricsRegistry, Waker,
};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::{Duration, SystemTime};

/// A metric defined through [`TestRegistry`].
#[derive(Debug, Clone, PartialEq)]
pub struct DefinedMetric {
    pub kind: MetricKind,
    pub name: String,
    pub labels: Vec<String>,
}

/// Records metric definitions made while a factory is built.
#[derive(Debug, Default)]
pub struct TestRegistry {
    pub metrics: Vec<DefinedMetric>,
}

impl MetricsRegistry for TestRegistry {
    fn define(
        &mut self,
        kind: MetricKind,
        name: &str,
        labels: &[&str],
    ) -> Result<MetricId, String> {
        self.metrics.push(DefinedMetric {
            kind,
            name: name.to_string(),
            labels: labels.iter().map(|l| l.to_string()).collect(),
        });
        Ok(MetricId(self.metrics.len() as u32 - 1))
    }
}

/// A local reply sent by the filter.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// An HTTP callout started by the filter.
#[derive(Debug, Clone, PartialEq)]
pub struct Callout {
    pub token: u32,
    pub cluster: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub timeout: Duration,
}

/// The in-memory host. Fields are public so tests can set up and inspect state directly.
#[derive(Debug)]
pub struct TestHost {
    pub request_headers: Vec<(String, String)>,
    pub response_headers: Vec<(String, String)>,
    /// Data the current request body callback covers.
    pub request_body: Vec<u8>,
    /// Data the current response body callback covers.
    pub response_body: Vec<u8>,
    pub route_cache_cleared: u32,
    pub request_continued: u32,
    pub response_continued: u32,
    pub local_reply: Option<LocalReply>,
    pub metadata: BTreeMap<String, MetadataValue>,
    /// Filter state shared by the stream's filter instances.
    pub filter_state: BTreeMap<String, Vec<u8>>,
    /// Metric records: (metric id, label values, value).
    pub metric_records: Vec<(MetricId, Vec<String>, u64)>,
    pub callouts: Vec<Callout>,
    pub logs: std::cell::RefCell<Vec<(LogLevel, String)>>,
    pub time: SystemTime,
    /// Whether the current body callback is the last of its direction (set by the `run_*`
    /// drivers; decides how a body replacement fixes `content-length`).
    pub body_end_of_stream: bool,
    /// How many times a [`Waker`] of this stream was woken (the test delivers the wake by
    /// calling [`Filter::on_wake`] itself, see [`TestHost::deliver_wakes`]).
    pub wakes: Rc<Cell<u32>>,
}

/// A [`Waker`] of a [`TestHost`] stream: counts wakes.
#[derive(Debug)]
struct TestWaker(Rc<Cell<u32>>);

impl Waker for TestWaker {
    fn wake(&self) {
        self.0.set(self.0.get() + 1);
    }
}

impl Default for TestHost {
    fn default() -> Self {
        Self {
            request_headers: Vec::new(),
            response_headers: Vec::new(),
            request_body: Vec::new(),
            response_body: Vec::new(),
            route_cache_cleared: 0,
            request_continued: 0,
            response_continued: 0,
            local_reply: None,
            metadata: BTreeMap::new(),
            filter_state: BTreeMap::new(),
            metric_records: Vec::new(),
            callouts: Vec::new(),
            logs: Default::default(),
            time: SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
            body_end_of_stream: true,
            wakes: Rc::new(Cell::new(0)),
        }
    }
}

fn get(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
}

fn set(headers: &mut Vec<(String, String)>, name: &str, value: &str) {
    remove(headers, name);
    headers.push((name.to_ascii_lowercase(), value.to_string()));
}

fn remove(headers: &mut Vec<(String, String)>, name: &str) {
    headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
}

/// The hosts' `content-length` rule after a body replacement of a different size (the test
/// host treats headers as always held).
fn fix_content_length(headers: &mut Vec<(String, String)>, end_of_stream: bool, len: usize) {
    if get(headers, "content-length").is_none() {
        return;
    }
    if end_of_stream {
        set(headers, "content-length", &len.to_string());
    } else {
        remove(headers, "content-length");
    }
}

impl TestHost {
    /// Calls `filter.on_wake` once per pending wake of this stream (as the Envoy hosts do
    /// after the waking callback returned); returns how many were delivered.
    pub fn deliver_wakes(&mut self, filter: &mut dyn Filter) -> u32 {
        let pending = self.wakes.replace(0);
        for _ in 0..pending {
            filter.on_wake(self);
        }
        pending
    }

    /// A host holding the given request headers.
    pub fn with_request_headers(headers: &[(&str, &str)]) -> Self {
        Self {
            request_headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Self::default()
        }
    }

    /// Runs a whole request through `filter`: headers, then the body in one chunk (or none),
    /// honouring `StopAndBuffer` by accumulating. Returns the statuses of the last callbacks.
    pub fn run_request(
        &mut self,
        filter: &mut dyn Filter,
        body: &[u8],
    ) -> (HeadersStatus, Option<BodyStatus>) {
        self.run_request_chunks(filter, &[body])
    }

    /// As [`TestHost::run_request`], with the body split into chunks.
    pub fn run_request_chunks(
        &mut self,
        filter: &mut dyn Filter,
        chunks: &[&[u8]],
    ) -> (HeadersStatus, Option<BodyStatus>) {
        let no_body = chunks.iter().all(|c| c.is_empty());
        let hs = filter.on_request_headers(self, no_body);
        if no_body || self.local_reply.is_some() {
            return (hs, None);
        }
        let mut buffered: Vec<u8> = Vec::new();
        let mut out: Vec<u8> = Vec::new();
        let mut last = None;
        for (i, chunk) in chunks.iter().enumerate() {
            let eos = i + 1 == chunks.len();
            buffered.extend_from_slice(chunk);
            self.request_body = std::mem::take(&mut buffered);
            self.body_end_of_stream = eos;
            let st = filter.on_request_body(self, eos);
            last = Some(st);
            if self.local_reply.is_some() {
                break;
            }
            match st {
                BodyStatus::StopAndBuffer if !eos => {
                    buffered = std::mem::take(&mut self.request_body)
                }
                _ => out.extend_from_slice(&std::mem::take(&mut self.request_body)),
            }
        }
        self.request_body = out;
        (hs, last)
    }

    /// Runs a response through `filter`: headers, then each chunk (the last with
    /// end_of_stream). Returns what the client would receive as the body: the data each
    /// callback passed on, concatenated.
    pub fn run_response(&mut self, filter: &mut dyn Filter, chunks: &[&[u8]]) -> Vec<u8> {
        let no_body = chunks.iter().all(|c| c.is_empty());
        filter.on_response_headers(self, no_body);
        let mut out = Vec::new();
        if no_body {
            return out;
        }
        let mut buffered: Vec<u8> = Vec::new();
        for (i, chunk) in chunks.iter().enumerate() {
            let eos = i + 1 == chunks.len();
            buffered.extend_from_slice(chunk);
            self.response_body = std::mem::take(&mut buffered);
            self.body_end_of_stream = eos;
            match filter.on_response_body(self, eos) {
                BodyStatus::StopAndBuffer if !eos => {
                    buffered = std::mem::take(&mut self.response_body)
                }
                _ => out.extend_from_slice(&std::mem::take(&mut self.response_body)),
            }
        }
        out
    }

    /// Builds a factory from JSON config with a [`TestRegistry`].
    pub fn factory<F: FilterFactory>(config: &str) -> Result<(F, TestRegistry), String> {
        let mut reg = TestRegistry::default();
        let f = F::from_config(config, &mut reg)?;
        Ok((f, reg))
    }
}

impl Host for TestHost {
    fn request_header(&self, name: &str) -> Option<String> {
        get(&self.request_headers, name)
    }
    fn request_headers(&self) -> Vec<(String, String)> {
        self.request_headers.clone()
    }
    fn set_request_header(&mut self, name: &str, value: &str) {
        set(&mut self.request_headers, name, value)
    }
    fn remove_request_header(&mut self, name: &str) {
        remove(&mut self.request_headers, name)
    }
    fn response_header(&self, name: &str) -> Option<String> {
        get(&self.response_headers, name)
    }
    fn response_headers(&self) -> Vec<(String, String)> {
        self.response_headers.clone()
    }
    fn set_response_header(&mut self, name: &str, value: &str) {
        set(&mut self.response_headers, name, value)
    }
    fn remove_response_header(&mut self, name: &str) {
        remove(&mut self.response_headers, name)
    }
    fn request_body(&self) -> Vec<u8> {
        self.request_body.clone()
    }
    fn set_request_body(&mut self, body: &[u8]) {
        if body.len() != self.request_body.len() {
            fix_content_length(
                &mut self.request_headers,
                self.body_end_of_stream,
                body.len(),
            );
        }
        self.request_body = body.to_vec();
    }
    fn response_body(&self) -> Vec<u8> {
        self.response_body.clone()
    }
    fn set_response_body(&mut self, body: &[u8]) {
        if body.len() != self.response_body.len() {
            fix_content_length(
                &mut self.response_headers,
                self.body_end_of_stream,
                body.len(),
            );
        }
        self.response_body = body.to_vec();
    }
    fn clear_route_cache(&mut self) {
        self.route_cache_cleared += 1;
    }
    fn continue_request(&mut self) {
        self.request_continued += 1;
    }
    fn continue_response(&mut self) {
        self.response_continued += 1;
    }
    fn send_local_reply(&mut self, status: u16, headers: &[(&str, &str)], body: &[u8]) {
        self.local_reply = Some(LocalReply {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.to_vec(),
        });
    }
    fn filter_state(&self, key: &str) -> Option<Vec<u8>> {
        self.filter_state.get(key).cloned()
    }

    fn set_filter_state(&mut self, key: &str, value: &[u8]) {
        self.filter_state.insert(key.to_string(), value.to_vec());
    }

    fn set_metadata(&mut self, key: &str, value: MetadataValue) {
        self.metadata.insert(key.to_string(), value);
    }
    fn record_metric(&mut self, id: MetricId, labels: &[&str], value: u64) {
        self.metric_records
            .push((id, labels.iter().map(|l| l.to_string()).collect(), value));
    }
    fn http_callout(
        &mut self,
        cluster: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        timeout: Duration,
    ) -> Result<u32, String> {
        let token = self.callouts.len() as u32 + 1;
        self.callouts.push(Callout {
            token,
            cluster: cluster.to_string(),
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.to_vec(),
            timeout,
        });
        Ok(token)
    }
    fn waker(&mut self) -> Box<dyn Waker> {
        Box::new(TestWaker(self.wakes.clone()))
    }
    fn log(&self, level: LogLevel, message: &str) {
        self.logs.borrow_mut().push((level, message.to_string()));
    }
    fn now(&self) -> SystemTime {
        self.time
    }
}

/// Delivers a callout result to `filter` (helper for tests of callout-driven filters).
pub fn complete_callout(
    host: &mut TestHost,
    filter: &mut dyn Filter,
    token: u32,
    result: CalloutResult,
) {
    filter.on_callout_done(host, token, result);
}
