//! The checks behind every fuzz target, one function per target taking the raw fuzz input.
//! Each feeds the input to a parser, translator or config loader and asserts what must hold
//! whatever the input: no panic, and the documented invariants (chunked and whole input agree,
//! outputs are valid JSON or well-formed SSE). `cargo fuzz` runs them (`fuzz_targets/`), and
//! `tests/regressions.rs` replays every input saved under `testdata/fuzz/<target>/`.

mod chunks;
mod configs;
mod eventstream;
mod mcp;
mod mcp_filter;
mod openai;
mod sse;
mod streams;
mod translators;

pub use chunks::Chunks;
pub use configs::{filter_configs, gateway_config};
pub use eventstream::aws_eventstream;
pub use mcp::{mcp_jsonrpc, mcp_session, mcp_stream};
pub use mcp_filter::mcp_router_filter;
pub use openai::openai_request;
pub use sse::{assert_openai_sse, sse_parser};
pub use streams::{bedrock_stream, cohere_stream, messages_stream};
pub use translators::{
    anthropic_request, anthropic_response, anthropic_stream, gemini_request, gemini_response,
    gemini_stream,
};

/// A fuzz target: its name (the `cargo fuzz` target and the `testdata/fuzz/` folder) and its
/// check.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, for the replay test. A new target is one line here, one file in
/// `fuzz_targets/` and one `[[bin]]` in `Cargo.toml`.
pub const TARGETS: &[Target] = &[
    ("sse_parser", sse_parser),
    ("openai_request", openai_request),
    ("anthropic_request", anthropic_request),
    ("anthropic_response", anthropic_response),
    ("anthropic_stream", anthropic_stream),
    ("gemini_request", gemini_request),
    ("gemini_response", gemini_response),
    ("gemini_stream", gemini_stream),
    ("mcp_jsonrpc", mcp_jsonrpc),
    ("mcp_session", mcp_session),
    ("mcp_stream", mcp_stream),
    ("mcp_router_filter", mcp_router_filter),
    ("gateway_config", gateway_config),
    ("filter_configs", filter_configs),
    ("aws_eventstream", aws_eventstream),
    ("cohere_stream", cohere_stream),
    ("bedrock_stream", bedrock_stream),
    ("messages_stream", messages_stream),
];
