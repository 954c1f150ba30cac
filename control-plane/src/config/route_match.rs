//! What a route matches besides exact model names: model prefix and regular expression
//! (on `x-ai-eg-model`), request headers, and the request's host.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::model::Route;

/// A request header a route requires: at most one of `exact`, `prefix` and `regex`; with
/// none, the header only has to be present.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HeaderMatch {
    /// Header name (lowercase).
    pub name: String,
    /// The whole value equals this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exact: Option<String>,
    /// The value starts with this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// The whole value matches this regular expression (RE2 syntax).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
}

/// Checks the match fields of route `r` at `at` (`routes[i]`).
pub fn validate(at: &str, r: &Route, errors: &mut Vec<String>) {
    if r.models.is_empty() && r.model_prefix.is_none() && r.model_regex.is_none() {
        errors.push(format!(
            "{at}.models: at least one model is required (or model_prefix / model_regex)"
        ));
    }
    if r.model_prefix.as_deref() == Some("") {
        errors.push(format!(
            "{at}.model_prefix: must not be empty (it would match every model)"
        ));
    }
    if let Some(re) = &r.model_regex {
        check_regex(&format!("{at}.model_regex"), re, errors);
    }
    for (i, h) in r.headers.iter().enumerate() {
        let at = format!("{at}.headers[{i}]");
        let valid_name = !h.name.is_empty()
            && h.name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !valid_name {
            errors.push(format!(
                "{at}.name: {:?} must be a lowercase header name (a-z, 0-9, '-', '_')",
                h.name
            ));
        } else if h.name == aigw_core::headers::MODEL {
            errors.push(format!(
                "{at}.name: {} is set by the gateway; use models, model_prefix or model_regex",
                h.name
            ));
        }
        let given = [&h.exact, &h.prefix, &h.regex]
            .iter()
            .filter(|v| v.is_some())
            .count();
        if given > 1 {
            errors.push(format!(
                "{at}: set at most one of exact, prefix and regex (none: the header must be present)"
            ));
        }
        if let Some(re) = &h.regex {
            check_regex(&format!("{at}.regex"), re, errors);
        }
    }
    if let Some(host) = &r.host {
        let valid = !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        if !valid {
            errors.push(format!(
                "{at}.host: {host:?} must be a host name (letters, digits, '-', '.'; no port)"
            ));
        }
    }
}

fn check_regex(at: &str, re: &str, errors: &mut Vec<String>) {
    if let Err(e) = regex::Regex::new(re) {
        let first = e.to_string();
        let reason = first.lines().last().unwrap_or("invalid").trim();
        errors.push(format!("{at}: invalid regular expression {re:?}: {reason}"));
    }
}
