//! The translate filter factory: one parsed config, a router or backend filter per stream.

use crate::backend::BackendFilter;
use crate::config::{BackendConfig, RouterConfig, TranslateConfig};
use crate::router::RouterFilter;
use aigw_host::{BodyStatus, Filter, FilterFactory, HeadersStatus, Host, MetricsRegistry};
use std::sync::Arc;

/// Builds translate filters from the JSON config (see docs/internals.md).
pub struct TranslateFactory {
    role: Role,
}

enum Role {
    Router(Arc<RouterConfig>),
    Backend(Arc<BackendConfig>),
}

/// The translate filter of one stream, in the configured role.
pub enum TranslateFilter {
    /// Downstream router role.
    Router(RouterFilter),
    /// Upstream backend role (boxed: it holds one exchange state per translated schema).
    Backend(Box<BackendFilter>),
}

impl FilterFactory for TranslateFactory {
    type Filter = TranslateFilter;

    fn from_config(config: &str, _metrics: &mut dyn MetricsRegistry) -> Result<Self, String> {
        let role = match TranslateConfig::parse(config)? {
            TranslateConfig::Router(router) => Role::Router(Arc::new(router)),
            TranslateConfig::Backend(backend) => Role::Backend(Arc::new(backend)),
        };
        Ok(Self { role })
    }

    fn create_filter(&self) -> TranslateFilter {
        match &self.role {
            Role::Router(config) => TranslateFilter::Router(RouterFilter::new(config.clone())),
            Role::Backend(config) => {
                TranslateFilter::Backend(Box::new(BackendFilter::new(config.clone())))
            }
        }
    }
}

impl TranslateFilter {
    fn inner(&mut self) -> &mut dyn Filter {
        match self {
            Self::Router(filter) => filter,
            Self::Backend(filter) => filter.as_mut(),
        }
    }
}

impl Filter for TranslateFilter {
    fn on_request_headers(&mut self, host: &mut dyn Host, end_of_stream: bool) -> HeadersStatus {
        self.inner().on_request_headers(host, end_of_stream)
    }

    fn on_request_body(&mut self, host: &mut dyn Host, end_of_stream: bool) -> BodyStatus {
        self.inner().on_request_body(host, end_of_stream)
    }

    fn on_response_headers(&mut self, host: &mut dyn Host, end_of_stream: bool) -> HeadersStatus {
        self.inner().on_response_headers(host, end_of_stream)
    }

    fn on_response_body(&mut self, host: &mut dyn Host, end_of_stream: bool) -> BodyStatus {
        self.inner().on_response_body(host, end_of_stream)
    }
}
