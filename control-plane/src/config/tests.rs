//! Tests of config parsing and of every validation message.

use std::path::Path;

use super::*;

const VALID: &str = r#"
listen: 127.0.0.1:1975
admin: 127.0.0.1:9901
module: native
backends:
  - name: openai
    schema: OpenAI
    endpoint: https://api.openai.com/v1
    auth: { kind: bearer, key_env: OPENAI_API_KEY }
  - name: azure
    schema: AzureOpenAI
    endpoint: https://my.openai.azure.com
    azure_api_version: 2024-10-21
    auth: { kind: azure_api_key, key_file: secrets/azure.key }
routes:
  - name: gpt
    models: [gpt-4o-mini]
    backend: openai
    model_override: null
  - name: az
    models: [gpt-4o]
    backend: azure
    model_override: prod-gpt4o
costs:
  - { metadata_key: llm_total_token, type: TotalToken }
"#;

fn problems(yaml: &str) -> Vec<String> {
    from_yaml(yaml, Path::new("/cfg")).unwrap_err()
}

/// Replaces `from` (which must occur) in the valid config.
fn variant(from: &str, to: &str) -> String {
    assert!(VALID.contains(from), "{from}");
    VALID.replacen(from, to, 1)
}

fn assert_problem(yaml: &str, want: &str) {
    let p = problems(yaml);
    assert!(p.iter().any(|e| e == want), "want {want:?}, got {p:#?}");
}

#[test]
fn valid_config_parses() {
    let c = from_yaml(VALID, Path::new("/cfg")).unwrap();
    assert_eq!(c.module, ModuleKind::Native);
    assert_eq!(c.backends[1].schema, Schema::AzureOpenAI);
    assert_eq!(
        c.backends[1].auth.key_file.as_deref(),
        Some(Path::new("/cfg/secrets/azure.key"))
    );
    assert_eq!(c.routes[1].model_override.as_deref(), Some("prod-gpt4o"));
    assert_eq!(c.costs[0].kind, CostType::TotalToken);
}

#[test]
fn defaults_apply() {
    let c = from_yaml(
        "backends: [{name: a, schema: OpenAI, endpoint: 'http://127.0.0.1:1/v1', auth: {kind: bearer, key_env: K}}]\nroutes: [{name: r, models: [m], backend: a}]",
        Path::new("/"),
    )
    .unwrap();
    assert_eq!(c.listen.to_string(), DEFAULT_LISTEN);
    assert_eq!(c.admin.to_string(), DEFAULT_ADMIN);
    assert_eq!(c.module, ModuleKind::Native);
    assert!(c.costs.is_empty());
}

#[test]
fn parse_errors_name_the_field() {
    let p = problems(&variant(
        "    backend: openai\n",
        "    backend: openai\n    weight: 3\n",
    ));
    assert!(
        p[0].starts_with("routes[0].weight: unknown field `weight`"),
        "{p:?}"
    );
    let p = problems(&variant("schema: OpenAI", "schema: PaLM"));
    assert!(
        p[0].starts_with("backends[0].schema: unknown variant `PaLM`"),
        "{p:?}"
    );
    let p = problems(&variant("module: native", "module: lua"));
    assert!(p[0].starts_with("module: unknown variant `lua`"), "{p:?}");
    let p = problems(&variant("listen: 127.0.0.1:1975", "listen: localhost"));
    assert!(p[0].starts_with("listen: invalid socket address"), "{p:?}");
    let p = problems(&variant("kind: bearer", "kind: basic"));
    assert!(
        p[0].starts_with("backends[0].auth.kind: unknown variant `basic`"),
        "{p:?}"
    );
    let p = problems(&variant("type: TotalToken", "type: Dollars"));
    assert!(
        p[0].starts_with("costs[0].type: unknown variant `Dollars`"),
        "{p:?}"
    );
    let p = problems("listen: 127.0.0.1:1\n");
    assert!(
        p[0].starts_with("backends: required field is missing"),
        "{p:?}"
    );
}

