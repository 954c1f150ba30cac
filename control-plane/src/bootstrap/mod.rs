//! Gateway config -> Envoy bootstrap (YAML), following docs/internals.md.

pub mod access_log;
mod anthropic_routes;
pub(crate) mod auth;
pub(crate) mod cluster;
mod fallback;
pub mod filters;
pub mod inference_pool;
pub(crate) mod listener;
mod local_reply;
mod mcp;
pub mod rate_limit;
pub(crate) mod routes;

use std::net::SocketAddr;
use std::path::Path;

use aigw_core::metrics::{LABEL_TEAM, LABEL_USER, MCP_OPERATION_LABELS, TOKEN_USAGE_LABELS};
use serde_json::{Value, json};

use crate::config::endpoint;
use crate::config::{GatewayConfig, ModuleKind};

/// Most client connections Envoy keeps open at once.
pub const MAX_DOWNSTREAM_CONNECTIONS: u64 = 50_000;

/// Inputs of the generator besides the gateway config.
pub struct GenerateOptions<'a> {
    /// Directory of the module artifacts (absolute).
    pub modules_dir: &'a Path,
    /// Access log file (absolute).
    pub access_log: &'a Path,
}

/// The Envoy cluster name of a backend.
pub fn cluster_name(backend: &str) -> String {
    format!("aigw-backend-{backend}")
}

/// The Envoy resources of a gateway config, with routes and filter configs inline: `aigw run`
/// puts them in a bootstrap's `static_resources`, `aigw serve` splits them into xDS resources.
pub struct Resources {
    /// The client-facing listener (HTTP connection manager with inline route config).
    pub listener: Value,
    /// One cluster per backend, then one per MCP server.
    pub clusters: Vec<Value>,
}

/// Generates the listener and clusters. The config must have passed validation.
pub fn resources(config: &GatewayConfig, opts: &GenerateOptions<'_>) -> Result<Resources, String> {
    let mut env_keys: Vec<String> = config.backends.iter().flat_map(auth::env_vars).collect();
    env_keys.sort();
    env_keys.dedup();
    let settings = filters::ModuleSettings {
        kind: config.module,
        dir: opts.modules_dir,
    };
    let mut clusters = Vec::with_capacity(config.backends.len());
    for (i, b) in config.backends.iter().enumerate() {
        if let Some(pool) = &b.inference_pool {
            let at = format!("backends[{i}]");
            clusters.extend(inference_pool::clusters(
                &settings, b, pool, &env_keys, &at,
            )?);
            continue;
        }
        let ep = endpoint::parse(&b.endpoint_url())
            .map_err(|e| format!("backends[{i}].endpoint: {e}"))?;
        clusters.push(cluster::cluster(config, opts, b, &ep, &env_keys));
        let token_url =
            crate::config::token_url(&b.auth).or_else(|| crate::config::sts_url(&b.auth, &ep.host));
        if let Some(url) = token_url {
            let ep = endpoint::parse(&url)
                .map_err(|e| format!("backends[{i}].auth: token endpoint: {e}"))?;
            clusters.push(cluster::token_cluster(
                &auth::token_cluster_name(&b.name),
                &ep,
            ));
        }
        if let Some(url) = &b.auth.service_account_impersonation_url {
            let ep = endpoint::parse(url).map_err(|e| {
                format!("backends[{i}].auth.service_account_impersonation_url: {e}")
            })?;
            clusters.push(cluster::token_cluster(
                &auth::impersonation_cluster_name(&b.name),
                &ep,
            ));
        }
    }
    clusters.extend(fallback::clusters(config, &settings, &env_keys)?);
    let mut mcp_filter = None;
    let mut mcp_routes = Vec::new();
    if let Some(m) = &config.mcp {
        clusters.extend(mcp::clusters(m)?);
        mcp_filter = Some(mcp::filter(&settings, m)?);
        mcp_routes = mcp::routes(m)?;
    }
    let rate_limits = match &config.rate_limits {
        Some(r) => {
            let routes: Vec<&str> = config.routes.iter().map(|r| r.name.as_str()).collect();
            Some(rate_limit::wiring(r, config.module, &routes)?)
        }
        None => None,
    };
    if let Some(w) = &rate_limits {
        clusters.push(w.cluster.clone());
        clusters.extend(w.jwks_cluster.clone());
    }
    Ok(Resources {
        listener: listener::listener(
            config,
            opts,
            config.listen,
            mcp_filter,
            mcp_routes,
            rate_limits.as_ref(),
        ),
        clusters,
    })
}

/// The bootstrap fields besides the resources (admin, stats, overload manager), shared by the
/// static bootstrap and the bootstrap that points an Envoy at `aigw serve`.
pub fn bootstrap_base(module: ModuleKind, admin: SocketAddr) -> Value {
    let mut bootstrap = json!({
        "admin": {"address": socket_address(admin)},
        "stats_flush_interval": "1s",
        "overload_manager": overload_manager(),
    });
    if module == ModuleKind::Wasm {
        // Labels show in Prometheus in the order of these entries.
        let tags: Vec<Value> = TOKEN_USAGE_LABELS
            .iter()
            .chain(&MCP_OPERATION_LABELS)
            .chain(&[LABEL_USER, LABEL_TEAM])
            .map(|l| json!({"tag_name": l, "regex": format!("(;{l}=([^;]*))")}))
            .collect();
        bootstrap["stats_config"] = json!({"stats_tags": tags});
    }
    bootstrap
}

/// Generates the bootstrap as a JSON value. The config must have passed validation.
pub fn generate(config: &GatewayConfig, opts: &GenerateOptions<'_>) -> Result<Value, String> {
    let Resources { listener, clusters } = resources(config, opts)?;
    let mut bootstrap = bootstrap_base(config.module, config.admin);
    bootstrap["static_resources"] = json!({"listeners": [listener], "clusters": clusters});
    Ok(bootstrap)
}

/// Generates the bootstrap as YAML text, with a header saying how to run it.
pub fn generate_yaml(config: &GatewayConfig, opts: &GenerateOptions<'_>) -> Result<String, String> {
    let value = generate(config, opts)?;
    let yaml = serde_yaml_ng::to_string(&value).map_err(|e| format!("cannot render YAML: {e}"))?;
    let header = match config.module {
        ModuleKind::Native => format!(
            "# Generated by aigw. Run Envoy with ENVOY_DYNAMIC_MODULES_SEARCH_PATH={}\n",
            opts.modules_dir.display()
        ),
        ModuleKind::Wasm => "# Generated by aigw.\n".to_string(),
    };
    Ok(header + &yaml)
}

/// Caps active downstream connections so a flood cannot exhaust file descriptors.
fn overload_manager() -> Value {
    json!({
        "resource_monitors": [{
            "name": "envoy.resource_monitors.global_downstream_max_connections",
            "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig",
                "max_active_downstream_connections": MAX_DOWNSTREAM_CONNECTIONS,
            }
        }]
    })
}

pub(crate) fn socket_address(addr: SocketAddr) -> Value {
    socket_address_parts(&addr.ip().to_string(), addr.port())
}

pub(crate) fn socket_address_parts(host: &str, port: u16) -> Value {
    json!({"socket_address": {"address": host, "port_value": port}})
}

#[cfg(test)]
mod rate_limit_tests;
#[cfg(test)]
mod routes_tests;
#[cfg(test)]
mod tests;
