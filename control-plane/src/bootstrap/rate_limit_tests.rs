//! The rate-limit wiring of the generated bootstrap.

use std::path::Path;

use serde_json::{Value, json};

use super::*;
use crate::config::from_yaml;

const CONFIG: &str = r#"
backends:
  - name: openai
    schema: OpenAI
    endpoint: http://127.0.0.1:8080/v1
    auth: { kind: bearer, key_env: OPENAI_API_KEY }
routes:
  - name: gpt
    models: [gpt-4o-mini]
    backend: openai
rate_limits:
  service: 127.0.0.1:8081
  limits:
    - name: team-minute
      window: minute
      budget_tokens: 10000
      key: { team_header: x-team-id, api_key: true, model: true, backend: true }
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

fn hcm(b: &Value) -> &Value {
    &b["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
}

#[test]
fn ratelimit_filter_sits_after_token_usage_and_calls_the_service_cluster() {
    let b = bootstrap(ModuleKind::Native);
    let filters = hcm(&b)["http_filters"].as_array().unwrap();
    let names: Vec<&str> = filters
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "aigw_translate",
            "aigw_token_usage",
            "envoy.filters.http.ratelimit",
            "envoy.filters.http.router"
        ]
    );
    let rl = &filters[2]["typed_config"];
    assert_eq!(rl["domain"], "aigw");
    assert_eq!(rl["timeout"], "1.000s");
    assert_eq!(rl["failure_mode_deny"], true);
    assert_eq!(
        rl["rate_limit_service"]["grpc_service"]["envoy_grpc"]["cluster_name"],
        "aigw-ratelimit"
    );
    let translate: Value = serde_json::from_str(
        filters[0]["typed_config"]["filter_config"]["value"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(translate["reserve_tokens"], true);
    assert_eq!(translate["default_output_tokens"], 256);
    assert_eq!(translate["api_key_id"], true);
    let log_format = &hcm(&b)["access_log"][0]["typed_config"]["log_format"]["json_format"];
    assert_eq!(
        log_format["reserved_tokens"],
        "%REQ(x-aigw-reserved-tokens)%"
    );
    assert_eq!(translate["force_include_usage"], true);
    let cluster = b["static_resources"]["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "aigw-ratelimit")
        .unwrap();
    assert_eq!(cluster["type"], "STATIC");
    assert!(
        cluster["typed_extension_protocol_options"]["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]
            ["explicit_http_config"]
            .get("http2_protocol_options")
            .is_some()
    );
}

#[test]
fn each_limit_reserves_at_request_time_and_settles_at_stream_end() {
    for (module, total) in [
        (
            ModuleKind::Native,
            "%DYNAMIC_METADATA(io.envoy.ai_gateway:total_tokens)%",
        ),
        (
            ModuleKind::Wasm,
            "%FILTER_STATE(wasm.io.envoy.ai_gateway.total_tokens:PLAIN)%",
        ),
    ] {
        let b = bootstrap(module);
        let route = &hcm(&b)["route_config"]["virtual_hosts"][0]["routes"][0];
        assert!(route["route"].get("rate_limits").is_none());
        let per_route = &route["typed_per_filter_config"]["envoy.filters.http.ratelimit"];
        assert_eq!(
            per_route["@type"],
            "type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimitPerRoute"
        );
        let limits = &per_route["rate_limits"];
        let generic =
            |k: &str, v: &str| json!({"generic_key": {"descriptor_key": k, "descriptor_value": v}});
        let header =
            |h: &str, k: &str| json!({"request_headers": {"header_name": h, "descriptor_key": k}});
        let keys = [
            header("x-team-id", "team"),
            header("x-aigw-api-key-id", "api_key"),
            header("x-ai-eg-model", "model"),
            json!({"destination_cluster": {}}),
        ];
        let base = [
            generic("aigw_limit", "team-minute"),
            generic("aigw_window", "minute"),
            generic("aigw_budget", "10000"),
        ];
        let mut reserve: Vec<Value> = base.to_vec();
        reserve.push(generic("aigw_phase", "reserve"));
        reserve.extend(keys.clone());
        let mut settle: Vec<Value> = base.to_vec();
        settle.push(generic("aigw_phase", "settle"));
        settle.push(header("x-aigw-reserved-tokens", "aigw_reserved"));
        settle.extend(keys);
        assert_eq!(
            *limits,
            json!([
                {"actions": reserve, "hits_addend": {"format": "%REQ(x-aigw-reserved-tokens)%"}},
                {"actions": settle, "hits_addend": {"format": total}, "apply_on_stream_done": true},
            ])
        );
    }
}

#[test]
fn limited_requests_get_errors_in_the_clients_schema() {
    let b = bootstrap(ModuleKind::Native);
    let mappers = &hcm(&b)["local_reply_config"]["mappers"];
    let anthropic = &mappers[0]["filter"]["and_filter"]["filters"];
    assert_eq!(anthropic[0]["response_flag_filter"]["flags"], json!(["RL"]));
    assert_eq!(
        anthropic[1]["extension_filter"]["typed_config"]["expression"],
        "request.path.startsWith('/anthropic/')"
    );
    let body = &mappers[0]["body_format_override"]["json_format"];
    assert_eq!(body["error"]["type"], "rate_limit_error");
    assert_eq!(
        mappers[1]["filter"]["response_flag_filter"]["flags"],
        json!(["RL"])
    );
    let body = &mappers[1]["body_format_override"];
    assert_eq!(body["content_type"], "application/json");
    assert_eq!(body["json_format"]["error"]["code"], "rate_limit_exceeded");
    assert_eq!(
        mappers[2]["filter"]["response_flag_filter"]["flags"],
        json!(["RLSE"])
    );
}

#[test]
fn no_rate_limits_no_wiring() {
    let mut config = from_yaml(CONFIG, Path::new("/")).unwrap();
    config.rate_limits = None;
    let opts = GenerateOptions {
        modules_dir: Path::new("/opt/aigw/modules"),
        access_log: Path::new("/var/log/aigw/access.log"),
    };
    let b = generate(&config, &opts).unwrap();
    // Only the listener's mapper of Envoy's own error replies remains.
    let mappers = hcm(&b)["local_reply_config"]["mappers"].as_array().unwrap();
    assert_eq!(mappers.len(), 1);
    assert_eq!(mappers[0]["filter"], json!({"response_flag_filter": {}}));
    assert!(!b.to_string().contains("ratelimit"));
    assert!(!b.to_string().contains("reserved_tokens"));
}

#[test]
fn a_bootstrap_needs_the_service_address() {
    let mut config = from_yaml(CONFIG, Path::new("/")).unwrap();
    config.rate_limits.as_mut().unwrap().service = None;
    let opts = GenerateOptions {
        modules_dir: Path::new("/opt/aigw/modules"),
        access_log: Path::new("/var/log/aigw/access.log"),
    };
    let err = generate(&config, &opts).unwrap_err();
    assert!(err.starts_with("rate_limits.service: required"), "{err}");
}

const SCOPED: &str = r#"
backends:
  - name: openai
    schema: OpenAI
    endpoint: http://127.0.0.1:8080/v1
    auth: { kind: bearer, key_env: OPENAI_API_KEY }
routes:
  - name: small
    models: [gpt-4o-mini, o3-mini]
    backend: openai
  - name: big
    models: [gpt-4o]
    backend: openai
rate_limits:
  service: 127.0.0.1:8081
  jwt:
    issuer: https://auth.test.example
    audiences: [aigw]
    require: false
    jwks: { keys: [ { kty: RSA, kid: k1, alg: RS256, use: sig, e: AQAB, n: "AQAB" } ] }
  limits:
    - name: per-user
      window: minute
      budget_tokens: 1000
      routes: [small]
      models: [o3-mini, a.b]
      key: { user_jwt_claim: sub }
"#;

fn scoped_bootstrap() -> Value {
    let config = from_yaml(SCOPED, Path::new("/")).unwrap();
    let opts = GenerateOptions {
        modules_dir: Path::new("/opt/aigw/modules"),
        access_log: Path::new("/var/log/aigw/access.log"),
    };
    generate(&config, &opts).unwrap()
}

#[test]
fn a_limit_applies_to_its_routes_and_models_only() {
    let b = scoped_bootstrap();
    let routes = hcm(&b)["route_config"]["virtual_hosts"][0]["routes"]
        .as_array()
        .unwrap();
    let limited: Vec<(&str, bool)> = routes
        .iter()
        .filter(|r| {
            r["name"].as_str().unwrap().starts_with("small")
                || r["name"].as_str().unwrap().starts_with("big")
        })
        .map(|r| {
            (
                r["name"].as_str().unwrap(),
                r.get("typed_per_filter_config").is_some(),
            )
        })
        .collect();
    assert_eq!(limited.len(), 3, "{limited:?}");
    for (name, has) in limited {
        assert_eq!(has, name.starts_with("small"), "{name}");
    }
    let actions = &routes[0]["typed_per_filter_config"]["envoy.filters.http.ratelimit"]["rate_limits"]
        [0]["actions"];
    let models = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a.get("header_value_match").is_some())
        .unwrap();
    assert_eq!(
        models["header_value_match"],
        json!({
            "descriptor_key": "aigw_models",
            "descriptor_value": "listed",
            "expect_match": true,
            "headers": [{"name": "x-ai-eg-model",
                         "string_match": {"safe_regex": {"regex": "o3\\-mini|a\\.b"}}}],
        })
    );
}

#[test]
fn jwt_claims_key_limits_through_the_verified_payload() {
    let b = scoped_bootstrap();
    let filters = hcm(&b)["http_filters"].as_array().unwrap();
    assert_eq!(filters[0]["name"], "envoy.filters.http.jwt_authn");
    let jwt = &filters[0]["typed_config"];
    let provider = &jwt["providers"]["aigw_jwt"];
    assert_eq!(provider["issuer"], "https://auth.test.example");
    assert_eq!(provider["audiences"], json!(["aigw"]));
    assert_eq!(provider["payload_in_metadata"], "aigw_jwt");
    assert_eq!(provider["forward"], true);
    let jwks: Value =
        serde_json::from_str(provider["local_jwks"]["inline_string"].as_str().unwrap()).unwrap();
    assert_eq!(jwks["keys"][0]["kid"], "k1");
    // Without `require`, a missing token passes; a bad one never does.
    assert_eq!(
        jwt["rules"][0],
        json!({"match": {"prefix": "/v1/"}, "requires": {"requires_any": {"requirements": [
            {"provider_name": "aigw_jwt"}, {"allow_missing": {}}]}}})
    );
    let log_format = &hcm(&b)["access_log"][0]["typed_config"]["log_format"]["json_format"];
    assert_eq!(
        log_format["user"],
        "%DYNAMIC_METADATA(envoy.filters.http.jwt_authn:aigw_jwt:sub)%"
    );
    // The JWT filter's 401s get the client's error schema, told apart by their details.
    let mappers = hcm(&b)["local_reply_config"]["mappers"].as_array().unwrap();
    assert_eq!(mappers.len(), 6);
    let cel = &mappers[4]["filter"]["extension_filter"]["typed_config"]["expression"];
    assert!(
        cel.as_str().unwrap().contains("jwt_authn_access_denied"),
        "{cel}"
    );
    assert_eq!(
        mappers[4]["body_format_override"]["json_format"]["error"]["code"],
        "invalid_api_key"
    );
    let routes = &hcm(&b)["route_config"]["virtual_hosts"][0]["routes"];
    let actions = routes[0]["typed_per_filter_config"]["envoy.filters.http.ratelimit"]
        ["rate_limits"][1]["actions"]
        .as_array()
        .unwrap();
    assert_eq!(
        actions.last().unwrap(),
        &json!({"metadata": {
            "descriptor_key": "user",
            "metadata_key": {"key": "envoy.filters.http.jwt_authn",
                             "path": [{"key": "aigw_jwt"}, {"key": "sub"}]},
            "source": "DYNAMIC",
        }})
    );
}

#[test]
fn a_jwks_uri_is_fetched_through_its_own_cluster() {
    let yaml = SCOPED.replace(
        r#"jwks: { keys: [ { kty: RSA, kid: k1, alg: RS256, use: sig, e: AQAB, n: "AQAB" } ] }"#,
        "jwks_uri: https://auth.test.example:8443/keys\n    jwks_cache_seconds: 120",
    );
    let config = from_yaml(&yaml, Path::new("/")).unwrap();
    let opts = GenerateOptions {
        modules_dir: Path::new("/opt/aigw/modules"),
        access_log: Path::new("/var/log/aigw/access.log"),
    };
    let b = generate(&config, &opts).unwrap();
    let provider = &hcm(&b)["http_filters"][0]["typed_config"]["providers"]["aigw_jwt"];
    assert_eq!(provider.get("local_jwks"), None);
    assert_eq!(
        provider["remote_jwks"],
        json!({
            "http_uri": {"uri": "https://auth.test.example:8443/keys",
                         "cluster": "aigw_jwks", "timeout": "5s"},
            "cache_duration": "120s",
            "async_fetch": {"fast_listener": false},
            "retry_policy": {"num_retries": 3},
        })
    );
    let cluster = b["static_resources"]["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "aigw_jwks")
        .unwrap();
    assert_eq!(
        cluster["transport_socket"]["typed_config"]["sni"],
        "auth.test.example"
    );
    assert_eq!(
        cluster["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]["address"]["socket_address"]
            ["port_value"],
        8443
    );
}
