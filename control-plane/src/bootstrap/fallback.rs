//! Routes with several backends (`backends:`): one aggregate cluster per first choice, a
//! retry policy that moves each retry to the next member, and upstream filters that
//! translate and sign every attempt for the backend it goes to.
//!
//! Only the aggregate cluster's upstream filters run (measured on Envoy 1.40, see
//! docs/internals.md), so the aggregate carries them: a header mutation copies the backend
//! name from the attempt's endpoint metadata into `x-aigw-attempt-backend`, and one
//! composite filter per module picks that backend's translate / upstream-auth config on it;
//! a last header mutation removes the header again.
//! Members are ordered by priority (lowest first), then weight (heaviest first), then
//! config order; Envoy gives member *i* priority *i*, and the `previous_priorities` retry
//! plugin sends attempt *n* to member *n*. Weights pick the first attempt: one aggregate
//! per top-priority backend, each starting with that backend, behind weighted clusters.

use aigw_core::headers::ATTEMPT_BACKEND;
use serde_json::{Value, json};

use super::cluster::{
    CONNECT_TIMEOUT, ENDPOINT_METADATA_NAMESPACE, MAX_CONCURRENT, translate_config,
};
use super::filters::{ModuleSettings, module_filter, upstream_codec};
use super::{auth, cluster_name};
use crate::artifacts::FilterModule;
use crate::config::endpoint;
use crate::config::validate_fallback::duration_ms;
use crate::config::{GatewayConfig, Retry, RetryOn, Route, RouteBackend};

/// The aggregate cluster of route `route` whose first attempt goes to `first`.
pub fn aggregate_name(route: &str, first: &str) -> String {
    format!("aigw-route-{route}-{first}")
}

/// The attempt orders of a route with several backends: one per backend of the highest
/// priority (that backend first), with the weight of that first choice.
pub fn attempt_orders(r: &Route) -> Vec<(u32, Vec<&RouteBackend>)> {
    let mut sorted: Vec<&RouteBackend> = r.backends.iter().collect();
    sorted.sort_by_key(|b| (b.priority, std::cmp::Reverse(b.weight)));
    let top = sorted.first().map_or(0, |b| b.priority);
    sorted
        .iter()
        .filter(|b| b.priority == top)
        .map(|first| {
            let mut order = vec![*first];
            order.extend(sorted.iter().filter(|b| b.name != first.name));
            (first.weight, order)
        })
        .collect()
}

/// The route action (`route:` of an Envoy route) of a route with several backends.
pub fn route_action(r: &Route, timeout: &str) -> Value {
    let orders = attempt_orders(r);
    let mut action = match orders.as_slice() {
        [(_, order)] => json!({"cluster": aggregate_name(&r.name, &order[0].name)}),
        _ => json!({"weighted_clusters": {"clusters": orders
            .iter()
            .map(|(weight, order)| json!({"name": aggregate_name(&r.name, &order[0].name), "weight": weight}))
            .collect::<Vec<_>>()}}),
    };
    action["timeout"] = json!(timeout);
    action["retry_policy"] = retry_policy(r);
    action
}

/// Envoy's retry policy for the route's `retry` settings (defaults when absent).
fn retry_policy(r: &Route) -> Value {
    let retry = r.retry.clone().unwrap_or_default();
    let conditions: Vec<&str> = retry
        .retry_on
        .iter()
        .map(|on| match on {
            RetryOn::Status5xx => "5xx",
            RetryOn::Status429 => "retriable-status-codes",
            RetryOn::ConnectFailure => "connect-failure",
            RetryOn::Reset => "reset",
        })
        .collect();
    let mut policy = json!({
        "retry_on": conditions.join(","),
        "num_retries": num_retries(r, &retry),
        "retry_priority": {
            "name": "envoy.retry_priorities.previous_priorities",
            "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig",
                "update_frequency": 1,
            }
        },
    });
    if retry.retry_on.contains(&RetryOn::Status429) {
        policy["retriable_status_codes"] = json!([429]);
    }
    if let Some(ms) = retry.per_try_idle_timeout.as_deref().and_then(duration_ms) {
        policy["per_try_idle_timeout"] = json!(envoy_duration(ms));
    }
    policy
}

/// A protobuf JSON duration of `ms` milliseconds (`15s`, `0.500s`).
fn envoy_duration(ms: u64) -> String {
    match ms % 1000 {
        0 => format!("{}s", ms / 1000),
        rest => format!("{}.{rest:03}s", ms / 1000),
    }
}

fn num_retries(r: &Route, retry: &Retry) -> u32 {
    retry
        .num_retries
        .unwrap_or_else(|| r.backends.len().saturating_sub(1) as u32)
}

