//! The client-facing listener: HTTP connection manager, downstream filters and routes.

use std::net::SocketAddr;

use aigw_core::api_kind::ApiKind;
use aigw_core::openai::path::CLIENT_PREFIX;
use serde_json::{Value, json};

use super::filters::{ModuleSettings, module_filter, router};
use super::routes::{MODELS_CREATED, listed_models, model_routes};
use super::{GenerateOptions, socket_address};
use crate::artifacts::FilterModule;
use crate::bootstrap::access_log::access_log;
use crate::config::{CostType, GatewayConfig};

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

/// The listener on `addr`; `mcp_filter` (the mcp-router entry) goes before the router.
pub fn listener(
    config: &GatewayConfig,
    opts: &GenerateOptions<'_>,
    addr: SocketAddr,
    mcp_filter: Option<Value>,
) -> Value {
    let settings = ModuleSettings {
        kind: config.module,
        dir: opts.modules_dir,
    };
    let translate = json!({
        "role": "router",
        "force_include_usage": !config.costs.is_empty(),
        "max_request_bytes": config.limits.max_request_bytes,
        "max_messages": config.limits.max_messages,
        "max_tools": config.limits.max_tools,
        "models": listed_models(config),
        "models_created": MODELS_CREATED,
    });
    let costs: Vec<Value> = config
        .costs
        .iter()
        .map(|c| json!({"metadata_key": c.metadata_key, "type": cost_type(c.kind)}))
        .collect();
    let mut http_filters = vec![
        module_filter(&settings, FilterModule::Translate, &translate, &[]),
        module_filter(
            &settings,
            FilterModule::TokenUsage,
            &json!({"costs": costs}),
            &[],
        ),
    ];
    http_filters.extend(mcp_filter);
    http_filters.push(router());
    let hcm = json!({
        "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
        "stat_prefix": "aigw",
        "codec_type": "AUTO",
        "stream_idle_timeout": STREAM_IDLE_TIMEOUT,
        "max_request_headers_kb": config.limits.max_request_headers_kb,
        "access_log": [access_log(config, opts.access_log)],
        "local_reply_config": local_reply_config(),
        "http_filters": http_filters,
        "route_config": route_config(config),
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

/// Envoy's own error replies (upstream reset, timeout, overflow, ...: every local reply
/// that carries a response flag) in the OpenAI error shape instead of plain text. Replies of
/// the filters and the routes' direct responses carry no response flag and are untouched.
fn local_reply_config() -> Value {
    json!({"mappers": [{
        "filter": {"response_flag_filter": {}},
        "body_format_override": {
            "json_format": {"error": {
                "message": "%LOCAL_REPLY_BODY%",
                "type": "server_error",
                "param": null,
                "code": "%RESPONSE_CODE_DETAILS%",
            }},
            "content_type": "application/json",
        },
    }]})
}

fn cost_type(kind: CostType) -> &'static str {
    match kind {
        CostType::InputToken => "InputToken",
        CostType::OutputToken => "OutputToken",
        CostType::TotalToken => "TotalToken",
        CostType::CachedInputToken => "CachedInputToken",
    }
}

/// One route per (route, model) matching `x-ai-eg-model` exactly, then OpenAI-style 404s for
/// API paths whose model no route serves.
fn route_config(config: &GatewayConfig) -> Value {
    let mut routes = model_routes(config);
    let body = json!({"error": {
        "message": "The model named in the request is not served by this gateway.",
        "type": "invalid_request_error",
        "param": "model",
        "code": "model_not_found",
    }})
    .to_string();
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
    json!({
        "name": "aigw",
        "virtual_hosts": [{"name": "aigw", "domains": ["*"], "routes": routes}],
    })
}
