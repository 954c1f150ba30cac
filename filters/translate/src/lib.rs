//! aigw-translate: the `translate` HTTP filter. In the router role (downstream) it
//! validates OpenAI requests, names the model in `x-ai-eg-model` and re-routes on it; in
//! the backend role (upstream, per backend cluster) it adapts each attempt to the
//! backend's schema. Built as a proxy-wasm module and as an Envoy dynamic module.

mod anthropic;
mod attempt;
mod backend;
mod bedrock;
mod bedrock_anthropic;
mod bedrock_count_tokens;
mod cohere;
pub mod config;
mod content_check;
mod embeddings;
mod exchange;
mod filter;
mod gemini;
mod messages;
mod messages_chain;
mod messages_openai;
mod reply;
mod router;
#[cfg(test)]
mod test_support;

pub use backend::BackendFilter;
pub use filter::{TranslateFactory, TranslateFilter};
pub use router::RouterFilter;

aigw_host::export_filter!(TranslateFactory);

#[cfg(test)]
mod passthrough_tests;
