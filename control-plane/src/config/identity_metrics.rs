//! The `identity_metrics:` section: an opt-in token counter per user and team, labelled
//! from request headers, for chargeback in Prometheus (the access log has per-request
//! lines either way).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The request headers naming the caller. Each distinct value is a new series, so name
/// headers whose values the platform controls (set by an authenticating proxy in front, or
/// by Envoy from a verified token), not free client input.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityMetrics {
    /// Header naming the user (label `aigw_user`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_header: Option<String>,
    /// Header naming the team (label `aigw_team`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_header: Option<String>,
}

/// Checks the section; problems are pushed as `identity_metrics.field: message`.
pub fn validate(m: &IdentityMetrics, errors: &mut Vec<String>) {
    if m.user_header.is_none() && m.team_header.is_none() {
        errors.push("identity_metrics: name user_header, team_header or both".into());
    }
    for (field, header) in [
        ("user_header", &m.user_header),
        ("team_header", &m.team_header),
    ] {
        if let Some(h) = header
            && !super::rate_limit::is_header_name(h)
        {
            errors.push(format!(
                "identity_metrics.{field}: {h:?} must be a lowercase HTTP header name (letters, digits, '-', '_')"
            ));
        }
    }
}
