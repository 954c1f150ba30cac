//! Problems of routes with several backends, each naming the field.

use std::path::Path;

use super::duration_ms;
use crate::config::from_yaml;

const BACKENDS: &str = "backends:
  - { name: a, schema: OpenAI, endpoint: 'http://127.0.0.1:1/v1', auth: { kind: bearer, key_env: KA } }
  - { name: b, schema: OpenAI, endpoint: 'http://127.0.0.1:2/v1', auth: { kind: bearer, key_env: KB } }
routes:
";

fn problems(routes: &str) -> Vec<String> {
    from_yaml(&format!("{BACKENDS}{routes}"), Path::new("/cfg")).unwrap_err()
}

#[test]
fn route_needs_exactly_one_of_backend_and_backends() {
    assert_eq!(
        problems("  - { name: r, models: [m] }\n"),
        ["routes[0].backend: required (or a list of backends in routes[0].backends)"]
    );
    assert_eq!(
        problems("  - { name: r, models: [m], backend: a, backends: [{ name: b }] }\n"),
        ["routes[0].backends: give either backend or backends, not both"]
    );
    assert_eq!(
        problems("  - { name: r, models: [m], backend: a, retry: { num_retries: 1 } }\n"),
        ["routes[0].retry: only valid with a list of backends (routes[0].backends)"]
    );
}

#[test]
fn backend_entries_are_checked() {
    let got = problems(
        "  - name: r
    models: [m]
    model_override: x
    backends:
      - { name: a, weight: 0 }
      - { name: nope, model_override: '' }
      - { name: a }
",
    );
    assert_eq!(
        got,
        [
            "routes[0].model_override: with backends, set model_override on each entry of routes[0].backends",
            "routes[0].backends[0].weight: must be at least 1",
            "routes[0].backends[1].name: unknown backend \"nope\"",
            "routes[0].backends[1].model_override: must not be empty",
            "routes[0].backends[2].name: backend \"a\" is already listed as routes[0].backends[0]",
        ]
    );
}

#[test]
fn retry_settings_are_checked() {
    let got = problems(
        "  - name: r
    models: [m]
    backends: [{ name: a }, { name: b, priority: 1 }]
    retry: { retry_on: [], num_retries: 11, per_try_idle_timeout: 2min }
",
    );
    assert_eq!(
        got,
        [
            "routes[0].retry.retry_on: name at least one of 5xx, 429, connect-failure, reset",
            "routes[0].retry.num_retries: 11 is more than the maximum of 10",
            "routes[0].retry.per_try_idle_timeout: \"2min\" must be a positive duration like 10s or 500ms",
        ]
    );
    let unknown = problems(
        "  - { name: r, models: [m], backends: [{ name: a }], retry: { retry_on: [timeout] } }\n",
    );
    assert_eq!(unknown.len(), 1);
    assert!(unknown[0].contains("retry_on"), "{unknown:?}");
}

#[test]
fn durations() {
    assert_eq!(duration_ms("10s"), Some(10_000));
    assert_eq!(duration_ms("500ms"), Some(500));
    assert_eq!(duration_ms("0s"), Some(0));
    assert_eq!(duration_ms("1.5s"), None);
    assert_eq!(duration_ms("s"), None);
    assert_eq!(duration_ms("10"), None);
}

#[test]
fn model_overrides_with_control_characters_are_refused() {
    // Found by the gateway_config fuzz target: the translate filter refuses such a name, so
    // Envoy would have refused the generated config.
    let yaml = "backends:\n  - { name: a, schema: OpenAI, endpoint: http://127.0.0.1:1/v1, auth: { kind: bearer, key_env: K } }\n  - { name: b, schema: OpenAI, endpoint: http://127.0.0.1:2/v1, auth: { kind: bearer, key_env: K } }\nroutes:\n  - { name: r, models: [m], backends: [{ name: a, model_override: \"x\\x1ey\" }, { name: b }] }\n  - { name: s, models: [n], backend: a, model_override: \"p\\tq\" }\n";
    let problems = crate::config::from_yaml(yaml, std::path::Path::new("/cfg")).unwrap_err();
    assert!(
        problems.iter().any(|p| p.starts_with(
            "routes[0].backends[0].model_override: must not contain control characters"
        )),
        "{problems:#?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("routes[1].model_override: must not contain control characters")),
        "{problems:#?}"
    );
}
