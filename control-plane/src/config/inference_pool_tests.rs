//! Tests of the `inference_pool` checks.

use crate::config::from_yaml;
use std::path::Path;

fn config(backend_fields: &str, routes: &str) -> String {
    format!(
        "backends:\n  - {{ name: pool, schema: OpenAI, {backend_fields}, auth: {{ kind: bearer, key_env: POOL_KEY }} }}\n  - {{ name: other, schema: OpenAI, endpoint: \"http://127.0.0.1:9/v1\", auth: {{ kind: bearer, key_env: K }} }}\nroutes:\n{routes}"
    )
}

const ROUTE: &str = "  - { name: r, models: [m], backend: pool }\n";

fn problems(backend_fields: &str, routes: &str) -> Vec<String> {
    from_yaml(&config(backend_fields, routes), Path::new("/cfg")).unwrap_err()
}

#[test]
fn a_pool_backend_loads_with_defaults() {
    let c = from_yaml(
        &config(
            "inference_pool: { endpoint_picker: \"http://127.0.0.1:9002\", target_port: 8000 }",
            ROUTE,
        ),
        Path::new("/cfg"),
    )
    .unwrap();
    let pool = c.backends[0].inference_pool.as_ref().unwrap();
    assert_eq!(pool.target_port, 8000);
    assert_eq!(pool.path_prefix(), "/v1");
}

#[test]
fn pool_errors_name_the_field() {
    let p = problems(
        "endpoint: \"http://10.0.0.1:8000/v1\", inference_pool: { endpoint_picker: \"grpc://epp:9002/x\", target_port: 0, path_prefix: \"v1/\" }",
        ROUTE,
    );
    let text = p.join("\n");
    for field in [
        "backends[0].endpoint: not used with inference_pool",
        "backends[0].inference_pool.endpoint_picker: scheme must be http or https",
        "backends[0].inference_pool.target_port: must be between 1 and 65535",
        "backends[0].inference_pool.path_prefix: must be empty or start with '/'",
    ] {
        assert!(text.contains(field), "{field} missing in:\n{text}");
    }
    let p = problems(
        "inference_pool: { endpoint_picker: \"http://epp:9002/path\", target_port: 8000 }",
        ROUTE,
    );
    assert!(
        p.join("\n")
            .contains("backends[0].inference_pool.endpoint_picker: a gRPC address has no path"),
        "{p:?}"
    );
}

#[test]
fn a_pool_speaks_openai_and_takes_no_preset() {
    let yaml = "backends:\n  - { name: pool, schema: Anthropic, preset: groq, inference_pool: { endpoint_picker: \"http://epp:9002\", target_port: 8000 }, auth: { kind: anthropic_api_key, key_env: K } }\nroutes:\n  - { name: r, models: [m], backend: pool }\n";
    let text = from_yaml(yaml, Path::new("/cfg")).unwrap_err().join("\n");
    assert!(
        text.contains("backends[0].schema: an inference pool serves the OpenAI API"),
        "{text}"
    );
    assert!(
        text.contains("backends[0].preset: not valid with inference_pool"),
        "{text}"
    );
}

#[test]
fn a_pool_cannot_be_a_fallback_entry() {
    let p = problems(
        "inference_pool: { endpoint_picker: \"http://127.0.0.1:9002\", target_port: 8000 }",
        "  - { name: r, models: [m], backends: [{ name: other }, { name: pool, priority: 1 }] }\n",
    );
    assert!(
        p.join("\n")
            .contains("routes[0].backends[1].name: \"pool\" is an inference pool"),
        "{p:?}"
    );
}
