//! Token credentials fetched from a token endpoint: OAuth2 client credentials, Azure Entra
//! ID (client secret or federated client assertion), Google service-account keys (an
//! RS256 JWT exchanged for an access token) and Google workload identity federation (token
//! exchange, then optional service-account impersonation).
//!
//! [`TokenCell`] is the per-worker cache with single-flight fetching; [`Grant`] builds the
//! token request; [`parse_token_response`] reads the answer. No part of this module
//! logs or formats a secret: errors name fields, files and variables only.

mod cache;
mod gcp_key;
mod grant;
mod response;
mod url;
mod workload_identity;

pub use cache::{Issued, Lookup, TokenCell};
pub use gcp_key::ServiceAccountKey;
pub use grant::{ENTRA_COGNITIVE_SCOPE, EntraSecret, Grant, TokenRequest};
pub use response::parse_token_response;
pub use url::TokenUrl;
pub use workload_identity::{
    ACCESS_TOKEN_TYPE, ImpersonationRequest, JWT_TOKEN_TYPE, SubjectToken, TOKEN_EXCHANGE_GRANT,
    WorkloadIdentity, parse_impersonation_response,
};

/// The OpenAI-style error body a client gets when no credential can be obtained; the
/// message names the backend and the cause, never a secret.
pub fn unavailable_error_body(backend: &str, cause: &str) -> Vec<u8> {
    serde_json::json!({
        "error": {
            "message": format!("The gateway could not obtain credentials for backend {backend}: {cause}"),
            "type": "upstream_credentials_error",
            "param": null,
            "code": "upstream_credentials_unavailable",
        }
    })
    .to_string()
    .into_bytes()
}
