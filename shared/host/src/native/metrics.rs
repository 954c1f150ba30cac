//! Metrics: labelled counters and histograms defined at config time, recorded per stream.

use super::abi::{self, ConfigEnvoyPtr, FilterEnvoyPtr, ModuleBuffer};
use super::ffi::module_buffer;
use crate::{MetricId, MetricKind, MetricsRegistry};

/// A metric defined in Envoy: what [`MetricId`] indexes into.
#[derive(Debug, Clone)]
pub struct MetricSlot {
    kind: MetricKind,
    envoy_id: usize,
    label_count: usize,
    name: String,
}

/// Defines metrics through the ABI while `envoy_dynamic_module_on_http_filter_config_new` runs
/// (Envoy freezes stat creation afterwards).
pub struct NativeRegistry {
    config: ConfigEnvoyPtr,
    slots: Vec<MetricSlot>,
}

impl NativeRegistry {
    /// A registry defining metrics on the given Envoy filter config.
    pub fn new(config: ConfigEnvoyPtr) -> Self {
        Self {
            config,
            slots: Vec::new(),
        }
    }

    /// The metrics defined so far, indexed by [`MetricId`].
    pub fn into_slots(self) -> Vec<MetricSlot> {
        self.slots
    }
}

fn result_text(result: abi::MetricsResult) -> &'static str {
    match result {
        abi::METRICS_NOT_FOUND => "metric not found",
        abi::METRICS_INVALID_LABELS => "invalid labels",
        abi::METRICS_FROZEN => {
            "stat creation is frozen (metrics can only be defined at config load)"
        }
        _ => "unknown metrics error",
    }
}

impl MetricsRegistry for NativeRegistry {
    fn define(
        &mut self,
        kind: MetricKind,
        name: &str,
        labels: &[&str],
    ) -> Result<MetricId, String> {
        let id = MetricId(
            u32::try_from(self.slots.len()).map_err(|_| "too many metrics defined".to_string())?,
        );
        let label_bufs: Vec<ModuleBuffer> =
            labels.iter().map(|l| module_buffer(l.as_bytes())).collect();
        let mut envoy_id = 0usize;
        // SAFETY: the config pointer is the one Envoy passed to config_new, which is still
        // running; all buffers outlive the call.
        let result = unsafe {
            let define = match kind {
                MetricKind::Counter => {
                    abi::envoy_dynamic_module_callback_http_filter_config_define_counter
                }
                MetricKind::Histogram => {
                    abi::envoy_dynamic_module_callback_http_filter_config_define_histogram
                }
            };
            define(
                self.config,
                module_buffer(name.as_bytes()),
                label_bufs.as_ptr(),
                label_bufs.len(),
                &mut envoy_id,
            )
        };
        if result != abi::METRICS_SUCCESS {
            return Err(format!(
                "cannot define metric `{name}`: {}",
                result_text(result)
            ));
        }
        self.slots.push(MetricSlot {
            kind,
            envoy_id,
            label_count: labels.len(),
            name: name.to_string(),
        });
        Ok(id)
    }
}

/// Records `value` for metric `id` with `labels` on the stream `filter`.
pub fn record(
    filter: FilterEnvoyPtr,
    slots: &[MetricSlot],
    id: MetricId,
    labels: &[&str],
    value: u64,
) -> Result<(), String> {
    let slot = slots
        .get(id.0 as usize)
        .ok_or_else(|| format!("metric id {} was never defined", id.0))?;
    if labels.len() != slot.label_count {
        return Err(format!(
            "metric `{}` takes {} label values, got {}",
            slot.name,
            slot.label_count,
            labels.len()
        ));
    }
    let values: Vec<ModuleBuffer> = labels.iter().map(|l| module_buffer(l.as_bytes())).collect();
    // SAFETY: `filter` is the live stream pointer of the current hook; buffers outlive the call.
    let result = unsafe {
        match slot.kind {
            MetricKind::Counter => {
                abi::envoy_dynamic_module_callback_http_filter_increment_counter(
                    filter,
                    slot.envoy_id,
                    values.as_ptr(),
                    values.len(),
                    value,
                )
            }
            MetricKind::Histogram => {
                abi::envoy_dynamic_module_callback_http_filter_record_histogram_value(
                    filter,
                    slot.envoy_id,
                    values.as_ptr(),
                    values.len(),
                    value,
                )
            }
        }
    };
    if result == abi::METRICS_SUCCESS {
        Ok(())
    } else {
        Err(format!(
            "cannot record metric `{}`: {}",
            slot.name,
            result_text(result)
        ))
    }
}
