//! The client-facing listener: HTTP connection manager, downstream filters and routes.

use std::net::SocketAddr;

use aigw_core::api_kind::ApiKind;
use aigw_core::openai::path::CLIENT_PREFIX;
use serde_json::{Value, json};

use super::anthropic_routes::unknown_model_routes;
use super::filters::{ModuleSettings, module_filter, router};
use super::routes::{MODELS_CREATED, listed_models, model_matchers, model_routes};
use super::{GenerateOptions, socket_address};
use crate::artifacts::FilterModule;
use crate::bootstrap::access_log::access_log;
use crate::bootstrap::local_reply::local_reply_config;
use crate::bootstrap::rate_limit::{FILTER_NAME as RATELIMIT_FILTER, Wiring};
use crate::config::{Cost, GatewayConfig};

/// How far the listener's per-connection buffer limit is above `limits.max_request_bytes`,
/// so translate (which buffers API request bodies) sees a too-large body and answers an
/// OpenAI-style 413 instead of Envoy's plain one (the default 1 MiB limit applies to wasm
/// buffering).
pub const LISTENER_BUFFER_HEADROOM_BYTES: u64 = 1024 * 1024;
/// Idle time after which a stream is reset.
const STREAM_IDLE_TIMEOUT: &str = "300s";
/// Client APIs whose unknown models get an OpenAI-style 404.
const API_KINDS: [ApiKind; 3] = [
    ApiKind::ChatCompletions,
    ApiKind::Completions,
    ApiKind::Embeddings,
];

/// The listener on `addr`; `mcp_filter` (the mcp-router entry) goes before the router and
/// `mcp_routes` before the other routes, the ratelimit filter of `rate_limits` after
/// token-usage.
pub fn listener(
    config: &GatewayConfig,
    opts: &GenerateOptions<'_>,
    addr: SocketAddr,
    mcp_filter: Option<Value>,
    mcp_routes: Vec<Value>,
    rate_limits: Option<&Wiring>,
) -> Value {
    let settings = ModuleSettings {
        kind: config.module,
        dir: opts.modules_dir,
    };
    let (strip_destination, epp_filters) = super::inference_pool::filters(config);
    let mut http_filters: Vec<Value> = strip_destination.into_iter().collect();
    http_filters.extend([
        module_filter(
            &settings,
            FilterModule::Translate,
            &router_translate_config(config),
            &[],
        ),
        module_filter(
            &settings,
            FilterModule::TokenUsage,
            &token_usage_config(config),
            &[],
        ),
    ]);
    if let Some(jwt) = rate_limits.and_then(|w| w.jwt_filter.clone()) {
        http_filters.insert(0, jwt);
    }
    http_filters.extend(rate_limits.map(|w| w.filter.clone()));
    http_filters.extend(mcp_filter);
    http_filters.extend(epp_filters);
    http_filters.push(router());
    let hcm = json!({
        "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
        "stat_prefix": "aigw",
        "codec_type": "AUTO",
        "stream_idle_timeout": STREAM_IDLE_TIMEOUT,
        "max_request_headers_kb": config.limits.max_request_headers_kb,
        "access_log": [access_log(config, opts.access_log)],
        "local_reply_config": local_reply_config(
            rate_limits,
            super::inference_pool::any(config),
            config.module,
        ),
        "http_filters": http_filters,
        "route_config": route_config(config, rate_limits, mcp_routes),
    });
    json!({
        "name": "aigw",
        "address": socket_address(addr),
        "per_connection_buffer_limit_bytes":
            config.limits.max_request_bytes + LISTENER_BUFFER_HEADROOM_BYTES,
        "filter_chains": [{
            "filters": [{"name": "envoy.filters.network.http_connection_manager", "typed_config": hcm}]
        }]
    })
}

