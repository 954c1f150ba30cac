//! Cohere's v2 API (`api.cohere.com`) as a backend for OpenAI clients: chat completions
//! (`/v2/chat`, buffered and SSE) and embeddings (`/v2/embed`), with Cohere error bodies
//! (`{"message": ...}`) turned into OpenAI error objects.
//!
//! Mapping decisions (the full table is in README.md, "Cohere backends"):
//! - Messages keep their roles (`developer` becomes `system`); assistant `tool_calls` and
//!   `tool` results keep their ids, which Cohere also uses.
//! - `tool_choice`: `none` -> `NONE`, `required` -> `REQUIRED`, `auto` -> omitted; a named
//!   function -> `REQUIRED` with only that function in `tools` (Cohere cannot name one).
//! - `response_format` `json_object` -> `{"type":"json_object"}`, `json_schema` adds the
//!   schema as `json_schema`.
//! - `tool_plan` text and `thinking` content are not returned as content.
//! - `finish_reason` `ERROR` ends a buffered answer as a 502 and a stream with an error
//!   event (the text so far is lost in the first case, already sent in the second).

pub mod embeddings;
pub mod error;
mod finish;
mod messages;
pub mod request;
pub mod response;
pub mod stream;
mod tools;
mod usage;

/// `:path` of a chat request (buffered or streamed: `stream` is in the body).
pub const CHAT_PATH: &str = "/v2/chat";
/// `:path` of an embeddings request.
pub const EMBED_PATH: &str = "/v2/embed";

#[cfg(test)]
mod golden_tests;
