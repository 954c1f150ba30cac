//! Istio resources for an ingress gateway running the aigw filters.
//!
//! Istio's `WasmPlugin` cannot carry `allow_on_headers_stop_iteration` (without it a wasm
//! filter that reads the request body hangs the request) and has no upstream filters, so the
//! filters are inserted by `EnvoyFilter`s with their full Envoy configs: the downstream
//! filters before the router, and each backend's upstream filter chain merged into the
//! gateway's `outbound|<port>||<host>` cluster. Providers are `ServiceEntry`s (TLS originated
//! by a `DestinationRule`), model routing is a `VirtualService` on the `x-ai-eg-model` header
//! that translate sets.

use aigw_core::headers::{MODEL as MODEL_HEADER, MODEL_OVERRIDE as MODEL_OVERRIDE_HEADER};
use aigw_core::openai::path::CLIENT_PREFIX;
use serde_json::{Value, json};

use super::backend::{self, MeshBackend};
use super::{MeshOptions, k8s_name, metadata, regex_escape};
use crate::artifacts::FilterModule;
use crate::bootstrap::auth::env_vars;
use crate::bootstrap::cluster::upstream_filters;
use crate::bootstrap::filters::{ModuleSettings, module_filter};
use crate::bootstrap::listener::{
    LISTENER_BUFFER_HEADROOM_BYTES, model_not_found_body, router_translate_config,
    token_usage_config,
};
use crate::bootstrap::routes::{ModelMatch, ROUTE_TIMEOUT, model_matchers};
use crate::config::route_match::HeaderMatch;
use crate::config::{GatewayConfig, Route};

const NETWORKING: &str = "networking.istio.io/v1";
const ENVOY_FILTER_API: &str = "networking.istio.io/v1alpha3";
/// Label selecting Istio's default ingress gateway pods.
const GATEWAY_SELECTOR: (&str, &str) = ("istio", "ingressgateway");
/// Paths answered with an OpenAI 404 when no model route matched.
const API_PATHS: [&str; 3] = ["chat/completions", "completions", "embeddings"];

/// Every Istio resource for `config`.
pub fn manifests(config: &GatewayConfig, opts: &MeshOptions<'_>) -> Result<Vec<Value>, String> {
    let backends = backend::backends(config)?;
    check_distinct_hosts(&backends)?;
    let mut out = vec![gateway(opts)];
    for b in &backends {
        out.push(service_entry(b, opts));
        if b.endpoint.tls {
            out.push(destination_rule(b, opts));
        }
    }
    out.push(virtual_service(config, &backends, opts)?);
    out.push(filters(config, &backends, opts));
    Ok(out)
}

