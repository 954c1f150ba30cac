//! Writes an ended exchange's metadata and GenAI metrics.

use crate::config::Config;
use crate::exchange::{Exchange, Outcome};
use crate::metrics::Metrics;
use aigw_core::api_kind::ApiKind;
use aigw_core::cost::CostInput;
use aigw_core::metadata;
use aigw_core::metrics::{
    TOKEN_TYPE_CACHE_CREATION_INPUT, TOKEN_TYPE_CACHED_INPUT, TOKEN_TYPE_INPUT, TOKEN_TYPE_OUTPUT,
    TOKEN_TYPE_REASONING,
};
use aigw_core::usage::TokenUsage;
use aigw_host::{Host, LogLevel, MetadataValue};
use std::time::{Duration, SystemTime};

/// Reports one ended exchange: request duration always; for 2xx responses also token
/// metadata, costs, token usage (when the response reported usage) and, for streams,
/// time to first token and time per output token.
pub(crate) fn report(
    host: &mut dyn Host,
    metrics: &Metrics,
    config: &Config,
    exchange: &Exchange,
    outcome: &Outcome,
) {
    let response_model = outcome.usage.model.as_str();
    let labels = [
        exchange.api.operation_name(),
        exchange.request_model.as_str(),
        response_model,
        exchange.backend.as_str(),
    ];
    let duration = elapsed(exchange.start, outcome.end);
    host.record_metric(metrics.request_duration, &labels, millis(duration));
    if !exchange.succeeded() {
        return;
    }

    let tokens = outcome.usage.usage.unwrap_or_default();
    let numbers = [
        (metadata::INPUT_TOKENS, tokens.input_tokens),
        (metadata::OUTPUT_TOKENS, tokens.output_tokens),
        (metadata::TOTAL_TOKENS, tokens.total_tokens),
        (metadata::CACHED_INPUT_TOKENS, tokens.cached_input_tokens),
        (
            metadata::CACHE_CREATION_INPUT_TOKENS,
            tokens.cache_creation_input_tokens,
        ),
        (metadata::REASONING_TOKENS, tokens.reasoning_tokens),
    ];
    for (key, value) in numbers {
        host.set_metadata(key, MetadataValue::Num(value as f64));
    }
    let strings = [
        (metadata::REQUEST_MODEL, exchange.request_model.as_str()),
        (metadata::RESPONSE_MODEL, response_model),
        (metadata::BACKEND, exchange.backend.as_str()),
    ];
    for (key, value) in strings {
        host.set_metadata(key, MetadataValue::Str(value.to_string()));
    }
    write_costs(host, config, exchange, &tokens, response_model);

    if outcome.usage.usage.is_some() {
        let [op, req, resp, backend] = labels;
        let identity = metrics.identity_token_usage.zip(exchange.identity.as_ref());
        let mut record = |token_type: &str, value: u64| {
            let labels = [op, req, resp, backend, token_type];
            host.record_metric(metrics.token_usage, &labels, value);
            if let Some((id, (user, team))) = identity {
                host.record_metric(id, &[user, team, req, token_type], value);
            }
        };
        record(TOKEN_TYPE_INPUT, tokens.input_tokens);
        if exchange.api != ApiKind::Embeddings {
            record(TOKEN_TYPE_OUTPUT, tokens.output_tokens);
        }
        let details = [
            (TOKEN_TYPE_CACHED_INPUT, tokens.cached_input_tokens),
            (
                TOKEN_TYPE_CACHE_CREATION_INPUT,
                tokens.cache_creation_input_tokens,
            ),
            (TOKEN_TYPE_REASONING, tokens.reasoning_tokens),
        ];
        for (token_type, value) in details {
            if value > 0 {
                record(token_type, value);
            }
        }
    }

    if let Some(first_token) = outcome.first_token {
        let to_first = elapsed(exchange.start, first_token);
        host.record_metric(metrics.time_to_first_token, &labels, millis(to_first));
        let after_first = elapsed(first_token, outcome.end);
        let per_token = per_output_token(after_first, tokens.output_tokens);
        host.record_metric(metrics.time_per_output_token, &labels, per_token);
    }
}

/// Writes the costs of the exchange's route. A cost whose expression fails on this response
/// (negative, overflow, not an integer) is skipped and logged with the route and key only.
fn write_costs(
    host: &mut dyn Host,
    config: &Config,
    exchange: &Exchange,
    tokens: &TokenUsage,
    response_model: &str,
) {
    let model = if response_model.is_empty() {
        exchange.request_model.as_str()
    } else {
        response_model
    };
    let input = CostInput {
        usage: tokens,
        model,
        backend: &exchange.backend,
        route_name: &exchange.route,
    };
    for cost in config.costs_for(&exchange.route) {
        match cost.formula.evaluate(&input) {
            Ok(value) => host.set_metadata(&cost.metadata_key, MetadataValue::Num(value as f64)),
            Err(e) => host.log(
                LogLevel::Warn,
                &format!(
                    "token-usage: cost {:?} of route {:?} skipped: {e}",
                    cost.metadata_key, exchange.route
                ),
            ),
        }
    }
}

/// Time from `from` to `to`, zero if the clock went backwards.
fn elapsed(from: SystemTime, to: SystemTime) -> Duration {
    to.duration_since(from).unwrap_or_default()
}

/// Whole milliseconds, saturating.
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Milliseconds per output token after the first, rounded to the nearest millisecond:
/// `after_first / max(1, output_tokens - 1)`.
fn per_output_token(after_first: Duration, output_tokens: u64) -> u64 {
    let tokens = u128::from(output_tokens.saturating_sub(1).max(1));
    let micros = after_first.as_micros() / tokens;
    u64::try_from((micros + 500) / 1000).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_output_token_divides_by_tokens_after_the_first() {
        let d = Duration::from_millis(1000);
        assert_eq!(per_output_token(d, 101), 10);
        assert_eq!(per_output_token(d, 1), 1000);
        assert_eq!(per_output_token(d, 0), 1000);
        assert_eq!(per_output_token(Duration::from_micros(1500), 2), 2);
        assert_eq!(per_output_token(Duration::from_micros(1499), 2), 1);
    }

    #[test]
    fn elapsed_is_zero_when_the_clock_goes_backwards() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(10);
        assert_eq!(elapsed(t, SystemTime::UNIX_EPOCH), Duration::ZERO);
        assert_eq!(millis(elapsed(SystemTime::UNIX_EPOCH, t)), 10_000);
    }
}
