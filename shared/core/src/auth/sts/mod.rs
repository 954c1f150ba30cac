//! AWS STS `AssumeRoleWithWebIdentity`: exchanges a web-identity token (for example a
//! projected Kubernetes service-account token) for temporary AWS credentials.
//!
//! [`AssumeRole::request`] builds the form-encoded call (the call itself is not signed);
//! [`parse_sts_response`] reads STS's XML answer (with `quick-xml`) into credentials with
//! a session token and their expiry. Errors name fields, files and STS error codes, never
//! a token or key.

mod request;
mod response;

pub use request::{AssumeRole, WebIdentityToken, valid_session_name};
pub use response::parse_sts_response;

/// The STS API version of the calls made here.
pub const STS_VERSION: &str = "2011-06-15";

/// The regional STS endpoint of `region`.
pub fn regional_endpoint(region: &str) -> String {
    format!("https://sts.{region}.amazonaws.com/")
}
