//! Envoy Gateway resources for a Gateway running the aigw filters as native dynamic modules.
//!
//! The modules are registered in an `EnvoyProxy` (loaded from the proxy container's file
//! system); an `EnvoyExtensionPolicy` puts translate (router role) and token-usage into the
//! Gateway's filter chain; Envoy Gateway has no API for custom upstream filters, so an
//! `EnvoyPatchPolicy` adds each backend's upstream filter chain to the cluster Envoy Gateway
//! creates for every `HTTPRoute` rule (`httproute/<namespace>/<route>/rule/<index>`).
//! Wasm is refused: Envoy Gateway's wasm extension cannot set
//! `allow_on_headers_stop_iteration`, without which a filter that reads the body hangs.

use aigw_core::headers::{MODEL as MODEL_HEADER, MODEL_OVERRIDE as MODEL_OVERRIDE_HEADER};
use serde_json::{Value, json};

use super::backend::{self, MeshBackend};
use super::{MeshOptions, k8s_name, metadata, regex_escape};
use crate::artifacts::FilterModule;
use crate::bootstrap::auth::env_vars;
use crate::bootstrap::cluster::upstream_filters;
use crate::bootstrap::filters::ModuleSettings;
use crate::bootstrap::listener::{
    LISTENER_BUFFER_HEADROOM_BYTES, model_not_found_body, router_translate_config,
    token_usage_config,
};
use crate::bootstrap::routes::{ModelMatch, ROUTE_TIMEOUT, model_matchers};
use crate::config::route_match::HeaderMatch;
use crate::config::{GatewayConfig, ModuleKind, Route};

const EG_API: &str = "gateway.envoyproxy.io/v1alpha1";
const EG_GROUP: &str = "gateway.envoyproxy.io";
const GATEWAY_API: &str = "gateway.networking.k8s.io/v1";
const GATEWAY_GROUP: &str = "gateway.networking.k8s.io";
/// Most rules one HTTPRoute may have (Gateway API limit); more go into further HTTPRoutes.
const MAX_RULES: usize = 16;

/// Every Envoy Gateway resource for `config`.
pub fn manifests(config: &GatewayConfig, opts: &MeshOptions<'_>) -> Result<Vec<Value>, String> {
    if config.module != ModuleKind::Native {
        return Err(
            "module: --target envoy-gateway needs native modules (--module native): \
             Envoy Gateway's wasm extension cannot set allow_on_headers_stop_iteration, \
             which the filters need to read request bodies"
                .into(),
        );
    }
    let backends = backend::backends(config)?;
    let mut out = vec![
        envoy_proxy(&backends, opts),
        gateway(opts),
        client_traffic_policy(config, opts),
    ];
    out.extend(backends.iter().map(|b| backend_resource(b, opts)));
    let (routes, patches) = http_routes(config, &backends, opts)?;
    out.extend(routes);
    out.push(not_found_filter(opts));
    out.push(extension_policy(config, opts));
    out.push(patch_policy(patches, opts));
    Ok(out)
}

/// Envoy Gateway's name of a module (`aigw-translate`).
fn module_name(module: FilterModule) -> String {
    module.name().replace('_', "-")
}

fn gateway_ref(opts: &MeshOptions<'_>) -> Value {
    json!({"group": GATEWAY_GROUP, "kind": "Gateway", "name": opts.gateway})
}

