//! The `rate_limits:` section of the gateway config: token budgets per window, enforced by
//! Envoy's ratelimit filter against `aigw ratelimit` (see docs/internals.md, "Token rate limits").

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Token budgets for the model routes.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateLimits {
    /// `host:port` of the rate-limit service (`aigw ratelimit`, gRPC). Without it, `aigw run`
    /// starts an in-memory one in its own process (single node only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Envoy's deadline for each call to the service, in milliseconds (default 1000).
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// When the service cannot be reached: `deny` (default; the client gets a 500, so no
    /// budget is bypassed) or `allow` (the request goes on uncounted).
    #[serde(default)]
    pub on_service_error: OnServiceError,
    /// Output tokens reserved for a chat or completions request that sets no
    /// `max_tokens`/`max_completion_tokens` (default 256). The reservation is the prompt's
    /// tokenizer estimate plus the output cap; it is an upper bound of the usage (and a budget
    /// can then not be overshot) only when answers stay within it.
    #[serde(default = "default_output_tokens")]
    pub default_output_tokens: u64,
    /// Bearer JWTs checked by Envoy's `jwt_authn` filter on the API paths, whose claims a
    /// limit's key may name (`user_jwt_claim`, `team_jwt_claim`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwt: Option<RateLimitJwt>,
    /// The budgets; a request must fit every one that applies to it.
    pub limits: Vec<RateLimit>,
}

/// The issuer of the bearer JWTs whose verified claims key rate limits. A claim is only
/// ever read from a token whose signature, issuer, audience and expiry Envoy checked.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateLimitJwt {
    /// Required `iss` of tokens.
    pub issuer: String,
    /// Accepted `aud` values (at least one).
    pub audiences: Vec<String>,
    /// The issuer's public signing keys, as a JWKS (`{"keys": [...]}`); give this or
    /// `jwks_uri`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks: Option<serde_json::Value>,
    /// Where Envoy fetches the issuer's JWKS (`https://...`, e.g. the `jwks_uri` of the
    /// issuer's OpenID configuration); give this or `jwks`. Fetched when Envoy starts and
    /// again after `jwks_cache_seconds`; until the first fetch succeeds, tokens are refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// How long a fetched JWKS is used before it is fetched again (default 600).
    #[serde(default = "default_jwks_cache_seconds")]
    pub jwks_cache_seconds: u64,
    /// Whether API requests without a token are refused with a 401 (default `true`); with
    /// `false` they pass, and limits keyed on a claim do not apply to them. A token that is
    /// present but invalid is always refused.
    #[serde(default = "default_true")]
    pub require: bool,
}

/// What Envoy does when the rate-limit service fails or times out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OnServiceError {
    /// Refuse the request.
    #[default]
    Deny,
    /// Let the request through without counting it.
    Allow,
}

/// One token budget per window, counted separately for each value of its key.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// Unique name (letters, digits, `-`, `_`); part of the counter's identity.
    pub name: String,
    /// Length of the fixed window the budget is for.
    pub window: Window,
    /// Tokens (prompt plus completion, as the provider reports them) allowed per window.
    pub budget_tokens: u64,
    /// Names of the routes the budget applies to (default: every route).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<String>,
    /// Requested models (exact names) the budget applies to (default: every model).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub models: Vec<String>,
    /// What the budget is counted per; empty: one budget shared by every request.
    #[serde(default)]
    pub key: RateLimitKey,
}

/// The parts of a request a budget is counted per (all that are set, together).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateLimitKey {
    /// Request header naming the user (e.g. `x-user-id`); requests without it are not
    /// limited by this budget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_header: Option<String>,
    /// Request header naming the team; requests without it are not limited by this budget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_header: Option<String>,
    /// Claim of the verified bearer JWT naming the user (e.g. `sub`; needs `rate_limits.jwt`);
    /// requests without it are not limited by this budget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_jwt_claim: Option<String>,
    /// Claim of the verified bearer JWT naming the team (needs `rate_limits.jwt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_jwt_claim: Option<String>,
    /// Count per client API key (`authorization: Bearer`, `api-key` or `x-api-key`), by a hash
    /// of it; requests without a key are not limited by this budget.
    #[serde(default)]
    pub api_key: bool,
    /// Count per requested model.
    #[serde(default)]
    pub model: bool,
    /// Count per backend the route sends to.
    #[serde(default)]
    pub backend: bool,
}

/// A fixed window, aligned to the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Window {
    /// 60 seconds.
    Minute,
    /// 3,600 seconds.
    Hour,
    /// 86,400 seconds.
    Day,
}

impl Window {
    /// The name used in config files and rate-limit descriptors.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Minute => "minute",
            Self::Hour => "hour",
            Self::Day => "day",
        }
    }

    /// The window named `s` (as [`Window::as_str`] writes it).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "minute" => Some(Self::Minute),
            "hour" => Some(Self::Hour),
            "day" => Some(Self::Day),
            _ => None,
        }
    }

    /// Length in seconds.
    pub fn seconds(self) -> u64 {
        match self {
            Self::Minute => 60,
            Self::Hour => 3_600,
            Self::Day => 86_400,
        }
    }
}

impl RateLimits {
    /// Whether some limit counts per API key.
    pub fn counts_api_keys(&self) -> bool {
        self.limits.iter().any(|l| l.key.api_key)
    }
}

