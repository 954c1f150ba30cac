//! The GenAI metrics the filter records, defined once per config.

use aigw_core::metrics::{
    REQUEST_DURATION, REQUEST_LABELS, TIME_PER_OUTPUT_TOKEN, TIME_TO_FIRST_TOKEN, TOKEN_USAGE,
    TOKEN_USAGE_LABELS,
};
use aigw_host::{MetricId, MetricKind, MetricsRegistry};

/// Handles of the filter's histograms.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Metrics {
    /// Tokens per response and token type.
    pub token_usage: MetricId,
    /// Request duration, milliseconds.
    pub request_duration: MetricId,
    /// Time to first token of a stream, milliseconds.
    pub time_to_first_token: MetricId,
    /// Time per output token after the first of a stream, milliseconds.
    pub time_per_output_token: MetricId,
}

impl Metrics {
    /// Defines the histograms with their label names.
    pub fn define(registry: &mut dyn MetricsRegistry) -> Result<Self, String> {
        let mut histogram = |name: &str, labels: &[&str]| {
            registry
                .define(MetricKind::Histogram, name, labels)
                .map_err(|e| format!("defining metric {name}: {e}"))
        };
        Ok(Self {
            token_usage: histogram(TOKEN_USAGE, &TOKEN_USAGE_LABELS)?,
            request_duration: histogram(REQUEST_DURATION, &REQUEST_LABELS)?,
            time_to_first_token: histogram(TIME_TO_FIRST_TOKEN, &REQUEST_LABELS)?,
            time_per_output_token: histogram(TIME_PER_OUTPUT_TOKEN, &REQUEST_LABELS)?,
        })
    }
}