#[test]
fn listen_and_admin_must_differ() {
    assert_problem(
        &variant("admin: 127.0.0.1:9901", "admin: 127.0.0.1:1975"),
        "admin: must differ from listen (127.0.0.1:1975)",
    );
}

#[test]
fn empty_lists() {
    let yaml = "backends: []\nroutes: []\n";
    assert_problem(yaml, "backends: at least one backend is required");
    assert_problem(yaml, "routes: at least one route is required");
}

#[test]
fn backend_problems() {
    assert_problem(
        &variant("name: openai", "name: open ai"),
        r#"backends[0].name: "open ai" must be non-empty and use only letters, digits, '-', '_' and '.'"#,
    );
    assert_problem(
        &variant("name: azure", "name: openai"),
        r#"backends[1].name: duplicate backend "openai" (also backends[0])"#,
    );
    assert_problem(
        &variant("endpoint: https://api.openai.com/v1", "endpoint: ftp://x/"),
        r#"backends[0].endpoint: scheme must be http or https, got "ftp""#,
    );
    assert_problem(
        &variant(
            "https://my.openai.azure.com",
            "https://my.openai.azure.com/openai",
        ),
        r#"backends[1].endpoint: an AzureOpenAI endpoint must not have a path (got "/openai"); the path is /openai/deployments/<model>/..."#,
    );
    assert_problem(
        &variant("    azure_api_version: 2024-10-21\n", ""),
        "backends[1].azure_api_version: required for schema AzureOpenAI (e.g. 2024-10-21)",
    );
    assert_problem(
        &variant("azure_api_version: 2024-10-21", "azure_api_version: v1"),
        r#"backends[1].azure_api_version: "v1" must look like YYYY-MM-DD or YYYY-MM-DD-preview"#,
    );
    assert_problem(
        &variant(
            "    auth: { kind: bearer",
            "    azure_api_version: 2024-10-21\n    auth: { kind: bearer",
        ),
        "backends[0].azure_api_version: only valid with schema AzureOpenAI",
    );
}

#[test]
fn auth_problems() {
    assert_problem(
        &variant("key_env: OPENAI_API_KEY", "key_env: K, key_file: /k"),
        "backends[0].auth: set only one of key_env and key_file",
    );
    assert_problem(
        &variant("kind: bearer, key_env: OPENAI_API_KEY", "kind: bearer"),
        "backends[0].auth: one of key_env or key_file is required",
    );
    assert_problem(
        &variant("key_env: OPENAI_API_KEY", "key_env: 1KEY"),
        r#"backends[0].auth.key_env: "1KEY" is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)"#,
    );
    assert_problem(
        &variant("key_file: secrets/azure.key", "key_file: ''"),
        "backends[1].auth.key_file: must not be empty",
    );
}

#[test]
fn key_file_needs_native() {
    assert_problem(
        &variant("module: native", "module: wasm"),
        "backends[1].auth.key_file: not available with module wasm (proxy-wasm cannot read files); use key_env or module native",
    );
}

#[test]
fn route_problems() {
    assert_problem(
        &variant("name: gpt", "name: ''"),
        "routes[0].name: must not be empty",
    );
    assert_problem(
        &variant("  - name: az\n", "  - name: gpt\n"),
        r#"routes[1].name: duplicate route "gpt" (also routes[0])"#,
    );
    assert_problem(
        &variant("models: [gpt-4o-mini]", "models: []"),
        "routes[0].models: at least one model is required (or model_prefix / model_regex)",
    );
    assert_problem(
        &variant("models: [gpt-4o-mini]", "models: ['']"),
        "routes[0].models[0]: must not be empty",
    );
    assert_problem(
        &variant("models: [gpt-4o]", "models: [x, gpt-4o-mini]"),
        r#"routes[1].models[1]: model "gpt-4o-mini" is already routed by routes[0].models[0]"#,
    );
    assert_problem(
        &variant("backend: azure", "backend: foo"),
        r#"routes[1].backend: unknown backend "foo""#,
    );
    assert_problem(
        &variant("model_override: prod-gpt4o", "model_override: ''"),
        "routes[1].model_override: must not be empty",
    );
}

