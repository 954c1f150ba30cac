//! The host-independent filter API.

use std::time::{Duration, SystemTime};

/// What a filter tells the host after a headers callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadersStatus {
    /// Pass the headers on to the next filter now.
    Continue,
    /// Hold the headers back until the filter continues: used to buffer the body
    /// before deciding on headers (the body callbacks still run), or to wait for a callout.
    StopIteration,
}

/// What a filter tells the host after a body callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyStatus {
    /// Pass the (possibly replaced) current data on.
    Continue,
    /// Keep this data buffered in Envoy; the next body callback sees all buffered data
    /// plus the new chunk. At end of stream the callback sees the whole body.
    StopAndBuffer,
    /// Hold everything until the filter calls [`Host::continue_request`] /
    /// [`Host::continue_response`] (for example after a callout completes).
    StopNoBuffer,
}

/// Severity of a log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

/// A value written to the gateway's per-request metadata.
#[derive(Debug, Clone, PartialEq)]
pub enum MetadataValue {
    Str(String),
    Num(f64),
}

/// Kind of a metric defined at config time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    Counter,
    Histogram,
}

/// Handle to a metric defined through [`MetricsRegistry`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MetricId(pub u32);

/// Defines metrics while a filter config is being created. Native Envoy only allows stat
/// creation at that point, so every metric a filter records must be defined here.
pub trait MetricsRegistry {
    /// Defines a metric with the given label names (label values are given when recording).
    fn define(&mut self, kind: MetricKind, name: &str, labels: &[&str])
    -> Result<MetricId, String>;
}

/// A response to an HTTP callout.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CalloutResponse {
    /// HTTP status (0 when unknown).
    pub status: u16,
    /// Response headers, lower-case names.
    pub headers: Vec<(String, String)>,
    /// Response body.
    pub body: Vec<u8>,
}

/// Outcome of an HTTP callout: a response, or the reason there is none (reset, timeout).
pub type CalloutResult = Result<CalloutResponse, String>;

/// Wakes one stream from another stream of the same worker: [`Waker::wake`] makes the host
/// call [`Filter::on_wake`] on the stream that created the waker (see [`Host::waker`]).
/// Used when many streams wait for one result that a single stream fetches (a token).
pub trait Waker {
    /// Asks the host to run the stream's [`Filter::on_wake`] soon: never inside the
    /// caller's own callback, at most once per call, and not at all once that stream ended.
    fn wake(&self);
}

/// The per-request handle a filter uses to act on the stream. Every method is safe to call
/// at any point of the stream: a call that the host cannot honour in the current state
/// (for example setting a request header after the headers were sent) is ignored and
/// logged by the host, never a panic.
pub trait Host {
    /// A request header by lower-case name (first value).
    fn request_header(&self, name: &str) -> Option<String>;
    /// All request headers (lower-case names, pseudo-headers included).
    fn request_headers(&self) -> Vec<(String, String)>;
    /// Sets (replaces) a request header.
    fn set_request_header(&mut self, name: &str, value: &str);
    /// Removes a request header.
    fn remove_request_header(&mut self, name: &str);

    /// A response header by lower-case name (first value).
    fn response_header(&self, name: &str) -> Option<String>;
    /// All response headers.
    fn response_headers(&self) -> Vec<(String, String)>;
    /// Sets (replaces) a response header.
    fn set_response_header(&mut self, name: &str, value: &str);
    /// Removes a response header.
    fn remove_response_header(&mut self, name: &str);

    /// In a request body callback: the data the callback covers (all buffered data plus
    /// the new chunk when the filter buffered before, otherwise the new chunk). Between
    /// callbacks (in a callout answer or `on_wake`, while the stream is stopped): the
    /// request data Envoy holds buffered for the filter after its stop statuses.
    fn request_body(&self) -> Vec<u8>;
    /// Replaces exactly the data [`Host::request_body`] returns at that moment (in a body
    /// callback or between callbacks). When the size changes while the headers are still
    /// held, the host keeps `content-length` right: set to the new length at end of
    /// stream, removed before it.
    fn set_request_body(&mut self, body: &[u8]);
    /// As [`Host::request_body`], for the response.
    fn response_body(&self) -> Vec<u8>;
    /// As [`Host::set_request_body`], for the response.
    fn set_response_body(&mut self, body: &[u8]);