/// Two backends on one host and port would share one Istio cluster, and so one upstream
/// filter chain.
fn check_distinct_hosts(backends: &[MeshBackend<'_>]) -> Result<(), String> {
    for (i, a) in backends.iter().enumerate() {
        if let Some(b) = backends[..i]
            .iter()
            .find(|b| b.host == a.host && b.endpoint.port == a.endpoint.port)
        {
            return Err(format!(
                "backends[{i}].endpoint: backends {:?} and {:?} both use {}:{}; Istio gives \
                 them one cluster, so they cannot have different translation or credentials",
                b.backend.name, a.backend.name, a.host, a.endpoint.port
            ));
        }
    }
    Ok(())
}

fn selector() -> Value {
    json!({ GATEWAY_SELECTOR.0: GATEWAY_SELECTOR.1 })
}

fn gateway(opts: &MeshOptions<'_>) -> Value {
    json!({
        "apiVersion": NETWORKING,
        "kind": "Gateway",
        "metadata": metadata(opts.gateway, opts),
        "spec": {
            "selector": selector(),
            "servers": [{
                "port": {"number": opts.port, "name": "http", "protocol": "HTTP"},
                "hosts": ["*"],
            }],
        },
    })
}

/// The provider as a mesh-external service; plain HTTP on the port (TLS, when the endpoint
/// is https, is originated by the DestinationRule) so the upstream HTTP filters apply.
fn service_entry(b: &MeshBackend<'_>, opts: &MeshOptions<'_>) -> Value {
    let mut spec = json!({
        "hosts": [b.host],
        "location": "MESH_EXTERNAL",
        "ports": [{"number": b.endpoint.port, "name": "http", "protocol": "HTTP"}],
        "resolution": if b.endpoint.is_ip { "STATIC" } else { "DNS" },
        "exportTo": ["."],
    });
    if b.endpoint.is_ip {
        spec["endpoints"] = json!([{"address": b.endpoint.host}]);
    }
    json!({
        "apiVersion": NETWORKING,
        "kind": "ServiceEntry",
        "metadata": metadata(&k8s_name(&format!("aigw-backend-{}", b.backend.name)), opts),
        "spec": spec,
    })
}

fn destination_rule(b: &MeshBackend<'_>, opts: &MeshOptions<'_>) -> Value {
    json!({
        "apiVersion": NETWORKING,
        "kind": "DestinationRule",
        "metadata": metadata(&k8s_name(&format!("aigw-backend-{}", b.backend.name)), opts),
        "spec": {
            "host": b.host,
            "exportTo": ["."],
            "trafficPolicy": {"tls": {
                "mode": "SIMPLE",
                "sni": b.endpoint.host,
                "subjectAltNames": [b.endpoint.host],
            }},
        },
    })
}

/// Model routes in the generator's match order, then OpenAI 404s for unknown models.
fn virtual_service(
    config: &GatewayConfig,
    backends: &[MeshBackend<'_>],
    opts: &MeshOptions<'_>,
) -> Result<Value, String> {
    let mut http = Vec::new();
    for (r, m) in model_matchers(config) {
        http.push(model_route(r, m, backend::find(backends, &r.backend)?));
    }
    let uris: Vec<Value> = API_PATHS
        .iter()
        .map(|p| json!({"uri": {"exact": format!("{CLIENT_PREFIX}/{p}")}}))
        .collect();
    http.push(json!({
        "name": "unknown-model",
        "match": uris,
        "directResponse": {"status": 404, "body": {"string": model_not_found_body()}},
        "headers": {"response": {"set": {"content-type": "application/json"}}},
    }));
    Ok(json!({
        "apiVersion": NETWORKING,
        "kind": "VirtualService",
        "metadata": metadata(opts.gateway, opts),
        "spec": {"hosts": ["*"], "gateways": [opts.gateway], "http": http},
    }))
}

fn model_route(r: &Route, m: ModelMatch<'_>, b: &MeshBackend<'_>) -> Value {
    let model = match m {
        ModelMatch::Exact(v) => json!({"exact": v}),
        ModelMatch::Prefix(v) => json!({"prefix": v}),
        ModelMatch::Regex(v) => json!({"regex": v}),
    };
    let mut headers = serde_json::Map::new();
    headers.insert(MODEL_HEADER.into(), model);
    for h in &r.headers {
        headers.insert(h.name.clone(), header_match(h));
    }
    let mut matcher = json!({"headers": headers});
    if let Some(host) = &r.host {
        matcher["authority"] = json!({"regex": format!("{}(:[0-9]+)?", regex_escape(host))});
    }
    let mut route = json!({
        "name": format!("{}/{}", r.name, m.route_suffix()),
        "match": [matcher],
        "route": [{"destination": {"host": b.host, "port": {"number": b.endpoint.port}}}],
        "timeout": ROUTE_TIMEOUT,
    });
    if let Some(target) = &r.model_override {
        route["headers"] = json!({"request": {"set": {MODEL_OVERRIDE_HEADER: target}}});
    }
    route
}

/// Istio's StringMatch of a header; presence is a regex matching any value.
fn header_match(h: &HeaderMatch) -> Value {
    match (&h.exact, &h.prefix, &h.regex) {
        (Some(v), _, _) => json!({"exact": v}),
        (None, Some(v), _) => json!({"prefix": v}),
        (None, None, Some(v)) => json!({"regex": v}),
        (None, None, None) => json!({"regex": ".*"}),
    }
}

/// One EnvoyFilter: the listener buffer limit, translate (router role) and token-usage
/// before the router, and each backend's upstream filters on its cluster.
fn filters(config: &GatewayConfig, backends: &[MeshBackend<'_>], opts: &MeshOptions<'_>) -> Value {
    let settings = ModuleSettings {
        kind: config.module,
        dir: opts.modules_dir,
    };
    let mut patches = vec![json!({
        "applyTo": "LISTENER",
        "match": {"context": "GATEWAY"},
        "patch": {"operation": "MERGE", "value": {
            "per_connection_buffer_limit_bytes":
                config.limits.max_request_bytes + LISTENER_BUFFER_HEADROOM_BYTES,
        }},
    })];
    let downstream = [
        (FilterModule::Translate, router_translate_config(config)),
        (FilterModule::TokenUsage, token_usage_config(config)),
    ];
    for (module, filter_config) in downstream {
        patches.push(json!({
            "applyTo": "HTTP_FILTER",
            "match": {"context": "GATEWAY", "listener": {"filterChain": {"filter": {
                "name": "envoy.filters.network.http_connection_manager",
                "subFilter": {"name": "envoy.filters.http.router"},
            }}}},
            "patch": {
                "operation": "INSERT_BEFORE",
                "value": module_filter(&settings, module, &filter_config, &[]),
            },
        }));
    }
    for b in backends {
        let env_keys = env_vars(b.backend);
        let chain = upstream_filters(&settings, b.backend, &b.endpoint, &env_keys);
        patches.push(json!({
            "applyTo": "CLUSTER",
            "match": {"context": "GATEWAY", "cluster": {
                "service": b.host,
                "portNumber": b.endpoint.port,
            }},
            "patch": {"operation": "MERGE", "value": {"typed_extension_protocol_options": {
                "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
                    "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                    "explicit_http_config": {"http_protocol_options": {}},
                    "http_filters": chain,
                },
            }}},
        }));
    }
    json!({
        "apiVersion": ENVOY_FILTER_API,
        "kind": "EnvoyFilter",
        "metadata": metadata(&format!("{}-filters", opts.gateway), opts),
        "spec": {"workloadSelector": {"labels": selector()}, "configPatches": patches},
    })
}
