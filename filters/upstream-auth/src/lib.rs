//! aigw-upstream-auth: the `upstream-auth` HTTP filter. Runs upstream, after translate, and
//! replaces whatever credential the client sent with the backend's API key, in the header
//! the backend expects. Built as a proxy-wasm module and as an Envoy dynamic module.

pub mod config;
mod filter;

pub use filter::{UpstreamAuthFactory, UpstreamAuthFilter};

aigw_host::export_filter!(UpstreamAuthFactory);
