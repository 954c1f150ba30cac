//! Tests of the generated inference pool resources.

use std::path::Path;

use serde_json::{Value, json};

use super::*;
use crate::bootstrap::{GenerateOptions, generate, resources};
use crate::config::{ModuleKind, from_yaml};

const CONFIG: &str = r#"
rate_limits:
  service: 127.0.0.1:8081
  limits:
    - { name: per-model, window: minute, budget_tokens: 1000, key: { model: true } }
backends:
  - name: llama
    schema: OpenAI
    inference_pool: { endpoint_picker: "https://epp.pools.svc:9002", target_port: 8000 }
    auth: { kind: bearer, key_env: POOL_KEY }
  - name: openai
    schema: OpenAI
    endpoint: https://api.openai.com/v1
    auth: { kind: bearer, key_env: OPENAI_API_KEY }
routes:
  - { name: self-hosted, models: [llama-3], backend: llama, model_override: meta-llama/Llama-3.1-8B }
  - { name: gpt, models: [gpt-4o], backend: openai }
"#;

fn config() -> crate::config::GatewayConfig {
    let config = from_yaml(CONFIG, Path::new("/")).unwrap();
    assert_eq!(crate::config::check(&config), Ok(()));
    config
}

fn opts() -> GenerateOptions<'static> {
    GenerateOptions {
        modules_dir: Path::new("/opt/aigw/modules"),
        access_log: Path::new("/var/log/aigw/access.log"),
    }
}

fn cluster<'a>(b: &'a Value, name: &str) -> &'a Value {
    b["static_resources"]["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no cluster {name}"))
}

#[test]
fn the_pool_cluster_connects_to_the_picked_endpoint_on_the_target_port() {
    let b = generate(&config(), &opts()).unwrap();
    let pool = cluster(&b, "aigw-backend-llama");
    assert_eq!(pool["type"], "ORIGINAL_DST");
    assert_eq!(pool["lb_policy"], "CLUSTER_PROVIDED");
    assert_eq!(
        pool["original_dst_lb_config"],
        json!({
            "use_http_header": true,
            "http_header_name": "x-gateway-destination-endpoint",
            "metadata_key": {"key": "envoy.lb", "path": [{"key": "x-gateway-destination-endpoint"}]},
            "upstream_port_override": 8000,
        })
    );
    assert!(pool.get("load_assignment").is_none());
    let chain = &pool["typed_extension_protocol_options"]["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]
        ["http_filters"];
    let translate: Value = serde_json::from_str(
        chain[0]["typed_config"]["filter_config"]["value"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(translate["path_prefix"], "/v1");
    assert_eq!(translate["schema"], "OpenAI");
    assert!(translate.get("authority").is_none(), "{translate}");
    assert_eq!(chain[2]["name"], "envoy.filters.http.upstream_codec");

    let epp = cluster(&b, "aigw-epp-llama");
    assert_eq!(epp["type"], "LOGICAL_DNS");
    let protocol = &epp["typed_extension_protocol_options"]["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"];
    assert_eq!(
        protocol["explicit_http_config"],
        json!({"http2_protocol_options": {}})
    );
    let tls = &epp["transport_socket"]["typed_config"];
    assert_eq!(tls["sni"], "epp.pools.svc");
    assert_eq!(tls["common_tls_context"]["alpn_protocols"], json!(["h2"]));
}

#[test]
fn ext_proc_runs_on_the_pool_routes_only() {
    let b = generate(&config(), &opts()).unwrap();
    let hcm =
        &b["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"];
    let names: Vec<&str> = hcm["http_filters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.first(), Some(&STRIP_FILTER));
    let n = names.len();
    assert_eq!(
        &names[n - 2..],
        ["aigw-epp-llama", "envoy.filters.http.router"]
    );
    let ext_proc = &hcm["http_filters"][n - 2]["typed_config"];
    assert_eq!(
        ext_proc["grpc_service"]["envoy_grpc"]["authority"],
        "epp.pools.svc:9002"
    );
    assert_eq!(ext_proc["failure_mode_allow"], false);
    assert_eq!(
        ext_proc["processing_mode"]["request_body_mode"],
        "FULL_DUPLEX_STREAMED"
    );
    assert_eq!(
        ext_proc["metadata_options"]["receiving_namespaces"]["untyped"],
        json!(["envoy.lb"])
    );

    let vhost = &hcm["route_config"]["virtual_hosts"][0];
    assert_eq!(
        vhost["typed_per_filter_config"]["aigw-epp-llama"]["disabled"],
        true
    );
    let routes = vhost["routes"].as_array().unwrap();
    let route = |name: &str| routes.iter().find(|r| r["name"] == name).unwrap();
    let pool_route = &route("self-hosted/llama-3")["typed_per_filter_config"];
    assert_eq!(pool_route["aigw-epp-llama"]["overrides"], json!({}));
    assert!(
        pool_route.get("envoy.filters.http.ratelimit").is_some(),
        "{pool_route}"
    );
    assert!(
        route("gpt/gpt-4o")["typed_per_filter_config"]
            .get("aigw-epp-llama")
            .is_none()
    );

    let mappers = hcm["local_reply_config"]["mappers"].as_array().unwrap();
    assert!(mappers.iter().any(
        |m| m["body_format_override"]["json_format"]["error"]["code"]
            == "endpoint_picker_unavailable"
    ));
}

#[test]
fn without_pools_nothing_is_added() {
    let mut config = config();
    config.backends.remove(0);
    config.routes.remove(0);
    let b = generate(&config, &opts()).unwrap().to_string();
    for absent in [
        "ext_proc",
        STRIP_FILTER,
        "typed_per_filter_config\":{\"aigw-epp",
    ] {
        assert!(!b.contains(absent), "{absent}");
    }
}

#[test]
fn the_xds_snapshot_encodes_the_pool_resources() {
    for module in [ModuleKind::Native, ModuleKind::Wasm] {
        let mut config = config();
        config.module = module;
        let snapshot =
            crate::xds::resources::snapshot(resources(&config, &opts()).unwrap()).unwrap();
        let clusters = snapshot.select(
            &crate::xds::encode::type_url(crate::xds::resources::CLUSTER),
            &[],
        );
        let names: Vec<&str> = clusters.iter().map(|(n, _)| *n).collect();
        assert!(names.contains(&"aigw-backend-llama"), "{names:?}");
        assert!(names.contains(&"aigw-epp-llama"), "{names:?}");
    }
}
