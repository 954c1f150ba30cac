//! The token-usage filter: reads the usage of OpenAI- and Anthropic-schema responses (whole
//! JSON or SSE streams) as they pass to the client, writes token counts, models, backend and
//! configured costs to per-request metadata (namespace `io.envoy.ai_gateway`), and records
//! the GenAI metrics. See `docs/internals.md` for the names.

mod buffered;
mod config;
mod exchange;
mod factory;
mod filter;
mod metrics;
mod report;
mod schema;
mod streaming;

pub use config::Config;
pub use factory::TokenUsageFactory;
pub use filter::TokenUsageFilter;

aigw_host::export_filter!(TokenUsageFactory);
