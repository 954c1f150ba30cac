use std::path::Path;

use serde_json::Value;

use super::*;
use crate::config::from_yaml;

const CONFIG: &str = "backends:\n  - { name: oa, schema: OpenAI, endpoint: https://api.openai.com/v1, auth: { kind: bearer, key_env: FAKE_OPENAI_KEY } }\nroutes:\n  - { name: r, models: [gpt-4o], backend: oa, model_override: gpt-4o-2024 }\ncosts:\n  - { metadata_key: total, type: TotalToken }\n";

fn opts() -> MeshOptions<'static> {
    MeshOptions {
        namespace: "ns",
        gateway: "gw",
        port: 8080,
        modules_dir: Path::new("/opt/aigw/modules"),
        gateway_class: "eg",
        secret: "keys",
    }
}

fn find<'a>(docs: &'a [Value], kind: &str) -> &'a Value {
    docs.iter().find(|d| d["kind"] == kind).unwrap()
}

#[test]
fn istio_inserts_filters_before_the_router_and_upstream_chain_per_cluster() {
    let config = from_yaml(CONFIG, Path::new("/cfg")).unwrap();
    let docs = generate(Target::Istio, &config, &opts()).unwrap();
    let ef = find(&docs, "EnvoyFilter");
    let patches = ef["spec"]["configPatches"].as_array().unwrap();
    let names: Vec<&str> = patches
        .iter()
        .filter(|p| p["applyTo"] == "HTTP_FILTER")
        .map(|p| p["patch"]["value"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["aigw_translate", "aigw_token_usage"]);
    let cluster = patches.iter().find(|p| p["applyTo"] == "CLUSTER").unwrap();
    assert_eq!(cluster["match"]["cluster"]["service"], "api.openai.com");
    assert_eq!(cluster["match"]["cluster"]["portNumber"], 443);
    let chain = &cluster["patch"]["value"]["typed_extension_protocol_options"]["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]
        ["http_filters"];
    let chain: Vec<&str> = chain
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        chain,
        [
            "aigw_translate",
            "aigw_upstream_auth",
            "envoy.filters.http.upstream_codec"
        ]
    );
    let vs = find(&docs, "VirtualService");
    let route = &vs["spec"]["http"][0];
    assert_eq!(
        route["match"][0]["headers"]["x-ai-eg-model"]["exact"],
        "gpt-4o"
    );
    assert_eq!(
        route["headers"]["request"]["set"]["x-aigw-model-override"],
        "gpt-4o-2024"
    );
    let dr = find(&docs, "DestinationRule");
    assert_eq!(dr["spec"]["trafficPolicy"]["tls"]["mode"], "SIMPLE");
}

#[test]
fn envoy_gateway_registers_modules_and_takes_keys_from_the_secret() {
    let config = from_yaml(CONFIG, Path::new("/cfg")).unwrap();
    let docs = generate(Target::EnvoyGateway, &config, &opts()).unwrap();
    let proxy = find(&docs, "EnvoyProxy");
    assert_eq!(
        proxy["spec"]["dynamicModules"][0]["source"]["local"]["path"],
        "/opt/aigw/modules/libaigw_translate.so"
    );
    let env = proxy["spec"]["provider"]["kubernetes"]["envoyDeployment"]["container"]["env"]
        .as_array()
        .unwrap();
    let key = env.iter().find(|e| e["name"] == "FAKE_OPENAI_KEY").unwrap();
    assert_eq!(key["valueFrom"]["secretKeyRef"]["name"], "keys");
    let policy = find(&docs, "EnvoyExtensionPolicy");
    assert_eq!(
        policy["spec"]["dynamicModule"][0]["config"]["role"],
        "router"
    );
    let patch = &find(&docs, "EnvoyPatchPolicy")["spec"]["jsonPatches"][0];
    assert_eq!(patch["name"], "httproute/ns/gw-0/rule/0");
}

#[test]
fn mcp_section_is_refused_for_mesh_targets() {
    let yaml = format!(
        "{CONFIG}mcp:\n  session_key_env: FAKE_MCP_SESSION_KEY\n  servers:\n    - {{ name: s, url: http://127.0.0.1:9/mcp }}\n"
    );
    let config = from_yaml(&yaml, Path::new("/cfg")).unwrap();
    let err = generate(Target::Istio, &config, &opts()).unwrap_err();
    assert!(err.starts_with("mcp:"), "{err}");
}

#[test]
fn names_and_regexes_are_escaped() {
    assert_eq!(k8s_name("Tenant_A/gpt-4.1"), "tenant-a-gpt-4.1");
    assert_eq!(regex_escape("gpt-4.1+x"), "gpt-4\\.1\\+x");
}

#[test]
fn fallback_routes_are_refused_for_mesh_targets() {
    let yaml = CONFIG.replace(
        "backend: oa, model_override: gpt-4o-2024",
        "backends: [{ name: oa }, { name: oa2, priority: 1 }]",
    )
    .replace(
        "routes:",
        "  - { name: oa2, schema: OpenAI, endpoint: https://b.example/v1, auth: { kind: bearer, key_env: FAKE_OPENAI_KEY } }\nroutes:",
    );
    let config = from_yaml(&yaml, Path::new("/cfg")).unwrap();
    let err = generate(Target::EnvoyGateway, &config, &opts()).unwrap_err();
    assert!(
        err.starts_with("routes[0].backends: fallback routes"),
        "{err}"
    );
}
