//! Golden-ish checks of the generated bootstrap for both artifact kinds.

use std::path::Path;

use serde_json::{Value, json};

use super::*;
use crate::config::from_yaml;

const CONFIG: &str = r#"
listen: 127.0.0.1:21975
admin: 127.0.0.1:29901
backends:
  - name: openai
    schema: OpenAI
    endpoint: https://api.openai.com/v1
    auth: { kind: bearer, key_env: OPENAI_API_KEY }
  - name: azure
    schema: AzureOpenAI
    endpoint: https://my.openai.azure.com
    azure_api_version: 2024-10-21
    auth: { kind: azure_api_key, key_env: AZURE_OPENAI_API_KEY }
  - name: local
    schema: OpenAI
    endpoint: http://127.0.0.1:8080
    auth: { kind: bearer, key_file: /run/keys/local }
routes:
  - name: gpt
    models: [gpt-4o-mini, gpt-4o]
    backend: openai
  - name: az
    models: [az-model]
    backend: azure
    model_override: deployment-1
    costs:
      - { metadata_key: usd_micros, type: CEL, cel: "input_tokens * 3 + output_tokens * 12" }
costs:
  - { metadata_key: llm_total_token, type: TotalToken }
"#;

fn bootstrap(module: ModuleKind) -> Value {
    let mut config = from_yaml(CONFIG, Path::new("/")).unwrap();
    config.module = module;
    if module == ModuleKind::Wasm {
        // proxy-wasm cannot read key files.
        config.backends[2].auth.key_file = None;
        config.backends[2].auth.key_env = Some("LOCAL_API_KEY".into());
    }
    assert_eq!(crate::config::check(&config), Ok(()));
    let opts = GenerateOptions {
        modules_dir: Path::new("/opt/aigw/modules"),
        access_log: Path::new("/var/log/aigw/access.log"),
    };
    generate(&config, &opts).unwrap()
}

fn hcm(b: &Value) -> &Value {
    &b["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
}

fn cluster<'a>(b: &'a Value, name: &str) -> &'a Value {
    b["static_resources"]["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no cluster {name}"))
}