fn default_true() -> bool {
    true
}

fn default_output_tokens() -> u64 {
    aigw_core::reservation::DEFAULT_OUTPUT_RESERVATION
}

fn default_jwks_cache_seconds() -> u64 {
    super::jwks::DEFAULT_CACHE_SECONDS
}

fn default_timeout_ms() -> u64 {
    1_000
}

/// Largest budget: the RLS API reports what remains as a 32-bit number.
pub const MAX_BUDGET_TOKENS: u64 = u32::MAX as u64;

/// Checks the section (`routes`: the names of the gateway's routes); problems are pushed as
/// `rate_limits.field: message`.
pub fn validate(r: &RateLimits, routes: &[&str], errors: &mut Vec<String>) {
    if let Some(jwt) = &r.jwt {
        validate_jwt(jwt, errors);
    }
    if let Some(service) = &r.service
        && parse_service(service).is_none()
    {
        errors.push(format!(
            "rate_limits.service: {service:?} must be host:port (the address of `aigw ratelimit`)"
        ));
    }
    if !(1..=60_000).contains(&r.timeout_ms) {
        errors.push(format!(
            "rate_limits.timeout_ms: {} must be between 1 and 60000",
            r.timeout_ms
        ));
    }
    if !(1..=MAX_BUDGET_TOKENS).contains(&r.default_output_tokens) {
        errors.push(format!(
            "rate_limits.default_output_tokens: {} must be between 1 and {MAX_BUDGET_TOKENS}",
            r.default_output_tokens
        ));
    }
    if r.limits.is_empty() {
        errors.push("rate_limits.limits: at least one limit is required".into());
    }
    let mut names = std::collections::HashMap::new();
    for (i, l) in r.limits.iter().enumerate() {
        let at = format!("rate_limits.limits[{i}]");
        if l.name.is_empty()
            || !l
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        {
            errors.push(format!(
                "{at}.name: {:?} must be non-empty and use only letters, digits, '-' and '_'",
                l.name
            ));
        }
        if let Some(first) = names.insert(l.name.as_str(), i) {
            errors.push(format!(
                "{at}.name: duplicate limit {:?} (also rate_limits.limits[{first}])",
                l.name
            ));
        }
        if !(1..=MAX_BUDGET_TOKENS).contains(&l.budget_tokens) {
            errors.push(format!(
                "{at}.budget_tokens: {} must be between 1 and {MAX_BUDGET_TOKENS}",
                l.budget_tokens
            ));
        }
        for route in &l.routes {
            if !routes.contains(&route.as_str()) {
                errors.push(format!("{at}.routes: no route is named {route:?}"));
            }
        }
        if l.models
            .iter()
            .any(|m| m.is_empty() || m.chars().any(char::is_control))
        {
            errors.push(format!(
                "{at}.models: model names must be non-empty, without control characters"
            ));
        }
        validate_claims(&at, l, r.jwt.is_some(), errors);
        for (field, header) in [
            ("user_header", &l.key.user_header),
            ("team_header", &l.key.team_header),
        ] {
            if let Some(h) = header
                && !is_header_name(h)
            {
                errors.push(format!(
                    "{at}.key.{field}: {h:?} must be a lowercase HTTP header name (letters, digits, '-', '_')"
                ));
            }
        }
    }
}

/// The JWT issuer: an issuer, audiences and either a JWKS of usable keys (checked by the
/// verifier the MCP authorization uses too; its messages name the field) or an http(s)
/// `jwks_uri` to fetch one from.
fn validate_jwt(jwt: &RateLimitJwt, errors: &mut Vec<String>) {
    let problems = super::jwks::problems(
        jwt.jwks.as_ref(),
        jwt.jwks_uri.as_deref(),
        jwt.jwks_cache_seconds,
        &jwt.issuer,
        &jwt.audiences,
    );
    errors.extend(problems.into_iter().map(|e| format!("rate_limits.jwt.{e}")));
}

/// A key names a user or team either by header or by claim, and a claim needs the issuer.
fn validate_claims(at: &str, l: &RateLimit, has_jwt: bool, errors: &mut Vec<String>) {
    for (what, header, claim) in [
        ("user", &l.key.user_header, &l.key.user_jwt_claim),
        ("team", &l.key.team_header, &l.key.team_jwt_claim),
    ] {
        let Some(claim) = claim else { continue };
        if header.is_some() {
            errors.push(format!(
                "{at}.key.{what}_jwt_claim: give {what}_header or {what}_jwt_claim, not both"
            ));
        }
        if claim.is_empty() {
            errors.push(format!("{at}.key.{what}_jwt_claim: must not be empty"));
        }
        if !has_jwt {
            errors.push(format!(
                "{at}.key.{what}_jwt_claim: needs rate_limits.jwt (the issuer whose tokens are verified)"
            ));
        }
    }
}

/// Splits `host:port`; `None` when it is not that shape.
pub fn parse_service(s: &str) -> Option<(&str, u16)> {
    let (host, port) = s.rsplit_once(':')?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let port: u16 = port.parse().ok()?;
    (!host.is_empty() && port != 0 && !host.contains(['/', ' '])).then_some((host, port))
}

/// Whether `h` is a lowercase HTTP header name (letters, digits, `-`, `_`).
pub(crate) fn is_header_name(h: &str) -> bool {
    !h.is_empty()
        && !h.starts_with(':')
        && h.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_'))
}
