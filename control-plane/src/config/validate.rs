//! Semantic checks of a parsed config; every error names the field path.

use std::collections::HashMap;

use super::endpoint;
use super::model::{AuthKind, Backend, GatewayConfig, ModuleKind, Route, Schema};
use super::validate_auth;

/// Returns every problem found, each as `field.path: message`.
pub fn validate(config: &GatewayConfig) -> Vec<String> {
    let mut errors = Vec::new();
    if config.listen == config.admin {
        errors.push(format!(
            "admin: must differ from listen ({})",
            config.listen
        ));
    }
    if config.backends.is_empty() {
        errors.push("backends: at least one backend is required".into());
    }
    if config.routes.is_empty() {
        errors.push("routes: at least one route is required".into());
    }
    let mut backends = HashMap::new();
    for (i, b) in config.backends.iter().enumerate() {
        let at = format!("backends[{i}]");
        backend(&at, b, &mut errors);
        if config.module == ModuleKind::Wasm && b.auth.key_file.is_some() {
            errors.push(format!(
                "{at}.auth.key_file: not available with module wasm (proxy-wasm cannot read files); use key_env or module native"
            ));
        }
        if config.module == ModuleKind::Wasm && b.auth.subject_token_file.is_some() {
            errors.push(format!(
                "{at}.auth.subject_token_file: not available with module wasm (proxy-wasm cannot read files); use subject_token_env or module native"
            ));
        }
        if config.module == ModuleKind::Wasm && b.auth.web_identity_token_file.is_some() {
            errors.push(format!(
                "{at}.auth.web_identity_token_file: not available with module wasm (proxy-wasm cannot read files); use web_identity_token_env or module native"
            ));
        }
        if config.module == ModuleKind::Wasm && b.auth.credentials_file.is_some() {
            errors.push(format!(
                "{at}.auth.credentials_file: not available with module wasm (proxy-wasm cannot read files); use the *_env variables or module native"
            ));
        }
        if let Some(first) = backends.insert(b.name.as_str(), i) {
            errors.push(format!(
                "{at}.name: duplicate backend {:?} (also backends[{first}])",
                b.name
            ));
        }
    }
    let pools: Vec<&str> = config
        .backends
        .iter()
        .filter(|b| b.inference_pool.is_some())
        .map(|b| b.name.as_str())
        .collect();
    let mut route_names = HashMap::new();
    let mut models = HashMap::new();
    for (i, r) in config.routes.iter().enumerate() {
        let at = format!("routes[{i}]");
        route(&at, r, &backends, &pools, &mut errors);
        if let Some(first) = route_names.insert(r.name.as_str(), i) {
            errors.push(format!(
                "{at}.name: duplicate route {:?} (also routes[{first}])",
                r.name
            ));
        }
        for (j, m) in r.models.iter().enumerate() {
            if let Some((fi, fj)) = models.insert(m.as_str(), (i, j)) {
                errors.push(format!(
                    "{at}.models[{j}]: model {m:?} is already routed by routes[{fi}].models[{fj}]"
                ));
            }
        }
    }
    super::validate_costs::costs("costs", "", &config.costs, &mut errors);
    for (i, r) in config.routes.iter().enumerate() {
        let at = format!("routes[{i}].costs");
        let context = format!("route {:?}: ", r.name);
        super::validate_costs::costs(&at, &context, &r.costs, &mut errors);
    }
    super::limits::validate(&config.limits, &mut errors);
    if let Some(m) = &config.identity_metrics {
        super::identity_metrics::validate(m, &mut errors);
    }
    if let Some(mcp) = &config.mcp {
        super::mcp::validate(mcp, is_env_name, &mut errors);
    }
    if let Some(limits) = &config.rate_limits {
        let routes: Vec<&str> = config.routes.iter().map(|r| r.name.as_str()).collect();
        super::rate_limit::validate(limits, &routes, &mut errors);
    }
    errors
}

