//! Inference pool backends, per the Gateway API Inference Extension's endpoint picker
//! protocol: an `ext_proc` filter per pool (enabled only on that pool's routes) streams each
//! request's headers and body to the pool's endpoint picker (EPP), which answers the chosen
//! model server as the `x-gateway-destination-endpoint` request header and/or the dynamic
//! metadata `envoy.lb` / `x-gateway-destination-endpoint`; the pool's cluster is an
//! `ORIGINAL_DST` cluster that connects to that address (on the pool's target port).

use serde_json::{Value, json};

use super::cluster::{CONNECT_TIMEOUT, MAX_CONCURRENT, tls_socket, translate_config};
use super::filters::{ModuleSettings, module_filter, upstream_codec};
use super::{cluster_name, socket_address_parts};
use crate::artifacts::FilterModule;
use crate::config::endpoint::{self, Endpoint};
use crate::config::inference_pool::InferencePool;
use crate::config::{Backend, GatewayConfig, Route};

/// The request header the endpoint picker sets to the chosen `ip:port`.
pub const DESTINATION_HEADER: &str = "x-gateway-destination-endpoint";
/// The dynamic metadata namespace the endpoint picker writes the chosen endpoint to.
pub const METADATA_NAMESPACE: &str = "envoy.lb";
/// Time Envoy waits for each answer of the endpoint picker.
pub const MESSAGE_TIMEOUT: &str = "10s";
/// Name of the filter that removes a client-sent destination header.
pub const STRIP_FILTER: &str = "aigw-epp-strip-destination";
const EXT_PROC_TYPE: &str =
    "type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor";
const EXT_PROC_PER_ROUTE_TYPE: &str =
    "type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExtProcPerRoute";

/// The `ext_proc` filter name and the cluster name of `backend`'s endpoint picker.
pub fn epp_name(backend: &str) -> String {
    format!("aigw-epp-{backend}")
}

fn pools(config: &GatewayConfig) -> impl Iterator<Item = (&Backend, &InferencePool)> {
    config
        .backends
        .iter()
        .filter_map(|b| b.inference_pool.as_ref().map(|p| (b, p)))
}

/// Whether `config` has an inference pool backend.
pub fn any(config: &GatewayConfig) -> bool {
    pools(config).next().is_some()
}

/// The pool's cluster (`ORIGINAL_DST` on the picked address, with the upstream filter chain)
/// and its endpoint picker's cluster (HTTP/2). The config must have passed validation.
pub fn clusters(
    settings: &ModuleSettings<'_>,
    backend: &Backend,
    pool: &InferencePool,
    env_keys: &[String],
    at: &str,
) -> Result<Vec<Value>, String> {
    let epp = endpoint::parse(&pool.endpoint_picker)
        .map_err(|e| format!("{at}.inference_pool.endpoint_picker: {e}"))?;
    let name = cluster_name(&backend.name);
    // Upstream-auth reads the endpoint only for SigV4, which a pool (schema OpenAI) never uses.
    let servers = Endpoint {
        tls: false,
        host: backend.name.clone(),
        is_ip: false,
        port: pool.target_port,
        path_prefix: pool.path_prefix().to_string(),
    };
    let mut translate = translate_config(backend, &servers, None);
    // The client's authority is kept: model servers are addressed by IP.
    if let Some(o) = translate.as_object_mut() {
        o.remove("authority");
    }
    let auth = super::auth::filter_config(backend, &servers);
    let pool_cluster = json!({
        "name": name,
        "type": "ORIGINAL_DST",
        "lb_policy": "CLUSTER_PROVIDED",
        "connect_timeout": CONNECT_TIMEOUT,
        "original_dst_lb_config": {
            "use_http_header": true,
            "http_header_name": DESTINATION_HEADER,
            "metadata_key": {"key": METADATA_NAMESPACE, "path": [{"key": DESTINATION_HEADER}]},
            "upstream_port_override": pool.target_port,
        },
        "circuit_breakers": {"thresholds": [{
            "max_connections": MAX_CONCURRENT,
            "max_pending_requests": MAX_CONCURRENT,
            "max_requests": MAX_CONCURRENT,
        }]},
        "typed_extension_protocol_options": {
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
                "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                "explicit_http_config": {"http_protocol_options": {}},
                "http_filters": [
                    module_filter(settings, FilterModule::Translate, &translate, &[]),
                    module_filter(settings, FilterModule::UpstreamAuth, &auth, env_keys),
                    upstream_codec(),
                ],
            }
        },
    });
    let epp_cluster_name = epp_name(&backend.name);
    let mut epp_cluster = json!({
        "name": epp_cluster_name,
        "type": if epp.is_ip { "STATIC" } else { "LOGICAL_DNS" },
        "connect_timeout": CONNECT_TIMEOUT,
        "dns_lookup_family": "V4_PREFERRED",
        "load_assignment": {
            "cluster_name": epp_cluster_name,
            "endpoints": [{"lb_endpoints": [{"endpoint": {
                "address": socket_address_parts(&epp.host, epp.port),
            }}]}],
        },
        "typed_extension_protocol_options": {
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
                "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                "explicit_http_config": {"http2_protocol_options": {}},
            }
        },
    });
    if epp.tls {
        let mut tls = tls_socket(&epp.host);
        tls["typed_config"]["common_tls_context"]["alpn_protocols"] = json!(["h2"]);
        epp_cluster["transport_socket"] = tls;
    }
    Ok(vec![pool_cluster, epp_cluster])
}

