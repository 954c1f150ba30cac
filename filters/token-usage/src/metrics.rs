//! The GenAI metrics the filter records (and the opt-in per-identity token counter),
//! defined once per config.

use aigw_core::metrics::{
    IDENTITY_TOKEN_USAGE, IDENTITY_TOKEN_USAGE_LABELS, REQUEST_DURATION, REQUEST_LABELS,
    TIME_PER_OUTPUT_TOKEN, TIME_TO_FIRST_TOKEN, TOKEN_USAGE, TOKEN_USAGE_LABELS,
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
    /// Tokens per user, team, model and token type (only when identity labels are set).
    pub identity_token_usage: Option<MetricId>,
}

impl Metrics {
    /// Defines the metrics with their label names; the per-identity counter only when
    /// `per_identity`.
    pub fn define(registry: &mut dyn MetricsRegistry, per_identity: bool) -> Result<Self, String> {
        let mut define = |kind: MetricKind, name: &str, labels: &[&str]| {
            registry
                .define(kind, name, labels)
                .map_err(|e| format!("defining metric {name}: {e}"))
        };
        let histogram = MetricKind::Histogram;
        Ok(Self {
            token_usage: define(histogram, TOKEN_USAGE, &TOKEN_USAGE_LABELS)?,
            request_duration: define(histogram, REQUEST_DURATION, &REQUEST_LABELS)?,
            time_to_first_token: define(histogram, TIME_TO_FIRST_TOKEN, &REQUEST_LABELS)?,
            time_per_output_token: define(histogram, TIME_PER_OUTPUT_TOKEN, &REQUEST_LABELS)?,
            identity_token_usage: match per_identity {
                true => Some(define(
                    MetricKind::Counter,
                    IDENTITY_TOKEN_USAGE,
                    &IDENTITY_TOKEN_USAGE_LABELS,
                )?),
                false => None,
            },
        })
    }
}