fn backend(at: &str, b: &Backend, errors: &mut Vec<String>) {
    if b.name.is_empty()
        || !b
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        errors.push(format!(
            "{at}.name: {:?} must be non-empty and use only letters, digits, '-', '_' and '.'",
            b.name
        ));
    }
    super::preset::validate(at, b, errors);
    if let Some(pool) = &b.inference_pool {
        super::inference_pool::validate(at, b, pool, errors);
    }
    let url = b.endpoint_url();
    match endpoint::parse(&url) {
        // The missing region is reported by validate_vertex.
        _ if url.is_empty() && b.schema.is_vertex() => {}
        _ if b.inference_pool.is_some() => {}
        _ if url.is_empty() && b.schema.is_aws() => errors.push(format!(
            "{at}.endpoint: required for schema {} unless auth.region is set (then https://bedrock-runtime.<region>.amazonaws.com)",
            b.schema.as_str()
        )),
        _ if url.is_empty() => errors.push(format!(
            "{at}.endpoint: required for schema {}",
            b.schema.as_str()
        )),
        Ok(e) if b.schema == Schema::AzureOpenAI && !e.path_prefix.is_empty() => {
            errors.push(format!(
                "{at}.endpoint: an AzureOpenAI endpoint must not have a path (got {:?}); the path is /openai/deployments/<model>/...",
                e.path_prefix
            ));
        }
        Ok(_) => {}
        Err(e) => errors.push(format!("{at}.endpoint: {e}")),
    }
    match (b.schema, &b.azure_api_version) {
        (Schema::AzureOpenAI, None) => errors.push(format!(
            "{at}.azure_api_version: required for schema AzureOpenAI (e.g. 2024-10-21)"
        )),
        (Schema::AzureOpenAI, Some(v)) if !is_api_version(v) => errors.push(format!(
            "{at}.azure_api_version: {v:?} must look like YYYY-MM-DD or YYYY-MM-DD-preview"
        )),
        (
            Schema::OpenAI
            | Schema::Anthropic
            | Schema::Gemini
            | Schema::AwsBedrock
            | Schema::AwsAnthropic
            | Schema::GcpVertexAi
            | Schema::GcpAnthropic
            | Schema::Cohere,
            Some(_),
        ) => errors.push(format!(
            "{at}.azure_api_version: only valid with schema AzureOpenAI"
        )),
        _ => {}
    }
    if b.schema == Schema::Anthropic && b.auth.kind != AuthKind::AnthropicApiKey {
        errors.push(format!(
            "{at}.auth.kind: schema Anthropic authenticates with anthropic_api_key (x-api-key), got {}",
            b.auth.kind.as_str()
        ));
    }
    if b.schema == Schema::Gemini && b.auth.kind != AuthKind::GeminiApiKey {
        errors.push(format!(
            "{at}.auth.kind: schema Gemini authenticates with gemini_api_key (x-goog-api-key), got {}",
            b.auth.kind.as_str()
        ));
    }
    if b.schema == Schema::Cohere && b.auth.kind != AuthKind::Bearer {
        errors.push(format!(
            "{at}.auth.kind: schema Cohere authenticates with bearer (authorization: Bearer <key>), got {}",
            b.auth.kind.as_str()
        ));
    }
    if b.schema.is_aws() && !b.auth.kind.is_aws() {
        errors.push(format!(
            "{at}.auth.kind: schema {} authenticates with aws_sigv4 or aws_web_identity, got {}",
            b.schema.as_str(),
            b.auth.kind.as_str()
        ));
    }
    super::validate_vertex::backend(at, b, errors);
    let host = endpoint::parse(&b.endpoint).ok().map(|e| e.host);
    validate_auth::auth(
        &format!("{at}.auth"),
        &b.auth,
        host.as_deref(),
        is_env_name,
        errors,
    );
}

fn route(
    at: &str,
    r: &Route,
    backends: &HashMap<&str, usize>,
    pools: &[&str],
    errors: &mut Vec<String>,
) {
    if r.name.is_empty() {
        errors.push(format!("{at}.name: must not be empty"));
    }
    super::route_match::validate(at, r, errors);
    for (j, m) in r.models.iter().enumerate() {
        if m.is_empty() {
            errors.push(format!("{at}.models[{j}]: must not be empty"));
        }
    }
    if let Some(problem) = r.model_override.as_deref().and_then(model_name_problem) {
        errors.push(format!("{at}.model_override: {problem}"));
    }
    match (r.backend.is_empty(), r.backends.is_empty()) {
        (true, true) => errors.push(format!(
            "{at}.backend: required (or a list of backends in {at}.backends)"
        )),
        (false, false) => errors.push(format!(
            "{at}.backends: give either backend or backends, not both"
        )),
        (false, true) => {
            if !backends.contains_key(r.backend.as_str()) {
                errors.push(format!("{at}.backend: unknown backend {:?}", r.backend));
            }
            if r.retry.is_some() {
                errors.push(format!(
                    "{at}.retry: only valid with a list of backends ({at}.backends)"
                ));
            }
        }
        (true, false) => {
            if r.model_override.is_some() {
                errors.push(format!(
                    "{at}.model_override: with backends, set model_override on each entry of {at}.backends"
                ));
            }
            super::validate_fallback::route_backends(at, r, backends, pools, errors);
        }
    }
}

pub(super) fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

pub(super) fn is_env_name(s: &str) -> bool {
    is_identifier(s) && !s.starts_with(|c: char| c.is_ascii_digit())
}

/// `YYYY-MM-DD`, optionally followed by `-preview`.
fn is_api_version(v: &str) -> bool {
    let date = v.strip_suffix("-preview").unwrap_or(v).as_bytes();
    date.len() == 10
        && date.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

/// What is wrong with a model name a route sends to a backend (`model_override`): it is put
/// into request headers and bodies, so it must be non-empty and free of control characters.
pub(crate) fn model_name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("must not be empty")
    } else if name.chars().any(char::is_control) {
        Some("must not contain control characters")
    } else {
        None
    }
}
