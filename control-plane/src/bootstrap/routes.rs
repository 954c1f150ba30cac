//! Envoy routes for the gateway's model routes: every exact model first (routes in config
//! order), then the model prefix and regex matchers (config order), so an exact name always
//! wins over a pattern.

use aigw_core::headers::{
    MODEL as MODEL_HEADER, MODEL_OVERRIDE as MODEL_OVERRIDE_HEADER, ROUTE as ROUTE_HEADER,
};
use serde_json::{Value, json};

use super::cluster_name;
use crate::config::route_match::HeaderMatch;
use crate::config::{GatewayConfig, Route};

/// The `created` time of every model `GET /v1/models` lists (2025-01-01T00:00:00Z): fixed,
/// so generated configs are reproducible.
pub const MODELS_CREATED: u64 = 1_735_689_600;

/// Upstream timeout of every model route (LLM responses can be slow).
pub const ROUTE_TIMEOUT: &str = "300s";

/// How one generated route matches the requested model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelMatch<'a> {
    /// The model name equals this.
    Exact(&'a str),
    /// The model name starts with this.
    Prefix(&'a str),
    /// The whole model name matches this RE2 regular expression.
    Regex(&'a str),
}

impl ModelMatch<'_> {
    /// Suffix of the generated route's name (`<route>/<suffix>`).
    pub fn route_suffix(&self) -> &str {
        match self {
            Self::Exact(model) => model,
            Self::Prefix(_) => "prefix",
            Self::Regex(_) => "regex",
        }
    }
}

/// Every (route, model matcher) pair of `config` in match order: all exact models (routes in
/// config order), then prefixes and regexes (config order). Every generator (bootstrap, Istio,
/// Envoy Gateway) emits its routes in this order.
pub fn model_matchers(config: &GatewayConfig) -> Vec<(&Route, ModelMatch<'_>)> {
    let mut exact = Vec::new();
    let mut patterns = Vec::new();
    for r in &config.routes {
        exact.extend(r.models.iter().map(|m| (r, ModelMatch::Exact(m))));
        if let Some(prefix) = &r.model_prefix {
            patterns.push((r, ModelMatch::Prefix(prefix)));
        }
        if let Some(re) = &r.model_regex {
            patterns.push((r, ModelMatch::Regex(re)));
        }
    }
    exact.extend(patterns);
    exact
}

/// The model routes of `config`, in match order.
pub fn model_routes(config: &GatewayConfig) -> Vec<Value> {
    let name_route = config.has_costs();
    model_matchers(config)
        .into_iter()
        .map(|(r, m)| {
            let string_match = match m {
                ModelMatch::Exact(v) => json!({"exact": v}),
                ModelMatch::Prefix(v) => json!({"prefix": v}),
                ModelMatch::Regex(v) => json!({"safe_regex": {"regex": v}}),
            };
            let mut route = route(r, m.route_suffix(), string_match, name_route);
            if let Some((filter, per_route)) = super::inference_pool::route_config(config, r) {
                route["typed_per_filter_config"][filter] = per_route;
            }
            route
        })
        .collect()
}

/// The models `GET /v1/models` lists: every exact model name of the routes, in config
/// order, owned by the route's backend (its first listed one; patterns cannot be listed).
pub fn listed_models(config: &GatewayConfig) -> Vec<Value> {
    config
        .routes
        .iter()
        .flat_map(|r| {
            r.models
                .iter()
                .map(|m| json!({"id": m, "owned_by": r.backend_names()[0]}))
        })
        .collect()
}

/// One Envoy route of gateway route `r`: its model matcher plus its header and host matchers.
/// With `name_route` (costs are configured) it adds the response header `x-aigw-route: <name>`
/// for token-usage.
fn route(r: &Route, suffix: &str, model: Value, name_route: bool) -> Value {
    let mut headers = vec![json!({"name": MODEL_HEADER, "string_match": model})];
    headers.extend(r.headers.iter().map(header_matcher));
    if let Some(host) = &r.host {
        // Envoy's regex matchers match the whole value; any port is accepted.
        let regex = format!("{}(:[0-9]+)?", host.replace('.', "\\."));
        headers
            .push(json!({"name": ":authority", "string_match": {"safe_regex": {"regex": regex}}}));
    }
    let mut route = json!({
        "name": format!("{}/{suffix}", r.name),
        "match": {"prefix": "/", "headers": headers},
        "route": if r.backends.is_empty() {
            json!({"cluster": cluster_name(&r.backend), "timeout": ROUTE_TIMEOUT})
        } else {
            super::fallback::route_action(r, ROUTE_TIMEOUT)
        },
    });
    if let Some(target) = &r.model_override {
        route["request_headers_to_add"] = json!([{
            "header": {"key": MODEL_OVERRIDE_HEADER, "value": target},
            "append_action": "OVERWRITE_IF_EXISTS_OR_ADD",
        }]);
    }
    if name_route {
        // On the response: token-usage reads and removes it; a provider's own is overwritten.
        route["response_headers_to_add"] = json!([{
            "header": {"key": ROUTE_HEADER, "value": r.name},
            "append_action": "OVERWRITE_IF_EXISTS_OR_ADD",
        }]);
    }
    route
}

/// A header matcher; with none of exact, prefix and regex the header must be present.
fn header_matcher(h: &HeaderMatch) -> Value {
    let string_match = match (&h.exact, &h.prefix, &h.regex) {
        (Some(v), _, _) => json!({"exact": v}),
        (None, Some(v), _) => json!({"prefix": v}),
        (None, None, Some(v)) => json!({"safe_regex": {"regex": v}}),
        (None, None, None) => return json!({"name": h.name, "present_match": true}),
    };
    json!({"name": h.name, "string_match": string_match})
}