fn upstream_filters(c: &Value) -> &Vec<Value> {
    c["typed_extension_protocol_options"]["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]
        ["http_filters"]
        .as_array()
        .unwrap()
}

/// The JSON filter config carried by a module filter entry of either kind.
fn filter_config(f: &Value) -> Value {
    let tc = &f["typed_config"];
    let sv = if tc["filter_config"].is_object() {
        &tc["filter_config"]
    } else {
        &tc["config"]["configuration"]
    };
    assert_eq!(
        sv["@type"],
        "type.googleapis.com/google.protobuf.StringValue"
    );
    serde_json::from_str(sv["value"].as_str().unwrap()).unwrap()
}

fn names(filters: &[Value]) -> Vec<&str> {
    filters
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect()
}

#[test]
fn top_level() {
    let b = bootstrap(ModuleKind::Native);
    assert_eq!(b["stats_flush_interval"], "1s");
    let monitor = &b["overload_manager"]["resource_monitors"][0];
    assert_eq!(
        monitor["name"],
        "envoy.resource_monitors.global_downstream_max_connections"
    );
    assert_eq!(
        monitor["typed_config"]["max_active_downstream_connections"],
        50_000
    );
    assert_eq!(
        b["admin"]["address"]["socket_address"],
        json!({"address": "127.0.0.1", "port_value": 29901})
    );
    let l = &b["static_resources"]["listeners"][0];
    assert_eq!(l["address"]["socket_address"]["port_value"], 21975);
    assert_eq!(l["per_connection_buffer_limit_bytes"], 5 * 1024 * 1024);
    assert!(
        b.get("stats_config").is_none(),
        "native needs no stats tags"
    );
}

#[test]
fn downstream_chain_native() {
    let b = bootstrap(ModuleKind::Native);
    let h = hcm(&b);
    assert_eq!(h["codec_type"], "AUTO");
    assert_eq!(h["stream_idle_timeout"], "300s");
    let filters = h["http_filters"].as_array().unwrap();
    assert_eq!(
        names(filters),
        [
            "aigw_translate",
            "aigw_token_usage",
            "envoy.filters.http.router"
        ]
    );
    let t = &filters[0]["typed_config"];
    assert_eq!(
        t["@type"],
        "type.googleapis.com/envoy.extensions.filters.http.dynamic_modules.v3.DynamicModuleFilter"
    );
    assert_eq!(t["dynamic_module_config"]["name"], "aigw_translate");
    assert_eq!(t["filter_name"], "aigw_translate");
    assert_eq!(
        filter_config(&filters[0]),
        json!({"role": "router", "force_include_usage": true, "max_request_bytes": 4194304,
        "max_messages": 4096, "max_tools": 128, "models_created": 1735689600, "models": [
            {"id": "gpt-4o-mini", "owned_by": "openai"},
            {"id": "gpt-4o", "owned_by": "openai"},
            {"id": "az-model", "owned_by": "azure"},
        ]})
    );
    assert_eq!(
        filter_config(&filters[1]),
        json!({"costs": [{"metadata_key": "llm_total_token", "type": "TotalToken"}],
            "route_costs": {"az": [{"metadata_key": "usd_micros", "type": "CEL",
                "cel": "input_tokens * 3 + output_tokens * 12"}]}})
    );
}

#[test]
fn routes_per_model_then_not_found() {
    let b = bootstrap(ModuleKind::Native);
    let routes = hcm(&b)["route_config"]["virtual_hosts"][0]["routes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(routes.len(), 3 + 3 + 2);
    assert_eq!(
        routes[1]["match"],
        json!({"prefix": "/", "headers": [{"name": "x-ai-eg-model", "string_match": {"exact": "gpt-4o"}}]})
    );
    assert_eq!(
        routes[1]["route"],
        json!({"cluster": "aigw-backend-openai", "timeout": "300s"})
    );
    assert!(routes[1].get("request_headers_to_add").is_none());
    assert_eq!(
        routes[2]["request_headers_to_add"][0]["header"],
        json!({"key": "x-aigw-model-override", "value": "deployment-1"})
    );
    for (i, name) in [(1, "gpt"), (2, "az")] {
        assert_eq!(
            routes[i]["response_headers_to_add"],
            json!([{"header": {"key": "x-aigw-route", "value": name},
                "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"}])
        );
    }
    let paths: Vec<&Value> = routes[3..].iter().map(|r| &r["match"]["path"]).collect();
    assert_eq!(
        paths,
        [
            "/v1/chat/completions",
            "/v1/completions",
            "/v1/embeddings",
            "/anthropic/v1/messages",
            "/anthropic/v1/messages/count_tokens"
        ]
    );
    let dr = &routes[3]["direct_response"];
    assert_eq!(dr["status"], 404);
    let body: Value = serde_json::from_str(dr["body"]["inline_string"].as_str().unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "model_not_found");
    assert_eq!(body["error"]["type"], "invalid_request_error");
}

#[test]
fn https_cluster() {
    let b = bootstrap(ModuleKind::Native);
    let c = cluster(&b, "aigw-backend-openai");
    assert_eq!(c["type"], "LOGICAL_DNS");
    assert_eq!(
        c["circuit_breakers"]["thresholds"][0]["max_requests"],
        10_000
    );
    assert_eq!(
        c["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]["address"]["socket_address"],
        json!({"address": "api.openai.com", "port_value": 443})
    );
    let tls = &c["transport_socket"]["typed_config"];
    assert_eq!(tls["sni"], "api.openai.com");
    let v = &tls["common_tls_context"]["validation_context"];
    assert_eq!(
        v["trusted_ca"]["filename"],
        "/etc/ssl/certs/ca-certificates.crt"
    );
    assert_eq!(
        v["match_typed_subject_alt_names"][0]["matcher"]["exact"],
        "api.openai.com"
    );
    let filters = upstream_filters(c);
    assert_eq!(
        names(filters),
        [
            "aigw_translate",
            "aigw_upstream_auth",
            "envoy.filters.http.upstream_codec"
        ]
    );
    assert_eq!(
        filter_config(&filters[0]),
        json!({"role": "backend", "backend": "openai", "schema": "OpenAI", "path_prefix": "/v1", "authority": "api.openai.com"})
    );
    assert_eq!(
        filter_config(&filters[1]),
        json!({"backend": "openai", "kind": "bearer", "key_env": "OPENAI_API_KEY"})
    );
}

#[test]
fn azure_and_plain_http_clusters() {
    let b = bootstrap(ModuleKind::Native);
    let az = cluster(&b, "aigw-backend-azure");
    assert_eq!(
        filter_config(&upstream_filters(az)[0]),
        json!({"role": "backend", "backend": "azure", "schema": "AzureOpenAI", "path_prefix": "", "azure_api_version": "2024-10-21", "authority": "my.openai.azure.com"})
    );
    let local = cluster(&b, "aigw-backend-local");
    assert_eq!(local["type"], "STATIC");
    assert!(local.get("transport_socket").is_none());
    assert_eq!(
        filter_config(&upstream_filters(local)[1]),
        json!({"backend": "local", "kind": "bearer", "key_file": "/run/keys/local"})
    );
}

#[test]
fn wasm_filters_and_env_keys() {
    let b = bootstrap(ModuleKind::Wasm);
    let filters = hcm(&b)["http_filters"].as_array().unwrap();
    let tc = &filters[0]["typed_config"];
    assert_eq!(
        tc["@type"],
        "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm"
    );
    let plugin = &tc["config"];
    assert_eq!(plugin["allow_on_headers_stop_iteration"], true);
    assert_eq!(plugin["failure_policy"], "FAIL_RELOAD");
    assert_eq!(plugin["vm_config"]["runtime"], "envoy.wasm.runtime.v8");
    assert_eq!(
        plugin["vm_config"]["code"]["local"]["filename"],
        "/opt/aigw/modules/aigw_translate.wasm"
    );
    assert_eq!(filter_config(&filters[0])["role"], "router");
    let auth = &upstream_filters(cluster(&b, "aigw-backend-openai"))[1]["typed_config"]["config"];
    assert_eq!(
        auth["vm_config"]["environment_variables"]["host_env_keys"],
        json!(["AZURE_OPENAI_API_KEY", "LOCAL_API_KEY", "OPENAI_API_KEY"])
    );
}

#[test]
fn wasm_stats_tags() {
    let b = bootstrap(ModuleKind::Wasm);
    let tags = b["stats_config"]["stats_tags"].as_array().unwrap();
    assert_eq!(
        tags.len(),
        TOKEN_USAGE_LABELS.len() + MCP_OPERATION_LABELS.len() + 2
    );
    assert_eq!(
        tags[4],
        json!({"tag_name": "gen_ai_token_type", "regex": "(;gen_ai_token_type=([^;]*))"})
    );
}

#[test]
fn access_log_per_kind() {
    for (kind, want) in [
        (
            ModuleKind::Native,
            "%DYNAMIC_METADATA(io.envoy.ai_gateway:input_tokens)%",
        ),
        (
            ModuleKind::Wasm,
            "%FILTER_STATE(wasm.io.envoy.ai_gateway.input_tokens:PLAIN)%",
        ),
    ] {
        let b = bootstrap(kind);
        let log = &hcm(&b)["access_log"][0]["typed_config"];
        assert_eq!(log["path"], "/var/log/aigw/access.log");
        let fmt = &log["log_format"]["json_format"];
        assert_eq!(fmt["input_tokens"], want);
        assert_eq!(fmt["model"], "%REQ(X-AI-EG-MODEL)%");
        assert_eq!(fmt["upstream_cluster"], "%UPSTREAM_CLUSTER%");
        for key in aigw_core::metadata::BUILTIN_KEYS
            .iter()
            .chain(&["llm_total_token"])
        {
            assert!(fmt.get(key).is_some(), "{key}");
        }
        // Without an `mcp` section there are no MCP fields.
        assert!(fmt.get("mcp_method").is_none());
    }
}

#[test]
fn yaml_has_run_hint_and_round_trips() {
    let config = from_yaml(CONFIG, Path::new("/")).unwrap();
    let opts = GenerateOptions {
        modules_dir: Path::new("/m"),
        access_log: Path::new("/a.log"),
    };
    let yaml = generate_yaml(&config, &opts).unwrap();
    assert!(
        yaml.starts_with(
            "# Generated by aigw. Run Envoy with ENVOY_DYNAMIC_MODULES_SEARCH_PATH=/m\n"
        )
    );
    let parsed: Value = serde_yaml_ng::from_str(&yaml).unwrap();
    assert_eq!(parsed, generate(&config, &opts).unwrap());
}

#[test]
fn bedrock_anthropic_backend_is_translated_then_signed_for_bedrock() {
    let yaml = "backends:\n  - { name: ba, schema: AWSAnthropic, auth: { kind: aws_sigv4, region: us-east-1 } }\nroutes:\n  - { name: r, models: [claude], backend: ba }\n";
    let config = from_yaml(yaml, Path::new("/")).unwrap();
    assert_eq!(crate::config::check(&config), Ok(()));
    let opts = GenerateOptions {
        modules_dir: Path::new("/opt/aigw/modules"),
        access_log: Path::new("/var/log/aigw/access.log"),
    };
    let b = generate(&config, &opts).unwrap();
    let filters = upstream_filters(cluster(&b, "aigw-backend-ba"));
    assert_eq!(
        filter_config(&filters[0]),
        json!({"role": "backend", "backend": "ba", "schema": "AWSAnthropic", "path_prefix": "", "authority": "bedrock-runtime.us-east-1.amazonaws.com"})
    );
    assert_eq!(filter_config(&filters[1])["kind"], "aws_sigv4");
    assert_eq!(filter_config(&filters[1])["service"], "bedrock");
}

#[test]
fn bedrock_cluster_uses_the_regional_endpoint_and_signs_after_translating() {
    let yaml = "backends:\n  - { name: br, schema: AWSBedrock, auth: { kind: aws_sigv4, region: eu-west-3 } }\nroutes:\n  - { name: r, models: [claude], backend: br }\n";
    let config = from_yaml(yaml, Path::new("/")).unwrap();
    assert_eq!(crate::config::check(&config), Ok(()));
    let opts = GenerateOptions {
        modules_dir: Path::new("/opt/aigw/modules"),
        access_log: Path::new("/var/log/aigw/access.log"),
    };
    let b = generate(&config, &opts).unwrap();
    let c = cluster(&b, "aigw-backend-br");
    assert_eq!(c["type"], "LOGICAL_DNS");
    assert_eq!(
        c["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]["address"]["socket_address"],
        json!({"address": "bedrock-runtime.eu-west-3.amazonaws.com", "port_value": 443})
    );
    assert_eq!(
        c["transport_socket"]["typed_config"]["sni"],
        "bedrock-runtime.eu-west-3.amazonaws.com"
    );
    let filters = upstream_filters(c);
    // Translate first, so upstream-auth signs the translated path and body.
    assert_eq!(
        names(filters),
        [
            "aigw_translate",
            "aigw_upstream_auth",
            "envoy.filters.http.upstream_codec"
        ]
    );
    assert_eq!(
        filter_config(&filters[0]),
        json!({"role": "backend", "backend": "br", "schema": "AWSBedrock", "path_prefix": "", "authority": "bedrock-runtime.eu-west-3.amazonaws.com"})
    );
    assert_eq!(
        filter_config(&filters[1]),
        json!({"backend": "br", "kind": "aws_sigv4", "region": "eu-west-3", "service": "bedrock",
               "access_key_id_env": "AWS_ACCESS_KEY_ID", "secret_access_key_env": "AWS_SECRET_ACCESS_KEY",
               "session_token_env": "AWS_SESSION_TOKEN"})
    );
}

#[test]
fn limits_reach_the_router_and_the_listener() {
    let mut config = from_yaml(CONFIG, Path::new("/")).unwrap();
    config.limits.max_request_bytes = 1000;
    config.limits.max_messages = 7;
    config.limits.max_tools = 3;
    config.limits.max_request_headers_kb = 16;
    let opts = GenerateOptions {
        modules_dir: Path::new("/opt/aigw/modules"),
        access_log: Path::new("/var/log/aigw/access.log"),
    };
    let b = generate(&config, &opts).unwrap();
    assert_eq!(hcm(&b)["max_request_headers_kb"], 16);
    let listener = &b["static_resources"]["listeners"][0];
    assert_eq!(
        listener["per_connection_buffer_limit_bytes"],
        1000 + 1024 * 1024
    );
    let router = filter_config(&hcm(&b)["http_filters"][0]);
    assert_eq!(router["max_request_bytes"], 1000);
    assert_eq!(router["max_messages"], 7);
    assert_eq!(router["max_tools"], 3);
}

#[test]
fn envoy_error_replies_use_the_openai_shape() {
    let b = bootstrap(ModuleKind::Native);
    let mapper = &hcm(&b)["local_reply_config"]["mappers"][0];
    assert_eq!(mapper["filter"], json!({"response_flag_filter": {}}));
    let format = &mapper["body_format_override"];
    assert_eq!(format["content_type"], "application/json");
    assert_eq!(format["json_format"]["error"]["type"], "server_error");
}

#[test]
fn a_failed_wasm_filter_answers_500_in_the_client_schema() {
    let b = bootstrap(ModuleKind::Wasm);
    let mappers = hcm(&b)["local_reply_config"]["mappers"].as_array().unwrap();
    assert_eq!(mappers.len(), 3);
    let expression =
        |m: &Value| m["filter"]["extension_filter"]["typed_config"]["expression"].clone();
    assert_eq!(
        expression(&mappers[0]),
        "response.code_details == 'wasm_fail_stream' && request.path.startsWith('/anthropic/')"
    );
    assert_eq!(mappers[0]["status_code"], 500);
    assert_eq!(
        mappers[0]["body_format_override"]["json_format"]["error"]["type"],
        "api_error"
    );
    assert_eq!(
        expression(&mappers[1]),
        "response.code_details == 'wasm_fail_stream'"
    );
    assert_eq!(
        mappers[1]["body_format_override"]["json_format"]["error"]["code"],
        "internal_error"
    );
    assert_eq!(mappers[2]["filter"], json!({"response_flag_filter": {}}));
    let native = bootstrap(ModuleKind::Native);
    assert_eq!(
        hcm(&native)["local_reply_config"]["mappers"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn vertex_clusters_get_the_regional_host_and_project_path() {
    let yaml = r#"
backends:
  - name: vx
    schema: GCPVertexAI
    project: my-proj
    region: europe-west4
    auth: { kind: gcp_service_account, credentials_env: GCP_SA_KEY }
  - name: vc
    schema: GCPAnthropic
    endpoint: http://127.0.0.1:9000/proxy
    project: my-proj
    region: global
    auth: { kind: bearer, key_env: GCP_ACCESS_TOKEN }
routes:
  - { name: g, models: [gemini-2.5-flash], backend: vx }
  - { name: c, models: [claude-sonnet-4-5@20250929], backend: vc }
"#;
    let config = from_yaml(yaml, Path::new("/")).unwrap();
    let opts = GenerateOptions {
        modules_dir: Path::new("/opt/aigw/modules"),
        access_log: Path::new("/var/log/aigw/access.log"),
    };
    let b = generate(&config, &opts).unwrap();
    let vx = cluster(&b, "aigw-backend-vx");
    assert_eq!(
        vx["transport_socket"]["typed_config"]["sni"],
        "europe-west4-aiplatform.googleapis.com"
    );
    assert_eq!(
        filter_config(&upstream_filters(vx)[0]),
        json!({"role": "backend", "backend": "vx", "schema": "GCPVertexAI",
               "path_prefix": "/v1/projects/my-proj/locations/europe-west4",
               "authority": "europe-west4-aiplatform.googleapis.com"})
    );
    let vc = cluster(&b, "aigw-backend-vc");
    assert_eq!(
        filter_config(&upstream_filters(vc)[0]),
        json!({"role": "backend", "backend": "vc", "schema": "GCPAnthropic",
               "path_prefix": "/proxy/v1/projects/my-proj/locations/global",
               "authority": "127.0.0.1:9000"})
    );
}
