//! What the native host tracks about one stream between hooks.

use super::body::Direction;
use super::metrics::MetricSlot;

/// Per-config data every stream of that config shares.
#[derive(Debug)]
pub struct Shared {
    /// The filter's name (its crate name), used in log lines.
    pub name: &'static str,
    /// Metrics defined at config time, indexed by `MetricId`.
    pub metrics: Vec<MetricSlot>,
}

/// Stream state that decides which host calls Envoy can still honour.
#[derive(Debug, Default)]
pub struct StreamState {
    /// Request headers are in Envoy's hands and not yet passed on (setters take effect).
    pub request_headers_open: bool,
    /// Response headers are in Envoy's hands and not yet passed on.
    pub response_headers_open: bool,
    /// Response headers went downstream: a local reply is no longer possible.
    pub response_headers_sent: bool,
    /// The filter answered with a local reply.
    pub local_reply_sent: bool,
    /// The filter saw the request's end of stream.
    pub request_end_seen: bool,
    /// The filter saw the response's end of stream.
    pub response_end_seen: bool,
    /// The filter panicked: it is not called again and the stream passes through.
    pub poisoned: bool,
}

/// Where the current hook is, for the body accessors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// A body hook: the received chunk is available.
    Body(Direction),
    /// Any other hook: only buffered bodies exist.
    Other,
}