/// The module registry, and the proxy's environment: where modules loaded by name (the
/// patched upstream filters) are found, and each provider key from the Secret.
fn envoy_proxy(backends: &[MeshBackend<'_>], opts: &MeshOptions<'_>) -> Value {
    let modules: Vec<Value> = FilterModule::ALL
        .iter()
        .map(|m| {
            json!({
                "name": module_name(*m),
                "source": {"type": "Local", "local": {
                    "path": m.path(ModuleKind::Native, opts.modules_dir),
                }},
            })
        })
        .collect();
    let mut env = vec![json!({
        "name": "ENVOY_DYNAMIC_MODULES_SEARCH_PATH",
        "value": opts.modules_dir.display().to_string(),
    })];
    let mut vars: Vec<String> = backends.iter().flat_map(|b| env_vars(b.backend)).collect();
    vars.sort();
    vars.dedup();
    env.extend(vars.iter().map(
        |v| json!({"name": v, "valueFrom": {"secretKeyRef": {"name": opts.secret, "key": v}}}),
    ));
    json!({
        "apiVersion": EG_API,
        "kind": "EnvoyProxy",
        "metadata": metadata(opts.gateway, opts),
        "spec": {
            "dynamicModules": modules,
            "provider": {"type": "Kubernetes", "kubernetes": {
                "envoyDeployment": {"container": {"env": env}},
            }},
        },
    })
}

fn gateway(opts: &MeshOptions<'_>) -> Value {
    json!({
        "apiVersion": GATEWAY_API,
        "kind": "Gateway",
        "metadata": metadata(opts.gateway, opts),
        "spec": {
            "gatewayClassName": opts.gateway_class,
            "infrastructure": {"parametersRef": {
                "group": EG_GROUP, "kind": "EnvoyProxy", "name": opts.gateway,
            }},
            "listeners": [{"name": "http", "protocol": "HTTP", "port": opts.port}],
        },
    })
}

/// Raises the per-connection buffer limit (Envoy Gateway's default is 32 KiB) above the
/// largest request body translate buffers.
fn client_traffic_policy(config: &GatewayConfig, opts: &MeshOptions<'_>) -> Value {
    let buffer_limit = config.limits.max_request_bytes + LISTENER_BUFFER_HEADROOM_BYTES;
    json!({
        "apiVersion": EG_API,
        "kind": "ClientTrafficPolicy",
        "metadata": metadata(opts.gateway, opts),
        "spec": {
            "targetRefs": [gateway_ref(opts)],
            "connection": {"bufferLimit": buffer_limit},
        },
    })
}

fn backend_resource(b: &MeshBackend<'_>, opts: &MeshOptions<'_>) -> Value {
    let endpoint = if b.endpoint.is_ip {
        json!({"ip": {"address": b.endpoint.host, "port": b.endpoint.port}})
    } else {
        json!({"fqdn": {"hostname": b.host, "port": b.endpoint.port}})
    };
    let mut spec = json!({"endpoints": [endpoint]});
    if b.endpoint.tls {
        spec["tls"] = json!({"sni": b.endpoint.host, "wellKnownCACertificates": "System"});
    }
    json!({
        "apiVersion": EG_API,
        "kind": "Backend",
        "metadata": metadata(&backend_name(b), opts),
        "spec": spec,
    })
}

fn backend_name(b: &MeshBackend<'_>) -> String {
    k8s_name(&format!("aigw-backend-{}", b.backend.name))
}

/// One rule of an HTTPRoute, with the backend whose upstream filters its cluster gets.
struct Rule<'a> {
    rule: Value,
    host: Option<&'a str>,
    backend: Option<&'a MeshBackend<'a>>,
}

/// HTTPRoutes holding one rule per model matcher (match order kept: rule order breaks ties
/// between equally specific matches), and the cluster patches of their rules. Routes with a
/// `host` go into HTTPRoutes of that hostname.
fn http_routes<'a>(
    config: &'a GatewayConfig,
    backends: &'a [MeshBackend<'a>],
    opts: &MeshOptions<'_>,
) -> Result<(Vec<Value>, Vec<Value>), String> {
    let mut rules = Vec::new();
    for (r, m) in model_matchers(config) {
        let b = backend::find(backends, &r.backend)?;
        rules.push(Rule {
            rule: model_rule(r, m, b),
            host: r.host.as_deref(),
            backend: Some(b),
        });
    }
    rules.push(Rule {
        rule: json!({
            "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
            "filters": [{"type": "ExtensionRef", "extensionRef": {
                "group": EG_GROUP, "kind": "HTTPRouteFilter", "name": not_found_name(opts),
            }}],
        }),
        host: None,
        backend: None,
    });
    let mut hosts: Vec<Option<&str>> = Vec::new();
    for r in &rules {
        if !hosts.contains(&r.host) {
            hosts.push(r.host);
        }
    }
    let mut routes = Vec::new();
    let mut patches = Vec::new();
    for host in hosts {
        let of_host: Vec<&Rule<'_>> = rules.iter().filter(|r| r.host == host).collect();
        for chunk in of_host.chunks(MAX_RULES) {
            let name = format!("{}-{}", opts.gateway, routes.len());
            for (i, r) in chunk.iter().enumerate() {
                if let Some(b) = r.backend {
                    patches.push(cluster_patch(&name, i, b, config, opts));
                }
            }
            let mut spec = json!({
                "parentRefs": [{"group": GATEWAY_GROUP, "kind": "Gateway", "name": opts.gateway}],
                "rules": chunk.iter().map(|r| r.rule.clone()).collect::<Vec<_>>(),
            });
            if let Some(h) = host {
                spec["hostnames"] = json!([h]);
            }
            routes.push(json!({
                "apiVersion": GATEWAY_API,
                "kind": "HTTPRoute",
                "metadata": metadata(&name, opts),
                "spec": spec,
            }));
        }
    }
    Ok((routes, patches))
}

