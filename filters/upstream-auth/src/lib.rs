//! aigw-upstream-auth: the `upstream-auth` HTTP filter. Runs upstream, after translate, and
//! replaces whatever credential the client sent with the backend's API key, in the header
//! the backend expects, or signs the final (translated) request with AWS SigV4, or adds a bearer token fetched
//! from a token endpoint (OAuth2 client credentials, Azure Entra ID, Google service account), or
//! signs with temporary AWS credentials from STS `AssumeRoleWithWebIdentity`. Built as a
//! proxy-wasm module and as an Envoy dynamic module.

pub mod config;
mod fetched;
mod filter;
mod override_config;
mod signing;
pub mod sigv4_config;
mod token;
pub mod token_config;
mod web_identity;
pub mod web_identity_config;

pub use filter::{UpstreamAuthFactory, UpstreamAuthFilter};

aigw_host::export_filter!(UpstreamAuthFactory);
