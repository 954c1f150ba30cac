use std::path::Path;

use serde_json::{Value, json};

use super::super::{GenerateOptions, generate};
use crate::config::{ModuleKind, from_yaml};

const CONFIG: &str = r#"
backends:
  - { name: openai, schema: OpenAI, endpoint: https://api.openai.com/v1, auth: { kind: bearer, key_env: OPENAI_API_KEY } }
routes:
  - { name: gpt, models: [gpt-4o], backend: openai }
mcp:
  session_key_env: FAKE_MCP_SESSION_KEY
  servers:
    - name: weather
      url: http://127.0.0.1:9001/mcp
      tools: { exclude: [secret] }
    - name: docs
      url: https://mcp.example.com/v1/mcp
      auth: { kind: header, header: x-api-key, key_env: FAKE_DOCS_KEY }
"#;

fn bootstrap(module: ModuleKind) -> Value {
    let mut config = from_yaml(CONFIG, Path::new("/")).unwrap();
    config.module = module;
    let opts = GenerateOptions {
        modules_dir: Path::new("/opt/aigw/modules"),
        access_log: Path::new("/var/log/aigw/access.log"),
    };
    generate(&config, &opts).unwrap()
}

fn http_filters(b: &Value) -> &Vec<Value> {
    b["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
        ["http_filters"]
        .as_array()
        .unwrap()
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
fn mcp_router_runs_before_the_router_with_its_config() {
    let b = bootstrap(ModuleKind::Native);
    let filters = http_filters(&b);
    let names: Vec<_> = filters
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "aigw_translate",
            "aigw_token_usage",
            "aigw_mcp_router",
            "envoy.filters.http.router"
        ]
    );
    let text = filters[2]["typed_config"]["filter_config"]["value"]
        .as_str()
        .unwrap();
    let config: Value = serde_json::from_str(text).unwrap();
    assert_eq!(
        config,
        json!({
            "path": "/mcp", "separator": "__", "session_key_env": "FAKE_MCP_SESSION_KEY",
            "callout_timeout_ms": 30000,
            "servers": [
                {"name": "weather", "cluster": "aigw-mcp-weather", "authority": "127.0.0.1:9001",
                 "path": "/mcp",
                 "tools": {"include": [], "include_regex": [], "exclude": ["secret"], "exclude_regex": []}},
                {"name": "docs", "cluster": "aigw-mcp-docs", "authority": "mcp.example.com",
                 "path": "/v1/mcp", "auth": {"kind": "header", "header": "x-api-key", "key_env": "FAKE_DOCS_KEY"},
                 "tools": {"include": [], "include_regex": [], "exclude": [], "exclude_regex": []}},
            ]
        })
    );
}

#[test]
fn each_mcp_server_gets_a_cluster() {
    let b = bootstrap(ModuleKind::Native);
    let weather = cluster(&b, "aigw-mcp-weather");
    assert_eq!(weather["type"], "STATIC");
    assert!(weather.get("transport_socket").is_none());
    let docs = cluster(&b, "aigw-mcp-docs");
    assert_eq!(docs["type"], "LOGICAL_DNS");
    assert_eq!(
        docs["transport_socket"]["typed_config"]["sni"],
        "mcp.example.com"
    );
}

#[test]
fn each_mcp_server_gets_a_route_on_the_routing_header_before_all_others() {
    let b = bootstrap(ModuleKind::Native);
    let routes = &b["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
        ["route_config"]["virtual_hosts"][0]["routes"];
    assert_eq!(
        routes[1],
        json!({
            "name": "mcp/docs",
            "match": {"path": "/mcp", "headers": [
                {"name": "x-aigw-mcp-server", "string_match": {"exact": "docs"}}]},
            "route": {"cluster": "aigw-mcp-docs", "prefix_rewrite": "/v1/mcp",
                      "host_rewrite_literal": "mcp.example.com", "timeout": "0s"},
            "request_headers_to_remove": ["x-aigw-mcp-server"],
        })
    );
    assert_eq!(routes[0]["route"]["cluster"], "aigw-mcp-weather");
    assert_eq!(routes[0]["route"]["prefix_rewrite"], "/mcp");
    assert!(
        routes.as_array().unwrap()[2..]
            .iter()
            .all(|r| !r["name"].as_str().unwrap().starts_with("mcp/")),
        "MCP routes come first"
    );
}

#[test]
fn the_wasm_vm_may_read_the_mcp_keys() {
    let b = bootstrap(ModuleKind::Wasm);
    let vm = &http_filters(&b)[2]["typed_config"]["config"]["vm_config"];
    assert_eq!(
        vm["environment_variables"]["host_env_keys"],
        json!(["FAKE_DOCS_KEY", "FAKE_MCP_SESSION_KEY"])
    );
}

#[test]
fn the_access_log_has_the_mcp_fields_for_both_kinds() {
    for (kind, want) in [
        (
            ModuleKind::Native,
            "%DYNAMIC_METADATA(io.envoy.ai_gateway:mcp_tool)%",
        ),
        (
            ModuleKind::Wasm,
            "%FILTER_STATE(wasm.io.envoy.ai_gateway.mcp_tool:PLAIN)%",
        ),
    ] {
        let b = bootstrap(kind);
        let filters = &b["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0];
        let format =
            &filters["typed_config"]["access_log"][0]["typed_config"]["log_format"]["json_format"];
        assert_eq!(format["mcp_tool"], want);
        for key in aigw_core::metadata::MCP_KEYS {
            assert!(format.get(key).is_some(), "{key}");
        }
    }
}

#[test]
fn a_jwks_uri_gets_its_cluster_and_the_filter_names_it() {
    let yaml = format!(
        "{CONFIG}  authorization:\n    resource: https://gw.example.com/mcp\n    \
         issuer: https://auth.example.com\n    jwks_uri: https://auth.example.com/keys\n    \
         rules: [{{name: r, allow: 'true'}}]\n"
    );
    let config = from_yaml(&yaml, Path::new("/")).unwrap();
    let opts = GenerateOptions {
        modules_dir: Path::new("/opt/aigw/modules"),
        access_log: Path::new("/var/log/aigw/access.log"),
    };
    let b = generate(&config, &opts).unwrap();
    let jwks = cluster(&b, "aigw-mcp-jwks");
    assert_eq!(jwks["type"], "LOGICAL_DNS");
    assert_eq!(
        jwks["transport_socket"]["typed_config"]["sni"],
        "auth.example.com"
    );
    let text = http_filters(&b)[2]["typed_config"]["filter_config"]["value"]
        .as_str()
        .unwrap();
    let filter: Value = serde_json::from_str(text).unwrap();
    let authz = &filter["authorization"];
    assert_eq!(authz["jwks_uri"], "https://auth.example.com/keys");
    assert_eq!(authz["jwks_cluster"], "aigw-mcp-jwks");
    assert!(authz.get("jwks").is_none() && authz.get("jwks_cache_seconds").is_none());
}
