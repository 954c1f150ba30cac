//! A fast fake OpenAI / Azure OpenAI provider that validates what it receives as strictly as
//! the real APIs and answers deterministically (byte-identical bodies across runs).

pub mod anthropic;
mod auth;
pub mod config;
pub mod error;
pub mod fault;
mod gemini;
mod respond;
pub mod route;
mod server;
mod stream;
pub mod validate;

pub use config::{Backend, Config};
pub use server::{BACKEND_HEADER, CHUNK_DELAY_HEADER, STATUS_HEADER, serve};