/// The JSON config of translate in the router role (downstream, before the router).
/// With rate limits it reserves tokens per request (and names the client's API key when a
/// limit counts per key).
pub fn router_translate_config(config: &GatewayConfig) -> Value {
    let mut translate = json!({
        "role": "router",
        "force_include_usage": config.has_costs() || config.rate_limits.is_some(),
        "max_request_bytes": config.limits.max_request_bytes,
        "max_messages": config.limits.max_messages,
        "max_tools": config.limits.max_tools,
        "models": listed_models(config),
        "models_created": MODELS_CREATED,
    });
    if let Some(limits) = &config.rate_limits {
        translate["reserve_tokens"] = json!(true);
        translate["default_output_tokens"] = json!(limits.default_output_tokens);
        if limits.counts_api_keys() {
            translate["api_key_id"] = json!(true);
        }
    }
    translate
}

/// The JSON config of token-usage (downstream, after translate): global costs, and the
/// costs of routes that have their own.
pub fn token_usage_config(config: &GatewayConfig) -> Value {
    let route_costs: serde_json::Map<String, Value> = config
        .routes
        .iter()
        .filter(|r| !r.costs.is_empty())
        .map(|r| (r.name.clone(), cost_list(&r.costs)))
        .collect();
    let mut token_usage = json!({"costs": cost_list(&config.costs)});
    if !route_costs.is_empty() {
        token_usage["route_costs"] = Value::Object(route_costs);
    }
    if let Some(m) = &config.identity_metrics {
        token_usage["identity_labels"] = serde_json::json!(m);
    }
    token_usage
}

/// A cost list as the token-usage filter config spells it.
fn cost_list(costs: &[Cost]) -> Value {
    let list = costs.iter().map(|c| {
        let mut cost = json!({"metadata_key": c.metadata_key, "type": c.kind.as_str()});
        if let Some(cel) = &c.cel {
            cost["cel"] = json!(cel);
        }
        cost
    });
    Value::Array(list.collect())
}

/// The MCP servers' routes first (their header is set by mcp-router only), then one route
/// per (route, model) matching `x-ai-eg-model` exactly, then OpenAI-style 404s for API paths
/// whose model no route serves, and Anthropic-style ones for the Anthropic paths; with rate
/// limits, every model route some limit applies to carries the ratelimit filter's per-route
/// config.
fn route_config(
    config: &GatewayConfig,
    rate_limits: Option<&Wiring>,
    mcp_routes: Vec<Value>,
) -> Value {
    let mut routes = model_routes(config);
    if let Some(wiring) = rate_limits {
        // model_routes makes one Envoy route per matcher, in this order.
        for (r, (route, _)) in routes.iter_mut().zip(model_matchers(config)) {
            if let Some(limits) = wiring.route_rate_limits.get(&route.name) {
                r["typed_per_filter_config"][RATELIMIT_FILTER] = limits.clone();
            }
        }
    }
    let body = model_not_found_body();
    for kind in API_KINDS {
        let path = format!("{CLIENT_PREFIX}{}", kind.suffix());
        routes.push(json!({
            "name": format!("unknown-model{path}"),
            "match": {"path": path},
            "direct_response": {"status": 404, "body": {"inline_string": body}},
            "response_headers_to_add": [{
                "header": {"key": "content-type", "value": "application/json"},
                "append_action": "OVERWRITE_IF_EXISTS_OR_ADD",
            }],
        }));
    }
    routes.extend(unknown_model_routes());
    let routes: Vec<Value> = mcp_routes.into_iter().chain(routes).collect();
    let mut virtual_host = json!({"name": "aigw", "domains": ["*"], "routes": routes});
    if let Some(configs) = super::inference_pool::virtual_host_configs(config) {
        virtual_host["typed_per_filter_config"] = configs;
    }
    json!({"name": "aigw", "virtual_hosts": [virtual_host]})
}

/// The OpenAI error body answered for a model no route serves.
pub fn model_not_found_body() -> String {
    json!({"error": {
        "message": "The model named in the request is not served by this gateway.",
        "type": "invalid_request_error",
        "param": "model",
        "code": "model_not_found",
    }})
    .to_string()
}
