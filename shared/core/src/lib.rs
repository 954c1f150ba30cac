//! Pure gateway logic shared by the filters and the control plane; no Envoy dependency.

pub mod anthropic;
pub mod api_key_id;
pub mod api_kind;
pub mod auth;
pub mod azure;
pub mod bedrock;
pub mod cel_expr;
pub mod chat_schema;
pub mod cohere;
pub mod cost;
pub mod cost_cel;
pub mod gemini;
#[cfg(test)]
mod golden;
pub mod headers;
pub mod mcp;
pub mod metadata;
pub mod metrics;
pub mod openai;
pub mod reservation;
pub mod sse;
pub mod token_estimate;
pub mod usage;
mod usage_view;
pub mod vertex;
