//! Labelled metrics on proxy-wasm, whose metrics have no labels: each combination of
//! label values becomes its own stat named `<name>;<label>=<value>;...` (docs/internals.md),
//! which Envoy's `stats_config.stats_tags` turn back into Prometheus labels. Stats are
//! defined lazily on first use and cached per plugin, with a bound on the number of series.

use super::abi;
use crate::{LogLevel, MetricId, MetricKind, MetricsRegistry};
use std::collections::HashMap;

/// Most distinct series (name + label values) one plugin defines; later ones are dropped.
pub const MAX_SERIES: usize = 10_000;

struct Definition {
    kind: MetricKind,
    name: String,
    labels: Vec<String>,
}

/// Metric definitions of one plugin and the stats created for them so far.
#[derive(Default)]
pub struct Metrics {
    definitions: Vec<Definition>,
    series: HashMap<String, u32>,
    overflow_logged: bool,
    /// Reused buffer for stat names: recording a known series allocates nothing.
    scratch: String,
}

impl MetricsRegistry for Metrics {
    fn define(
        &mut self,
        kind: MetricKind,
        name: &str,
        labels: &[&str],
    ) -> Result<MetricId, String> {
        validate_part("metric name", name)?;
        for label in labels {
            validate_part("metric label name", label)?;
        }
        let id = u32::try_from(self.definitions.len())
            .map_err(|_| format!("too many metrics defined (at `{name}`)"))?;
        self.definitions.push(Definition {
            kind,
            name: name.to_string(),
            labels: labels.iter().map(|l| l.to_string()).collect(),
        });
        Ok(MetricId(id))
    }
}

fn validate_part(what: &str, value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err(format!("{what} must not be empty"));
    }
    if value.contains([';', '=']) {
        return Err(format!("{what} `{value}` must not contain `;` or `=`"));
    }
    Ok(())
}

impl Metrics {
    /// Adds `value` to a counter or records it in a histogram. Problems (unknown id, wrong
    /// number of label values, series bound reached, host error) are logged, never raised.
    pub fn record(&mut self, id: MetricId, label_values: &[&str], value: u64) {
        let Some(definition) = self.definitions.get(id.0 as usize) else {
            log_warn(&format!("record_metric: unknown metric id {}", id.0));
            return;
        };
        if definition.labels.len() != label_values.len() {
            log_warn(&format!(
                "record_metric `{}`: {} label values given, {} label names defined",
                definition.name,
                label_values.len(),
                definition.labels.len()
            ));
            return;
        }
        let kind = definition.kind;
        let mut stat = std::mem::take(&mut self.scratch);
        write_stat_name(
            &mut stat,
            &definition.name,
            &definition.labels,
            label_values,
        );
        let host_id = self.host_id(kind, &stat);
        self.scratch = stat;
        let Some(host_id) = host_id else {
            return;
        };
        let result = match kind {
            MetricKind::Counter => {
                abi::increment_metric(host_id, i64::try_from(value).unwrap_or(i64::MAX))
            }
            MetricKind::Histogram => abi::record_metric(host_id, value),
        };
        if let Err(status) = result {
            log_warn(&format!("record_metric: host refused: {status}"));
        }
    }

    fn host_id(&mut self, kind: MetricKind, stat: &str) -> Option<u32> {
        if let Some(id) = self.series.get(stat) {
            return Some(*id);
        }
        if self.series.len() >= MAX_SERIES {
            if !self.overflow_logged {
                self.overflow_logged = true;
                log_warn(&format!(
                    "metric series limit {MAX_SERIES} reached; dropping new series such as `{stat}`"
                ));
            }
            return None;
        }
        let metric_type = match kind {
            MetricKind::Counter => abi::METRIC_COUNTER,
            MetricKind::Histogram => abi::METRIC_HISTOGRAM,
        };
        match abi::define_metric(metric_type, stat) {
            Ok(id) => {
                self.series.insert(stat.to_string(), id);
                Some(id)
            }
            Err(status) => {
                log_warn(&format!("define_metric `{stat}`: host refused: {status}"));
                None
            }
        }
    }
}

/// Writes `<name>;<label>=<value>;...` into `out` (cleared first), with `;` in values
/// replaced by `_`.
pub fn write_stat_name(out: &mut String, name: &str, labels: &[String], values: &[&str]) {
    out.clear();
    out.push_str(name);
    for (label, value) in labels.iter().zip(values) {
        out.push(';');
        out.push_str(label);
        out.push('=');
        out.extend(value.chars().map(|c| if c == ';' { '_' } else { c }));
    }
}

fn log_warn(message: &str) {
    super::host::log_line(LogLevel::Warn, message);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat_name(name: &str, labels: &[String], values: &[&str]) -> String {
        let mut out = String::from("left over");
        write_stat_name(&mut out, name, labels, values);
        out
    }

    #[test]
    fn encodes_label_values_into_the_stat_name() {
        let labels = [
            "gen_ai_token_type".to_string(),
            "gen_ai_request_model".to_string(),
        ];
        assert_eq!(
            stat_name("gen_ai.client.token.usage", &labels, &["input", "gpt-4.1"]),
            "gen_ai.client.token.usage;gen_ai_token_type=input;gen_ai_request_model=gpt-4.1"
        );
    }

    #[test]
    fn semicolons_in_values_become_underscores() {
        let labels = ["model".to_string()];
        assert_eq!(stat_name("m", &labels, &["a;b=c"]), "m;model=a_b=c");
        assert_eq!(stat_name("m", &labels, &[""]), "m;model=");
    }

    #[test]
    fn define_hands_out_sequential_ids() {
        let mut metrics = Metrics::default();
        let first = metrics
            .define(MetricKind::Counter, "a", &["x"])
            .expect("valid");
        let second = metrics
            .define(MetricKind::Histogram, "b", &[])
            .expect("valid");
        assert_eq!((first, second), (MetricId(0), MetricId(1)));
    }

    #[test]
    fn define_rejects_names_that_break_the_encoding() {
        let mut metrics = Metrics::default();
        let err = metrics
            .define(MetricKind::Counter, "a;b", &[])
            .expect_err("invalid");
        assert!(err.contains("metric name `a;b`"), "{err}");
        let err = metrics
            .define(MetricKind::Counter, "a", &["x=y"])
            .expect_err("invalid");
        assert!(err.contains("metric label name `x=y`"), "{err}");
        let err = metrics
            .define(MetricKind::Counter, "", &[])
            .expect_err("invalid");
        assert!(err.contains("metric name must not be empty"), "{err}");
    }
}
