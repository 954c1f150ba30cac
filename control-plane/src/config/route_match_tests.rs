//! Validation of model prefix/regex, header and host matches.

use std::path::Path;

use super::from_yaml;

fn config(route_extra: &str) -> String {
    format!(
        "backends: [{{name: a, schema: OpenAI, endpoint: 'http://127.0.0.1:1/v1', auth: {{kind: bearer, key_env: K}}}}]
routes:
  - name: r
    backend: a
{route_extra}"
    )
}

fn problems(route_extra: &str) -> Vec<String> {
    from_yaml(&config(route_extra), Path::new("/")).unwrap_err()
}

#[test]
fn patterns_headers_and_host_parse() {
    let c = from_yaml(
        &config(
            "    model_prefix: gpt-\n    model_regex: 'o[0-9]+(-mini)?'\n    host: api.example.test\n    headers:\n      - { name: x-tenant, exact: blue }\n      - { name: x-beta }\n",
        ),
        Path::new("/"),
    )
    .unwrap();
    let r = &c.routes[0];
    assert!(r.models.is_empty());
    assert_eq!(r.model_prefix.as_deref(), Some("gpt-"));
    assert_eq!(r.headers[1].name, "x-beta");
    assert_eq!(r.host.as_deref(), Some("api.example.test"));
}

#[test]
fn each_problem_names_its_field() {
    assert_eq!(
        problems(""),
        ["routes[0].models: at least one model is required (or model_prefix / model_regex)"]
    );
    assert_eq!(
        problems("    model_prefix: ''\n"),
        ["routes[0].model_prefix: must not be empty (it would match every model)"]
    );
    let p = problems("    model_regex: 'gpt-(4'\n");
    assert!(
        p[0].starts_with("routes[0].model_regex: invalid regular expression \"gpt-(4\": "),
        "{p:?}"
    );
    assert_eq!(
        problems("    models: [m]\n    headers: [{ name: X-Tenant, exact: a }]\n"),
        [
            "routes[0].headers[0].name: \"X-Tenant\" must be a lowercase header name (a-z, 0-9, '-', '_')"
        ]
    );
    assert_eq!(
        problems("    models: [m]\n    headers: [{ name: x-ai-eg-model, exact: a }]\n"),
        [
            "routes[0].headers[0].name: x-ai-eg-model is set by the gateway; use models, model_prefix or model_regex"
        ]
    );
    assert_eq!(
        problems("    models: [m]\n    headers: [{ name: x-t, exact: a, prefix: b }]\n"),
        [
            "routes[0].headers[0]: set at most one of exact, prefix and regex (none: the header must be present)"
        ]
    );
    assert_eq!(
        problems("    models: [m]\n    host: 'api.example.test:443'\n"),
        [
            "routes[0].host: \"api.example.test:443\" must be a host name (letters, digits, '-', '.'; no port)"
        ]
    );
}
