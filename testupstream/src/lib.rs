//! A fast fake OpenAI / Azure OpenAI provider that validates what it receives as strictly as
//! the real APIs and answers deterministically (byte-identical bodies across runs).

pub mod anthropic;
mod auth;
mod bedrock;
mod cohere;
pub mod config;
pub mod epp;
pub mod error;
pub mod failing_server;
mod fault;
mod gemini;
mod mcp;
mod passthrough;
mod respond;
pub mod route;
mod server;
mod stream;
pub mod sts;
pub mod tokens;
mod tools;
pub mod validate;
mod vertex;

pub use config::{Backend, Config};
pub use failing_server::{Fault, serve_fault};
pub use server::{BACKEND_HEADER, CHUNK_DELAY_HEADER, STATUS_HEADER, serve};
