//! The built-in config of `aigw run` without a config file.

use std::net::SocketAddr;

use crate::config::{
    Auth, AuthKind, Backend, DEFAULT_ADMIN, DEFAULT_LISTEN, GatewayConfig, ModuleKind, Route,
    Schema,
};

use super::demo::{DEMO_KEY_ENV, DEMO_NAME};
use crate::config::endpoint;

/// Environment variable enabling the `openai` backend.
pub const OPENAI_KEY_ENV: &str = "OPENAI_API_KEY";
/// Environment variable overriding the OpenAI endpoint.
pub const OPENAI_BASE_URL_ENV: &str = "OPENAI_BASE_URL";
/// Endpoint used when `OPENAI_BASE_URL` is unset.
pub const OPENAI_DEFAULT_ENDPOINT: &str = "https://api.openai.com/v1";
/// Models the default `openai` backend serves.
pub const OPENAI_MODELS: [&str; 10] = [
    "gpt-4o",
    "gpt-4o-mini",
    "gpt-4.1",
    "gpt-4.1-mini",
    "gpt-4.1-nano",
    "o3-mini",
    "o4-mini",
    "text-embedding-3-small",
    "text-embedding-3-large",
    "gpt-3.5-turbo-instruct",
];

/// The default config: the `demo` model on the bundled backend at `demo_addr`, plus an
/// `openai` backend when `openai_endpoint` is given.
pub fn default_config(demo_addr: SocketAddr, openai_endpoint: Option<String>) -> GatewayConfig {
    let mut backends = vec![Backend {
        name: DEMO_NAME.into(),
        schema: Schema::OpenAI,
        endpoint: format!("http://{demo_addr}/v1"),
        preset: None,
        azure_api_version: None,
        project: None,
        region: None,
        inference_pool: None,
        auth: Auth::from_key_env(AuthKind::Bearer, DEMO_KEY_ENV),
    }];
    let mut routes = vec![Route {
        name: DEMO_NAME.into(),
        models: vec![DEMO_NAME.into()],
        model_prefix: None,
        model_regex: None,
        headers: Vec::new(),
        host: None,
        backend: DEMO_NAME.into(),
        model_override: None,
        backends: Vec::new(),
        retry: None,
        costs: Vec::new(),
    }];
    if let Some(endpoint) = openai_endpoint {
        backends.push(Backend {
            name: "openai".into(),
            schema: Schema::OpenAI,
            endpoint,
            preset: None,
            azure_api_version: None,
            project: None,
            region: None,
            inference_pool: None,
            auth: Auth::from_key_env(AuthKind::Bearer, OPENAI_KEY_ENV),
        });
        routes.push(Route {
            name: "openai".into(),
            models: OPENAI_MODELS.iter().map(|m| m.to_string()).collect(),
            model_prefix: None,
            model_regex: None,
            headers: Vec::new(),
            host: None,
            backend: "openai".into(),
            model_override: None,
            backends: Vec::new(),
            retry: None,
            costs: Vec::new(),
        });
    }
    GatewayConfig {
        listen: DEFAULT_LISTEN.parse().expect("valid constant address"),
        admin: DEFAULT_ADMIN.parse().expect("valid constant address"),
        module: ModuleKind::Native,
        backends,
        routes,
        costs: Vec::new(),
        rate_limits: None,
        mcp: None,
        limits: Default::default(),
        identity_metrics: None,
    }
}

/// The OpenAI endpoint from the environment, when `OPENAI_API_KEY` is set; an invalid
/// `OPENAI_BASE_URL` is an error naming the variable.
pub fn openai_endpoint_from_env() -> Result<Option<String>, String> {
    if std::env::var_os(OPENAI_KEY_ENV).is_none_or(|k| k.is_empty()) {
        return Ok(None);
    }
    let endpoint = std::env::var(OPENAI_BASE_URL_ENV)
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| OPENAI_DEFAULT_ENDPOINT.into());
    endpoint::parse(&endpoint).map_err(|e| format!("{OPENAI_BASE_URL_ENV}: {e}"))?;
    Ok(Some(endpoint))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::check;

    #[test]
    fn demo_only_is_valid() {
        let c = default_config("127.0.0.1:4000".parse().unwrap(), None);
        assert_eq!(check(&c), Ok(()));
        assert_eq!(c.backends.len(), 1);
        assert_eq!(c.backends[0].endpoint, "http://127.0.0.1:4000/v1");
        assert_eq!(c.backends[0].auth.key_env.as_deref(), Some(DEMO_KEY_ENV));
    }

    #[test]
    fn openai_added_when_endpoint_given() {
        let c = default_config(
            "127.0.0.1:4000".parse().unwrap(),
            Some(OPENAI_DEFAULT_ENDPOINT.into()),
        );
        assert_eq!(check(&c), Ok(()));
        assert_eq!(c.routes[1].models.len(), OPENAI_MODELS.len());
        assert_eq!(c.backends[1].auth.key_env.as_deref(), Some(OPENAI_KEY_ENV));
    }
}