#[test]
fn cost_problems() {
    assert_problem(
        &variant("metadata_key: llm_total_token", "metadata_key: 'a-b'"),
        r#"costs[0].metadata_key: "a-b" must be non-empty and use only letters, digits and _"#,
    );
    assert_problem(
        &variant(
            "metadata_key: llm_total_token",
            "metadata_key: total_tokens",
        ),
        r#"costs[0].metadata_key: "total_tokens" is written by token-usage itself; choose another key"#,
    );
    assert_problem(
        &variant("metadata_key: llm_total_token", "metadata_key: mcp_tool"),
        r#"costs[0].metadata_key: "mcp_tool" is written by the MCP router; choose another key"#,
    );
    assert_problem(
        &variant(
            "  - { metadata_key: llm_total_token, type: TotalToken }\n",
            "  - { metadata_key: k, type: TotalToken }\n  - { metadata_key: k, type: InputToken }\n",
        ),
        r#"costs[1].metadata_key: duplicate key "k" (also costs[0])"#,
    );
}

#[test]
fn cel_costs_global_and_per_route() {
    let yaml = variant(
        "    model_override: null\n",
        "    model_override: null\n    costs:\n      - { metadata_key: usd, type: CEL, cel: 'input_tokens * 3 + reasoning_tokens' }\n      - { metadata_key: r, type: ReasoningToken }\n",
    )
    .replace(
        "  - { metadata_key: llm_total_token, type: TotalToken }\n",
        "  - { metadata_key: llm_total_token, type: TotalToken }\n  - { metadata_key: w, type: CacheCreationInputToken }\n  - { metadata_key: usd, type: CEL, cel: 'total_tokens' }\n",
    );
    let c = from_yaml(&yaml, Path::new("/cfg")).unwrap();
    assert_eq!(c.costs[2].kind, CostType::Cel);
    assert_eq!(c.costs[2].cel.as_deref(), Some("total_tokens"));
    assert_eq!(c.routes[0].costs[1].kind, CostType::ReasoningToken);
    assert!(c.routes[1].costs.is_empty());
    assert!(c.has_costs());
}

#[test]
fn cel_problems_name_the_route_and_column() {
    let route_cost = |cost: &str| {
        variant(
            "    model_override: prod-gpt4o\n",
            &format!("    model_override: prod-gpt4o\n    costs:\n      - {cost}\n"),
        )
    };
    assert_problem(
        &route_cost("{ metadata_key: usd, type: CEL, cel: 'input_tokens + tokens' }"),
        "routes[1].costs[0].cel: route \"az\": CEL error at column 16: unknown variable `tokens`; expected one of model, backend, route_name, input_tokens, cached_input_tokens, cache_creation_input_tokens, output_tokens, total_tokens, reasoning_tokens",
    );
    assert_problem(
        &route_cost("{ metadata_key: usd, type: CEL }"),
        "routes[1].costs[0].cel: route \"az\": required when type is CEL",
    );
    assert_problem(
        &route_cost("{ metadata_key: usd, type: InputToken, cel: '1' }"),
        "routes[1].costs[0].cel: route \"az\": only allowed with type CEL",
    );
    assert_problem(
        &route_cost("{ metadata_key: input_tokens, type: InputToken }"),
        "routes[1].costs[0].metadata_key: route \"az\": \"input_tokens\" is written by token-usage itself; choose another key",
    );
    assert_problem(
        &variant("type: TotalToken }", "type: CEL, cel: 'model' }"),
        "costs[0].cel: CEL error: expression yields a string; it must yield an int or uint",
    );
}

