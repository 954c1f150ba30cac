//! Aggregate clusters, attempt orders, weights and retry policies of fallback routes.

use std::path::Path;

use serde_json::json;

use super::*;
use crate::bootstrap::{GenerateOptions, generate};
use crate::config::from_yaml;

const CONFIG: &str = "backends:
  - { name: a, schema: OpenAI, endpoint: 'http://127.0.0.1:1/v1', auth: { kind: bearer, key_env: KA } }
  - { name: b, schema: OpenAI, endpoint: 'http://127.0.0.1:2/v1', auth: { kind: bearer, key_env: KB } }
  - { name: c, schema: Anthropic, endpoint: 'https://api.anthropic.com', auth: { kind: anthropic_api_key, key_env: KC } }
routes:
  - name: mixed
    models: [m]
    backends:
      - { name: c, priority: 1, model_override: claude-x }
      - { name: b, weight: 20 }
      - { name: a, weight: 80, model_override: a-model }
    retry: { retry_on: [5xx, reset], num_retries: 3, per_try_idle_timeout: 1500ms }
  - name: plain
    models: [p]
    backends: [{ name: a }, { name: c, priority: 2 }]
";

fn config() -> crate::config::GatewayConfig {
    from_yaml(CONFIG, Path::new("/cfg")).unwrap()
}

#[test]
fn first_attempts_are_weighted_and_retries_walk_priorities() {
    let config = config();
    let orders: Vec<(u32, Vec<&str>)> = attempt_orders(&config.routes[0])
        .into_iter()
        .map(|(w, order)| (w, order.iter().map(|b| b.name.as_str()).collect()))
        .collect();
    assert_eq!(
        orders,
        [(80, vec!["a", "b", "c"]), (20, vec!["b", "a", "c"])]
    );
    let action = route_action(&config.routes[0], "300s");
    assert_eq!(
        action["weighted_clusters"],
        json!({"clusters": [
            {"name": "aigw-route-mixed-a", "weight": 80},
            {"name": "aigw-route-mixed-b", "weight": 20},
        ]})
    );
    let policy = &action["retry_policy"];
    assert_eq!(policy["retry_on"], "5xx,reset");
    assert_eq!(policy["num_retries"], 3);
    assert_eq!(policy["per_try_idle_timeout"], "1.500s");
    assert!(policy.get("retriable_status_codes").is_none());
    assert_eq!(
        policy["retry_priority"]["name"],
        "envoy.retry_priorities.previous_priorities"
    );
}

#[test]
fn defaults_retry_every_failure_once_per_other_backend() {
    let config = config();
    let action = route_action(&config.routes[1], "300s");
    assert_eq!(action["cluster"], "aigw-route-plain-a");
    let policy = &action["retry_policy"];
    assert_eq!(
        policy["retry_on"],
        "5xx,retriable-status-codes,connect-failure,reset"
    );
    assert_eq!(policy["retriable_status_codes"], json!([429]));
    assert_eq!(policy["num_retries"], 1);
    assert!(policy.get("per_try_idle_timeout").is_none());
}

#[test]
fn aggregates_pick_each_backends_filters_on_the_attempt_header() {
    let config = config();
    let opts = GenerateOptions {
        modules_dir: Path::new("/m"),
        access_log: Path::new("/log"),
    };
    let bootstrap = generate(&config, &opts).unwrap();
    let clusters = bootstrap["static_resources"]["clusters"]
        .as_array()
        .unwrap();
    let find = |name: &str| clusters.iter().find(|c| c["name"] == name).unwrap();
    assert_eq!(
        find("aigw-backend-a")["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["metadata"],
        json!({"filter_metadata": {"aigw": {"backend": "a"}}})
    );
    let agg = find("aigw-route-mixed-b");
    assert_eq!(
        agg["cluster_type"]["typed_config"]["clusters"],
        json!(["aigw-backend-b", "aigw-backend-a", "aigw-backend-c"])
    );
    let filters = agg["typed_extension_protocol_options"]
        ["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]["http_filters"]
        .as_array()
        .unwrap();
    let names: Vec<&str> = filters
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "aigw_attempt_backend",
            "aigw_translate_per_backend",
            "aigw_upstream_auth_per_backend",
            "aigw_attempt_backend_removal",
            "envoy.filters.http.upstream_codec",
        ]
    );
    assert_eq!(
        filters[0]["typed_config"]["mutations"]["request_mutations"][0]["append"]["header"],
        json!({"key": "x-aigw-attempt-backend", "value": "%UPSTREAM_METADATA(aigw:backend)%"})
    );
    let matchers = filters[1]["typed_config"]["xds_matcher"]["matcher_list"]["matchers"]
        .as_array()
        .unwrap();
    let selected: Vec<(&str, serde_json::Value)> = matchers
        .iter()
        .map(|m| {
            let filter = &m["on_match"]["action"]["typed_config"]["typed_config"];
            let text = filter["typed_config"]["filter_config"]["value"]
                .as_str()
                .unwrap();
            (
                m["predicate"]["single_predicate"]["value_match"]["exact"]
                    .as_str()
                    .unwrap(),
                serde_json::from_str::<serde_json::Value>(text).unwrap()["model_override"].clone(),
            )
        })
        .collect();
    assert_eq!(
        selected,
        [
            ("c", json!("claude-x")),
            ("b", serde_json::Value::Null),
            ("a", json!("a-model")),
        ]
    );
}
