//! Token-usage filter tests on the in-memory test host.

mod anthropic;
mod buffered;
mod common;
mod config;
mod costs;
mod identity;
mod lifecycle;
mod responses;
mod streaming;
