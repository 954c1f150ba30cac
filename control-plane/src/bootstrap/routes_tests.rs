//! Match order and matchers of the generated model routes.

use std::path::Path;

use serde_json::json;

use super::routes::model_routes;
use crate::config::from_yaml;

const CONFIG: &str = "backends:
  - { name: a, schema: OpenAI, endpoint: 'http://127.0.0.1:1/v1', auth: { kind: bearer, key_env: K } }
routes:
  - name: patterns
    model_prefix: gpt-
    model_regex: 'o[0-9]+'
    host: api.example.test
    headers: [{ name: x-tenant, prefix: blue }, { name: x-beta }]
    backend: a
    model_override: base
  - name: exact
    models: [gpt-4o]
    backend: a
";

#[test]
fn exact_models_come_before_patterns_with_all_matchers() {
    let config = from_yaml(CONFIG, Path::new("/")).unwrap();
    let routes = model_routes(&config);
    let names: Vec<&str> = routes.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["exact/gpt-4o", "patterns/prefix", "patterns/regex"]);
    assert_eq!(
        routes[0]["match"]["headers"],
        json!([{"name": "x-ai-eg-model", "string_match": {"exact": "gpt-4o"}}])
    );
    assert_eq!(
        routes[1]["match"]["headers"],
        json!([
            {"name": "x-ai-eg-model", "string_match": {"prefix": "gpt-"}},
            {"name": "x-tenant", "string_match": {"prefix": "blue"}},
            {"name": "x-beta", "present_match": true},
            {"name": ":authority", "string_match": {"safe_regex": {"regex": "api\\.example\\.test(:[0-9]+)?"}}},
        ])
    );
    assert_eq!(
        routes[2]["match"]["headers"][0],
        json!({"name": "x-ai-eg-model", "string_match": {"safe_regex": {"regex": "o[0-9]+"}}})
    );
    assert_eq!(
        routes[2]["request_headers_to_add"][0]["header"],
        json!({"key": "x-aigw-model-override", "value": "base"})
    );
    assert_eq!(routes[2]["route"]["cluster"], "aigw-backend-a");
}
