//! Builds the filter from its config, once per config.

use crate::config::Config;
use crate::filter::TokenUsageFilter;
use crate::metrics::Metrics;
use aigw_host::{FilterFactory, MetricsRegistry};
use std::sync::Arc;

/// What every stream of one config shares.
#[derive(Debug)]
pub(crate) struct Settings {
    /// Configured costs, global and per route.
    pub config: Config,
    /// Defined metrics.
    pub metrics: Metrics,
}

/// The token-usage filter factory: `{"costs":[{"metadata_key":"...","type":"TotalToken"}],
/// "route_costs":{"<route>":[...]}}`.
#[derive(Debug)]
pub struct TokenUsageFactory {
    settings: Arc<Settings>,
}

impl FilterFactory for TokenUsageFactory {
    type Filter = TokenUsageFilter;

    fn from_config(config: &str, metrics: &mut dyn MetricsRegistry) -> Result<Self, String> {
        let config = Config::parse(config)?;
        let metrics = Metrics::define(metrics, config.identity.is_some())?;
        Ok(Self {
            settings: Arc::new(Settings { config, metrics }),
        })
    }

    fn create_filter(&self) -> TokenUsageFilter {
        TokenUsageFilter::new(Arc::clone(&self.settings))
    }
}
