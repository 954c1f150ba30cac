//! The issuer-keys part shared by the JWT configs (`rate_limits.jwt`, `mcp.authorization`):
//! the keys inline (`jwks`) or fetched (`jwks_uri`, kept `jwks_cache_seconds`), exactly one.

use aigw_core::mcp::authz::token::{KeySet, TokenVerifier};

/// Default of `jwks_cache_seconds` (as Envoy's jwt_authn).
pub const DEFAULT_CACHE_SECONDS: u64 = 600;

/// The problems of an issuer's key source, each starting with the field at fault (the
/// caller prefixes the section): the cache duration, then the first of the keys, the URI,
/// the issuer and the audiences.
pub fn problems(
    jwks: Option<&serde_json::Value>,
    jwks_uri: Option<&str>,
    cache_seconds: u64,
    issuer: &str,
    audiences: &[String],
) -> Vec<String> {
    let mut problems = Vec::new();
    if !(1..=86_400).contains(&cache_seconds) {
        problems.push(format!(
            "jwks_cache_seconds: {cache_seconds} must be between 1 and 86400"
        ));
    }
    let source = match (jwks, jwks_uri) {
        (Some(jwks), None) => KeySet::parse(&jwks.to_string()).err(),
        (None, Some(uri)) => super::endpoint::parse(uri)
            .err()
            .map(|e| format!("jwks_uri: {e}")),
        (Some(_), Some(_)) => Some("jwks_uri: give jwks or jwks_uri, not both".into()),
        (None, None) => {
            Some("jwks: give the issuer's keys (jwks) or where to fetch them (jwks_uri)".into())
        }
    };
    if let Some(problem) = source.or_else(|| TokenVerifier::new(issuer, audiences).err()) {
        problems.push(problem);
    }
    problems
}
