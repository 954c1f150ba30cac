//! Google Vertex AI as a backend: Gemini models (`publishers/google`) and Anthropic's Claude
//! models (`publishers/anthropic`), both under the backend's
//! `/v1/projects/{project}/locations/{region}` path prefix and authenticated with an OAuth
//! bearer token.
//!
//! - Gemini chat uses the Gemini API translation ([`crate::gemini`]) with Vertex paths;
//!   embeddings use the text-embedding `predict` method ([`embeddings`]).
//! - Claude chat uses the Anthropic translation ([`crate::anthropic`]) with the model in the
//!   path (`rawPredict` / `streamRawPredict`) and `anthropic_version` in the body; Messages
//!   API clients are passed through with the same body rewrite ([`anthropic`]).

pub mod anthropic;
pub mod embeddings;

#[cfg(test)]
mod golden_tests;