/// The downstream filters of the pools, in order: first (before translate) the filter that
/// removes a client-sent destination header, so a client can never pick the address Envoy
/// connects to; then, before the router, one `ext_proc` filter per pool. Empty without pools.
pub fn filters(config: &GatewayConfig) -> (Option<Value>, Vec<Value>) {
    if !any(config) {
        return (None, Vec::new());
    }
    let strip = json!({
        "name": STRIP_FILTER,
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation",
            "mutations": {"request_mutations": [{"remove": DESTINATION_HEADER}]},
        },
    });
    let ext_procs = pools(config)
        .map(|(b, pool)| {
            let authority = endpoint::parse(&pool.endpoint_picker)
                .map(|e| e.authority())
                .unwrap_or_default();
            json!({
                "name": epp_name(&b.name),
                "typed_config": {
                    "@type": EXT_PROC_TYPE,
                    "grpc_service": {"envoy_grpc": {
                        "cluster_name": epp_name(&b.name),
                        "authority": authority,
                    }},
                    // Fail closed: without the picker there is no model server to go to.
                    "failure_mode_allow": false,
                    "status_on_error": {"code": "ServiceUnavailable"},
                    "message_timeout": MESSAGE_TIMEOUT,
                    // The protocol's streaming mode, as endpoint pickers implement it.
                    "processing_mode": {
                        "request_header_mode": "SEND",
                        "response_header_mode": "SEND",
                        "request_body_mode": "FULL_DUPLEX_STREAMED",
                        "response_body_mode": "FULL_DUPLEX_STREAMED",
                        "request_trailer_mode": "SEND",
                        "response_trailer_mode": "SEND",
                    },
                    "metadata_options": {"receiving_namespaces": {"untyped": [METADATA_NAMESPACE]}},
                },
            })
        })
        .collect();
    (Some(strip), ext_procs)
}

/// The virtual host's per-filter configs: every pool's `ext_proc` disabled (each pool's
/// routes enable their own). `None` without pools.
pub fn virtual_host_configs(config: &GatewayConfig) -> Option<Value> {
    if !any(config) {
        return None;
    }
    let disabled: serde_json::Map<String, Value> = pools(config)
        .map(|(b, _)| {
            let config = json!({"@type": EXT_PROC_PER_ROUTE_TYPE, "disabled": true});
            (epp_name(&b.name), config)
        })
        .collect();
    Some(Value::Object(disabled))
}

/// The per-filter config enabling the `ext_proc` filter of route `r`'s backend when that
/// is an inference pool: (filter name, config).
pub fn route_config(config: &GatewayConfig, r: &Route) -> Option<(String, Value)> {
    let backend = config.backends.iter().find(|b| b.name == r.backend)?;
    backend.inference_pool.as_ref()?;
    Some((
        epp_name(&backend.name),
        json!({"@type": EXT_PROC_PER_ROUTE_TYPE, "overrides": {}}),
    ))
}

/// The local reply mapper for the pools' `ext_proc` errors (picker down, timed out, broken
/// stream): a 503 in the OpenAI error shape.
pub fn error_mapper() -> Value {
    json!({
        "filter": super::rate_limit::cel_filter(
            "response.code_details.startsWith('ext_proc_error')".to_string()
        ),
        "status_code": 503,
        "body_format_override": {
            "json_format": {"error": {
                "message": "The endpoint picker of the inference pool did not answer; no model server was chosen.",
                "type": "server_error",
                "param": null,
                "code": "endpoint_picker_unavailable",
            }},
            "content_type": "application/json",
        },
    })
}

#[cfg(test)]
#[path = "inference_pool_tests.rs"]
mod tests;