/// The aggregate clusters of every route with several backends.
pub fn clusters(
    config: &GatewayConfig,
    settings: &ModuleSettings<'_>,
    env_keys: &[String],
) -> Result<Vec<Value>, String> {
    let mut clusters = Vec::new();
    for r in config.routes.iter().filter(|r| !r.backends.is_empty()) {
        let filters = attempt_filters(config, settings, r, env_keys)?;
        for (_, order) in attempt_orders(r) {
            let members: Vec<String> = order.iter().map(|b| cluster_name(&b.name)).collect();
            clusters.push(json!({
                "name": aggregate_name(&r.name, &order[0].name),
                "connect_timeout": CONNECT_TIMEOUT,
                "lb_policy": "CLUSTER_PROVIDED",
                "cluster_type": {
                    "name": "envoy.clusters.aggregate",
                    "typed_config": {
                        "@type": "type.googleapis.com/envoy.extensions.clusters.aggregate.v3.ClusterConfig",
                        "clusters": members,
                    }
                },
                "circuit_breakers": {"thresholds": [{
                    "max_connections": MAX_CONCURRENT,
                    "max_pending_requests": MAX_CONCURRENT,
                    "max_requests": MAX_CONCURRENT,
                    "max_retries": MAX_CONCURRENT,
                }]},
                "typed_extension_protocol_options": {
                    "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
                        "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                        "explicit_http_config": {"http_protocol_options": {}},
                        "http_filters": filters,
                    }
                },
            }));
        }
    }
    Ok(clusters)
}

/// The upstream filters of route `r`'s aggregates: attempt header, per-backend translate,
/// per-backend upstream-auth, codec.
fn attempt_filters(
    config: &GatewayConfig,
    settings: &ModuleSettings<'_>,
    r: &Route,
    env_keys: &[String],
) -> Result<Vec<Value>, String> {
    let mut translate = Vec::new();
    let mut upstream_auth = Vec::new();
    for rb in &r.backends {
        let backend = config
            .backends
            .iter()
            .find(|b| b.name == rb.name)
            .ok_or_else(|| format!("routes: unknown backend {:?}", rb.name))?;
        let ep = endpoint::parse(&backend.endpoint_url())
            .map_err(|e| format!("backend {}: endpoint: {e}", backend.name))?;
        let mut tc = translate_config(backend, &ep, rb.model_override.as_deref());
        tc["retried"] = true.into();
        translate.push((
            rb.name.as_str(),
            module_filter(settings, FilterModule::Translate, &tc, &[]),
        ));
        let ac = auth::filter_config(backend, &ep);
        upstream_auth.push((
            rb.name.as_str(),
            module_filter(settings, FilterModule::UpstreamAuth, &ac, env_keys),
        ));
    }
    Ok(vec![
        attempt_header(),
        per_backend(FilterModule::Translate.name(), &translate),
        per_backend(FilterModule::UpstreamAuth.name(), &upstream_auth),
        attempt_header_removal(),
        upstream_codec(),
    ])
}

/// Sets `x-aigw-attempt-backend` from the attempt's endpoint metadata (overwriting a
/// client-sent one).
fn attempt_header() -> Value {
    json!({
        "name": "aigw_attempt_backend",
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation",
            "mutations": {"request_mutations": [{"append": {
                "header": {
                    "key": ATTEMPT_BACKEND,
                    "value": format!("%UPSTREAM_METADATA({ENDPOINT_METADATA_NAMESPACE}:backend)%"),
                },
                "append_action": "OVERWRITE_IF_EXISTS_OR_ADD",
            }}]},
        }
    })
}

/// Removes `x-aigw-attempt-backend` so the provider never sees it.
fn attempt_header_removal() -> Value {
    json!({
        "name": "aigw_attempt_backend_removal",
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation",
            "mutations": {"request_mutations": [{"remove": ATTEMPT_BACKEND}]},
        }
    })
}

/// A composite filter running `filters[i].1` when the attempt goes to backend `filters[i].0`.
fn per_backend(name: &str, filters: &[(&str, Value)]) -> Value {
    let matchers: Vec<Value> = filters
        .iter()
        .map(|(backend, filter)| {
            json!({
                "predicate": {"single_predicate": {
                    "input": {
                        "name": "attempt-backend",
                        "typed_config": {
                            "@type": "type.googleapis.com/envoy.type.matcher.v3.HttpRequestHeaderMatchInput",
                            "header_name": ATTEMPT_BACKEND,
                        }
                    },
                    "value_match": {"exact": backend},
                }},
                "on_match": {"action": {
                    "name": format!("{name}-{backend}"),
                    "typed_config": {
                        "@type": "type.googleapis.com/envoy.extensions.filters.http.composite.v3.ExecuteFilterAction",
                        "typed_config": filter,
                    }
                }},
            })
        })
        .collect();
    json!({
        "name": format!("{name}_per_backend"),
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.common.matching.v3.ExtensionWithMatcher",
            "extension_config": {
                "name": "envoy.filters.http.composite",
                "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.composite.v3.Composite"},
            },
            "xds_matcher": {"matcher_list": {"matchers": matchers}},
        }
    })
}

#[cfg(test)]
#[path = "fallback_tests.rs"]
mod tests;
