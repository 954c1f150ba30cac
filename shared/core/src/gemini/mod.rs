//! The Google Gemini API (`generativelanguage.googleapis.com`, `v1beta`) as a backend for
//! OpenAI clients: chat completions (buffered and SSE) and embeddings, with Google error
//! bodies turned into OpenAI error objects.
//!
//! Mapping decisions (the full table is in control-plane/README.md, "Gemini backends"):
//! - `system`/`developer` messages become `systemInstruction`; `assistant` is role `model`;
//!   consecutive `tool` messages become one `user` turn of `functionResponse` parts (the
//!   function name is taken from the assistant `tool_calls` the `tool_call_id` answers).
//! - Tool parameter schemas and `response_format` schemas are reduced to the OpenAPI subset
//!   Gemini accepts (see [`schema`]).
//! - A response blocked by `promptFeedback.blockReason` becomes a choice with
//!   `finish_reason: "content_filter"` and no content (the status stays 200, as Gemini's).
//! - Parts marked `thought: true` (thought summaries) become `reasoning_content`; their
//!   tokens are reported as `completion_tokens_details.reasoning_tokens`. A function call's
//!   `thoughtSignature` is returned in the tool call's `extra_content.google.thought_signature`
//!   (as Google's OpenAI-compatible endpoint does) and sent back from an assistant tool call
//!   that carries it.
//! - `reasoning_effort` (or the vendor field `thinking`) becomes `thinkingConfig`, asking
//!   for thought summaries unless thinking is off (see [`request`]).
//! - Tool-call ids are `call_<choice>_<n>`: deterministic, unique within a response.

mod content;
pub mod embeddings;
pub mod error;
mod finish;
pub mod path;
pub mod request;
pub mod response;
pub mod schema;
pub mod stream;
mod tools;
mod usage;

#[cfg(test)]
mod golden_tests;
