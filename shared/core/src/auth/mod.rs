//! Upstream API-key credentials: which header each provider expects, where the key comes
//! from (environment variable or file), and hot rotation of file keys. Keys are held as
//! [`secrecy::SecretString`], whose `Debug` output is redacted. [`sigv4`] signs requests to AWS;
//! [`token`] fetches and caches OAuth2-style access tokens; [`sts`] assumes an AWS role with a
//! web identity.

mod credential;
mod file_check;
mod key;
mod kind;
mod rotating;
pub mod sigv4;
pub mod sts;
pub mod token;

pub use credential::Credential;
pub use kind::{AuthKind, CLIENT_CREDENTIAL_HEADERS};
pub use secrecy::{ExposeSecret, SecretString};