#[test]
fn load_reports_the_file() {
    let e = load(Path::new("/nonexistent/aigw.yaml")).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("invalid config /nonexistent/aigw.yaml:\n  cannot read the file:"),
        "{e}"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gw.yaml");
    std::fs::write(&path, variant("backend: azure", "backend: foo")).unwrap();
    let e = load(&path).unwrap_err();
    assert_eq!(
        e.problems,
        vec![r#"routes[1].backend: unknown backend "foo" (line 22, column 14)"#.to_string()]
    );
}

#[test]
fn committed_schema_is_current() {
    let committed: serde_json::Value =
        serde_json::from_str(include_str!("../../gateway.schema.json")).unwrap();
    assert_eq!(
        committed,
        json_schema(),
        "regenerate with: aigw schema > control-plane/gateway.schema.json"
    );
}

#[test]
fn anthropic_backend_defaults_endpoint_and_needs_its_key_kind() {
    let anthropic = "  - name: claude\n    schema: Anthropic\n    auth: { kind: anthropic_api_key, key_env: ANTHROPIC_API_KEY }\nroutes:";
    let c = from_yaml(&variant("routes:", anthropic), Path::new("/cfg")).unwrap();
    assert_eq!(c.backends[2].schema, Schema::Anthropic);
    assert_eq!(c.backends[2].endpoint_url(), "https://api.anthropic.com");
    let bearer = anthropic.replace("anthropic_api_key", "bearer");
    assert_problem(
        &variant("routes:", &bearer),
        "backends[2].auth.kind: schema Anthropic authenticates with anthropic_api_key (x-api-key), got bearer",
    );
    assert_problem(
        &variant("    endpoint: https://api.openai.com/v1\n", ""),
        "backends[0].endpoint: required for schema OpenAI",
    );
}

#[test]
fn gemini_backend_defaults_endpoint_and_needs_its_key_kind() {
    let gemini = "  - name: gem\n    schema: Gemini\n    auth: { kind: gemini_api_key, key_env: GEMINI_API_KEY }\nroutes:";
    let c = from_yaml(&variant("routes:", gemini), Path::new("/cfg")).unwrap();
    assert_eq!(c.backends[2].schema, Schema::Gemini);
    assert_eq!(
        c.backends[2].endpoint_url(),
        "https://generativelanguage.googleapis.com"
    );
    let bearer = gemini.replace("gemini_api_key", "bearer");
    assert_problem(
        &variant("routes:", &bearer),
        "backends[2].auth.kind: schema Gemini authenticates with gemini_api_key (x-goog-api-key), got bearer",
    );
}

#[test]
fn cohere_backend_defaults_endpoint_and_needs_bearer() {
    let cohere = "  - name: co\n    schema: Cohere\n    auth: { kind: bearer, key_env: CO_API_KEY }\nroutes:";
    let c = from_yaml(&variant("routes:", cohere), Path::new("/cfg")).unwrap();
    assert_eq!(c.backends[2].schema, Schema::Cohere);
    assert_eq!(c.backends[2].endpoint_url(), "https://api.cohere.com");
    let wrong = cohere.replace("bearer", "anthropic_api_key");
    assert_problem(
        &variant("routes:", &wrong),
        "backends[2].auth.kind: schema Cohere authenticates with bearer (authorization: Bearer <key>), got anthropic_api_key",
    );
}

#[test]
fn bedrock_backend_endpoint_from_region_and_needs_sigv4() {
    let bedrock = "  - name: br\n    schema: AWSBedrock\n    auth: { kind: aws_sigv4, region: eu-west-1 }\nroutes:";
    let c = from_yaml(&variant("routes:", bedrock), Path::new("/cfg")).unwrap();
    assert_eq!(c.backends[2].schema, Schema::AwsBedrock);
    assert_eq!(
        c.backends[2].endpoint_url(),
        "https://bedrock-runtime.eu-west-1.amazonaws.com"
    );
    assert_problem(
        &variant(
            "routes:",
            "  - name: br\n    schema: AWSBedrock\n    auth: { kind: aws_sigv4 }\nroutes:",
        ),
        "backends[2].endpoint: required for schema AWSBedrock unless auth.region is set (then https://bedrock-runtime.<region>.amazonaws.com)",
    );
    assert_problem(
        &variant(
            "routes:",
            "  - name: br\n    schema: AWSBedrock\n    endpoint: https://bedrock-runtime.us-east-2.amazonaws.com\n    auth: { kind: bearer, key_env: K }\nroutes:",
        ),
        "backends[2].auth.kind: schema AWSBedrock authenticates with aws_sigv4 or aws_web_identity, got bearer",
    );
}

#[test]
fn bedrock_anthropic_backend_endpoint_from_region_and_needs_aws_auth() {
    let yaml = "  - name: ba\n    schema: AWSAnthropic\n    auth: { kind: aws_sigv4, region: us-west-2 }\nroutes:";
    let c = from_yaml(&variant("routes:", yaml), Path::new("/cfg")).unwrap();
    assert_eq!(c.backends[2].schema, Schema::AwsAnthropic);
    assert_eq!(
        c.backends[2].endpoint_url(),
        "https://bedrock-runtime.us-west-2.amazonaws.com"
    );
    assert_problem(
        &variant(
            "routes:",
            "  - name: ba\n    schema: AWSAnthropic\n    auth: { kind: aws_sigv4 }\nroutes:",
        ),
        "backends[2].endpoint: required for schema AWSAnthropic unless auth.region is set (then https://bedrock-runtime.<region>.amazonaws.com)",
    );
    assert_problem(
        &variant(
            "routes:",
            "  - name: ba\n    schema: AWSAnthropic\n    endpoint: https://bedrock-runtime.us-east-2.amazonaws.com\n    auth: { kind: anthropic_api_key, key_env: K }\nroutes:",
        ),
        "backends[2].auth.kind: schema AWSAnthropic authenticates with aws_sigv4 or aws_web_identity, got anthropic_api_key",
    );
}

#[test]
fn limits_default_and_are_checked() {
    let c = from_yaml(VALID, Path::new("/cfg")).unwrap();
    assert_eq!(c.limits, super::limits::Limits::default());
    assert_eq!(c.limits.max_tools, 128);
    let yaml = format!(
        "{VALID}\nlimits: {{max_messages: 0, max_request_bytes: 0, max_request_headers_kb: 9000}}\n"
    );
    let p = problems(&yaml);
    assert!(
        p.iter()
            .any(|e| e == "limits.max_messages: must be at least 1"),
        "{p:#?}"
    );
    assert!(
        p.iter()
            .any(|e| e.starts_with("limits.max_request_bytes: must be between 1 and")),
        "{p:#?}"
    );
    assert!(
        p.iter()
            .any(|e| e.starts_with("limits.max_request_headers_kb: must be between 1 and 8192")),
        "{p:#?}"
    );
}

#[test]
fn identity_metrics_name_header_fields() {
    let with = |section: &str| format!("{VALID}identity_metrics: {section}\n");
    let c = from_yaml(&with("{ user_header: x-user-id }"), Path::new("/")).unwrap();
    let m = c.identity_metrics.unwrap();
    assert_eq!(m.user_header.as_deref(), Some("x-user-id"));
    assert_eq!(m.team_header, None);
    for (section, want) in [
        (
            "{}",
            "identity_metrics: name user_header, team_header or both",
        ),
        (
            "{ team_header: X-Team }",
            "identity_metrics.team_header: \"X-Team\" must be a lowercase HTTP header name",
        ),
    ] {
        let err = from_yaml(&with(section), Path::new("/"))
            .unwrap_err()
            .join("\n");
        assert!(err.contains(want), "{section}: {err}");
    }
}