fn model_rule(r: &Route, m: ModelMatch<'_>, b: &MeshBackend<'_>) -> Value {
    let model = match m {
        ModelMatch::Exact(v) => ("Exact", v.to_string()),
        ModelMatch::Prefix(v) => ("RegularExpression", format!("{}.*", regex_escape(v))),
        ModelMatch::Regex(v) => ("RegularExpression", v.to_string()),
    };
    let mut headers = vec![json!({"type": model.0, "name": MODEL_HEADER, "value": model.1})];
    headers.extend(r.headers.iter().map(header_match));
    let mut rule = json!({
        "name": rule_name(r, m),
        "matches": [{"path": {"type": "PathPrefix", "value": "/"}, "headers": headers}],
        "backendRefs": [{"group": EG_GROUP, "kind": "Backend", "name": backend_name(b)}],
        "timeouts": {"request": ROUTE_TIMEOUT},
    });
    if let Some(target) = &r.model_override {
        rule["filters"] = json!([{"type": "RequestHeaderModifier", "requestHeaderModifier": {
            "set": [{"name": MODEL_OVERRIDE_HEADER, "value": target}],
        }}]);
    }
    rule
}

fn rule_name(r: &Route, m: ModelMatch<'_>) -> String {
    k8s_name(&format!("{}-{}", r.name, m.route_suffix()))
}

/// Gateway API header match; prefix and presence become regular expressions.
fn header_match(h: &HeaderMatch) -> Value {
    let (kind, value) = match (&h.exact, &h.prefix, &h.regex) {
        (Some(v), _, _) => ("Exact", v.clone()),
        (None, Some(v), _) => ("RegularExpression", format!("{}.*", regex_escape(v))),
        (None, None, Some(v)) => ("RegularExpression", v.clone()),
        (None, None, None) => ("RegularExpression", ".*".to_string()),
    };
    json!({"type": kind, "name": h.name, "value": value})
}

fn not_found_name(opts: &MeshOptions<'_>) -> String {
    format!("{}-model-not-found", opts.gateway)
}

/// The OpenAI 404 for requests no model rule matched.
fn not_found_filter(opts: &MeshOptions<'_>) -> Value {
    json!({
        "apiVersion": EG_API,
        "kind": "HTTPRouteFilter",
        "metadata": metadata(&not_found_name(opts), opts),
        "spec": {"directResponse": {
            "contentType": "application/json",
            "statusCode": 404,
            "body": {"type": "Inline", "inline": model_not_found_body()},
        }},
    })
}

/// translate (router role) and token-usage on every route of the Gateway.
fn extension_policy(config: &GatewayConfig, opts: &MeshOptions<'_>) -> Value {
    let modules = [
        (FilterModule::Translate, router_translate_config(config)),
        (FilterModule::TokenUsage, token_usage_config(config)),
    ];
    let dynamic: Vec<Value> = modules
        .into_iter()
        .map(|(m, c)| json!({"name": module_name(m), "filterName": m.name(), "config": c}))
        .collect();
    json!({
        "apiVersion": EG_API,
        "kind": "EnvoyExtensionPolicy",
        "metadata": metadata(opts.gateway, opts),
        "spec": {"targetRefs": [gateway_ref(opts)], "dynamicModule": dynamic},
    })
}

/// Sets the upstream filter chain of the cluster of rule `index` of HTTPRoute `route`.
fn cluster_patch(
    route: &str,
    index: usize,
    b: &MeshBackend<'_>,
    config: &GatewayConfig,
    opts: &MeshOptions<'_>,
) -> Value {
    let settings = ModuleSettings {
        kind: config.module,
        dir: opts.modules_dir,
    };
    let chain = upstream_filters(&settings, b.backend, &b.endpoint, &[]);
    json!({
        "type": "type.googleapis.com/envoy.config.cluster.v3.Cluster",
        "name": format!("httproute/{}/{route}/rule/{index}", opts.namespace),
        "operation": {
            "op": "add",
            "path": "/typed_extension_protocol_options",
            "value": {"envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
                "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                "explicit_http_config": {"http_protocol_options": {}},
                "http_filters": chain,
            }},
        },
    })
}

fn patch_policy(patches: Vec<Value>, opts: &MeshOptions<'_>) -> Value {
    json!({
        "apiVersion": EG_API,
        "kind": "EnvoyPatchPolicy",
        "metadata": metadata(&format!("{}-upstream-filters", opts.gateway), opts),
        "spec": {"targetRef": gateway_ref(opts), "type": "JSONPatch", "jsonPatches": patches},
    })
}
