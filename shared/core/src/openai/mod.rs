//! The OpenAI-compatible client API: a borrowing view of request bodies, validation with
//! OpenAI-style errors, and minimal in-place edits of the request JSON.

pub mod chunk_sink;
pub mod chunk_stream;
pub mod edit;
pub mod embeddings;
pub mod error;
pub(crate) mod fields;
pub mod limits;
pub mod model_override;
pub mod models;
pub mod multipart_model;
pub mod passthrough;
pub mod path;
pub mod request;
pub mod responses_usage;
pub mod routing;
pub mod stream_end;
pub mod stream_usage;
pub(crate) mod tool_choice;