    /// Makes Envoy pick the route again (after a header the route matches on changed).
    fn clear_route_cache(&mut self);
    /// Resumes a request held by `StopIteration`/`StopNoBuffer`.
    fn continue_request(&mut self);
    /// Resumes a response held by `StopIteration`/`StopNoBuffer`.
    fn continue_response(&mut self);
    /// Answers the client directly; the stream goes no further.
    fn send_local_reply(&mut self, status: u16, headers: &[(&str, &str)], body: &[u8]);

    /// Writes a per-request value under the gateway namespace `io.envoy.ai_gateway`
    /// (dynamic metadata on the native host; filter state `wasm.io.envoy.ai_gateway.<key>`
    /// on the wasm host, which has no dynamic-metadata setter).
    fn set_metadata(&mut self, key: &str, value: MetadataValue);

    /// Reads a per-request value shared by every filter instance of the stream, downstream
    /// and upstream (all attempts): Envoy filter state `key` (native) / `wasm.<key>` (wasm).
    fn filter_state(&self, key: &str) -> Option<Vec<u8>>;
    /// Stores a per-request value readable with [`Host::filter_state`]. Write a key once
    /// per request: the native host stores it read-only.
    fn set_filter_state(&mut self, key: &str, value: &[u8]);

    /// Adds `value` to a counter or records it in a histogram, with label values in the
    /// order of the names given at definition.
    fn record_metric(&mut self, id: MetricId, labels: &[&str], value: u64);

    /// Starts an HTTP callout to an Envoy cluster. `headers` must include `:method`,
    /// `:path` and `:authority`. The answer arrives in [`Filter::on_callout_done`] with the
    /// returned token.
    fn http_callout(
        &mut self,
        cluster: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        timeout: Duration,
    ) -> Result<u32, String>;

    /// A handle that wakes this stream later from any stream of the same worker (it is not
    /// `Send`: it stays on the worker). A filter that stops its request to wait for
    /// another stream keeps the stream held (`StopIteration`) until woken.
    fn waker(&mut self) -> Box<dyn Waker>;

    /// Writes a log line through Envoy's logger.
    fn log(&self, level: LogLevel, message: &str);
    /// Wall-clock time.
    fn now(&self) -> SystemTime;
}

/// A filter instance: one per HTTP stream. Every callback has a pass-through default.
pub trait Filter {
    /// Request headers arrived; `end_of_stream` is true when there is no body.
    fn on_request_headers(&mut self, _host: &mut dyn Host, _end_of_stream: bool) -> HeadersStatus {
        HeadersStatus::Continue
    }
    /// A request body chunk arrived (read it with [`Host::request_body`]).
    fn on_request_body(&mut self, _host: &mut dyn Host, _end_of_stream: bool) -> BodyStatus {
        BodyStatus::Continue
    }
    /// Response headers arrived.
    fn on_response_headers(&mut self, _host: &mut dyn Host, _end_of_stream: bool) -> HeadersStatus {
        HeadersStatus::Continue
    }
    /// A response body chunk arrived (read it with [`Host::response_body`]).
    fn on_response_body(&mut self, _host: &mut dyn Host, _end_of_stream: bool) -> BodyStatus {
        BodyStatus::Continue
    }
    /// An HTTP callout started with [`Host::http_callout`] finished.
    fn on_callout_done(&mut self, _host: &mut dyn Host, _token: u32, _result: CalloutResult) {}
    /// Another stream woke this one through a [`Waker`] this stream created.
    fn on_wake(&mut self, _host: &mut dyn Host) {}
    /// The stream ended (completed, reset or cancelled); last callback of the stream.
    fn on_stream_complete(&mut self, _host: &mut dyn Host) {}
}

/// Parses a filter's configuration once and creates a [`Filter`] per stream.
pub trait FilterFactory: Sized + 'static {
    /// The per-stream filter type.
    type Filter: Filter + 'static;
    /// Builds the factory from the filter's JSON config text; errors name the bad field.
    fn from_config(config: &str, metrics: &mut dyn MetricsRegistry) -> Result<Self, String>;
    /// Creates the filter for one stream.
    fn create_filter(&self) -> Self::Filter;
}
