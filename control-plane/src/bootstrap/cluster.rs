//! One Envoy cluster per backend, with the upstream filter chain.

use serde_json::{Value, json};

use super::filters::{ModuleSettings, module_filter, upstream_codec};
use super::{GenerateOptions, cluster_name, socket_address_parts};
use crate::artifacts::FilterModule;
use crate::config::endpoint::Endpoint;
use crate::config::{Backend, GatewayConfig};

/// CA bundle used to verify https backends.
pub const CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";
/// Connect timeout of every backend cluster.
pub const CONNECT_TIMEOUT: &str = "10s";
/// Endpoint metadata namespace holding the backend name (`backend` key).
pub const ENDPOINT_METADATA_NAMESPACE: &str = "aigw";
/// Concurrent connections/requests per backend before Envoy sheds load (its default of
/// 1,024 is low for long-lived LLM streams).
pub const MAX_CONCURRENT: u64 = 10_000;

/// The cluster for `backend` (already validated, so its endpoint parses).
pub fn cluster(
    config: &GatewayConfig,
    opts: &GenerateOptions<'_>,
    backend: &Backend,
    endpoint: &Endpoint,
    env_keys: &[String],
) -> Value {
    let name = cluster_name(&backend.name);
    let settings = ModuleSettings {
        kind: config.module,
        dir: opts.modules_dir,
    };
    let mut cluster = json!({
        "name": name,
        "type": if endpoint.is_ip { "STATIC" } else { "LOGICAL_DNS" },
        "connect_timeout": CONNECT_TIMEOUT,
        "dns_lookup_family": "V4_PREFERRED",
        "circuit_breakers": {"thresholds": [{
            "max_connections": MAX_CONCURRENT,
            "max_pending_requests": MAX_CONCURRENT,
            "max_requests": MAX_CONCURRENT,
        }]},
        "load_assignment": {
            "cluster_name": name,
            "endpoints": [{"lb_endpoints": [{
                "endpoint": {"address": socket_address_parts(&endpoint.host, endpoint.port)},
                // Names the backend of an attempt on fallback routes (see fallback.rs).
                "metadata": {"filter_metadata": {ENDPOINT_METADATA_NAMESPACE: {"backend": backend.name}}},
            }]}],
        },
        "typed_extension_protocol_options": {
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
                "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                "explicit_http_config": {"http_protocol_options": {}},
                "http_filters": upstream_filters(&settings, backend, endpoint, env_keys),
            }
        },
    });
    if endpoint.tls {
        cluster["transport_socket"] = tls_socket(&endpoint.host);
    }
    cluster
}

/// The upstream filter chain of `backend`'s cluster: translate (backend role),
/// upstream-auth, then Envoy's upstream codec.
pub fn upstream_filters(
    settings: &ModuleSettings<'_>,
    backend: &Backend,
    endpoint: &Endpoint,
    env_keys: &[String],
) -> Vec<Value> {
    let translate = translate_config(backend, endpoint, None);
    let auth = super::auth::filter_config(backend, endpoint);
    vec![
        module_filter(settings, FilterModule::Translate, &translate, &[]),
        module_filter(settings, FilterModule::UpstreamAuth, &auth, env_keys),
        upstream_codec(),
    ]
}

/// The translate (backend role) config of `backend`, with a model override when given.
pub fn translate_config(
    backend: &Backend,
    endpoint: &Endpoint,
    model_override: Option<&str>,
) -> Value {
    let mut translate = json!({
        "role": "backend",
        "backend": backend.name,
        "schema": backend.schema.as_str(),
        "path_prefix": match backend.vertex_location_path() {
            Some(location) => format!("{}{location}", endpoint.path_prefix),
            None => endpoint.path_prefix.clone(),
        },
        "authority": endpoint.authority(),
    });
    if let Some(v) = &backend.azure_api_version {
        translate["azure_api_version"] = json!(v);
    }
    if let Some(model) = model_override {
        translate["model_override"] = json!(model);
    }
    translate
}

/// The cluster of a token endpoint (plain HTTP/1.1, TLS for https).
pub fn token_cluster(name: &str, endpoint: &Endpoint) -> Value {
    let mut cluster = json!({
        "name": name,
        "type": if endpoint.is_ip { "STATIC" } else { "LOGICAL_DNS" },
        "connect_timeout": CONNECT_TIMEOUT,
        "dns_lookup_family": "V4_PREFERRED",
        "load_assignment": {
            "cluster_name": name,
            "endpoints": [{"lb_endpoints": [{"endpoint": {
                "address": socket_address_parts(&endpoint.host, endpoint.port),
            }}]}],
        },
    });
    if endpoint.tls {
        cluster["transport_socket"] = tls_socket(&endpoint.host);
    }
    cluster
}

/// The cluster named `name` that a `jwks_uri` is fetched through (`field` names the URI in
/// errors).
pub fn jwks_cluster(name: &str, uri: &str, field: &str) -> Result<Value, String> {
    let endpoint = crate::config::endpoint::parse(uri).map_err(|e| format!("{field}: {e}"))?;
    Ok(token_cluster(name, &endpoint))
}

/// TLS to `host`: SNI, system CAs, and the certificate must name the host.
pub fn tls_socket(host: &str) -> Value {
    json!({
        "name": "envoy.transport_sockets.tls",
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext",
            "sni": host,
            "common_tls_context": {
                "validation_context": {
                    "trusted_ca": {"filename": CA_BUNDLE},
                    "match_typed_subject_alt_names": [{"san_type": "DNS", "matcher": {"exact": host}}],
                }
            }
        }
    })
}
