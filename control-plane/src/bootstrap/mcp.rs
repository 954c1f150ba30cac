//! The MCP gateway's part of the bootstrap: the mcp-router filter on the listener and one
//! cluster per MCP server (reached by the filter's HTTP callouts).

use serde_json::{Value, json};

use super::cluster::{MAX_CONCURRENT, tls_socket};
use super::filters::{ModuleSettings, module_filter};
use super::socket_address_parts;
use crate::artifacts::FilterModule;
use crate::config::endpoint::{self, Endpoint};
use crate::config::mcp::{McpAuthKind, McpConfig};

const CONNECT_TIMEOUT: &str = "10s";

/// The Envoy cluster name of an MCP server.
pub fn cluster_name(server: &str) -> String {
    format!("aigw-mcp-{server}")
}

/// The mcp-router filter entry for the listener.
pub fn filter(settings: &ModuleSettings<'_>, mcp: &McpConfig) -> Result<Value, String> {
    let mut servers = Vec::with_capacity(mcp.servers.len());
    for (i, server) in mcp.servers.iter().enumerate() {
        let ep = parse(&server.url, i)?;
        let mut entry = json!({
            "name": server.name,
            "cluster": cluster_name(&server.name),
            "authority": authority(&ep),
            "path": ep.path_prefix,
            "tools": server.tools.to_core_json(),
        });
        if let Some(auth) = &server.auth {
            entry["auth"] = json!({
                "kind": match auth.kind {
                    McpAuthKind::Bearer => "bearer",
                    McpAuthKind::Header => "header",
                },
                "key_env": auth.key_env,
            });
            if let Some(header) = &auth.header {
                entry["auth"]["header"] = json!(header);
            }
        }
        servers.push(entry);
    }
    let mut config = json!({
        "path": mcp.path,
        "separator": mcp.separator,
        "session_key_env": mcp.session_key_env,
        "callout_timeout_ms": mcp.callout_timeout_ms,
        "servers": servers,
    });
    if let Some(var) = &mcp.session_fallback_key_env {
        config["session_fallback_key_env"] = json!(var);
    }
    if let Some(authz) = &mcp.authorization {
        // The filter takes the section as written (field names match).
        config["authorization"] = serde_json::to_value(authz)
            .map_err(|e| format!("mcp.authorization: cannot encode: {e}"))?;
    }
    Ok(module_filter(
        settings,
        FilterModule::McpRouter,
        &config,
        &mcp.env_vars(),
    ))
}

/// One cluster per MCP server.
pub fn clusters(mcp: &McpConfig) -> Result<Vec<Value>, String> {
    let mut clusters = Vec::with_capacity(mcp.servers.len());
    for (i, server) in mcp.servers.iter().enumerate() {
        let ep = parse(&server.url, i)?;
        let name = cluster_name(&server.name);
        let mut cluster = json!({
            "name": name,
            "type": if ep.is_ip { "STATIC" } else { "LOGICAL_DNS" },
            "connect_timeout": CONNECT_TIMEOUT,
            "dns_lookup_family": "V4_PREFERRED",
            "circuit_breakers": {"thresholds": [{
                "max_connections": MAX_CONCURRENT,
                "max_pending_requests": MAX_CONCURRENT,
                "max_requests": MAX_CONCURRENT,
            }]},
            "load_assignment": {
                "cluster_name": name,
                "endpoints": [{"lb_endpoints": [{"endpoint": {
                    "address": socket_address_parts(&ep.host, ep.port),
                }}]}],
            },
        });
        if ep.tls {
            cluster["transport_socket"] = tls_socket(&ep.host);
        }
        clusters.push(cluster);
    }
    Ok(clusters)
}

fn parse(url: &str, index: usize) -> Result<Endpoint, String> {
    endpoint::parse(url).map_err(|e| format!("mcp.servers[{index}].url: {e}"))
}

/// `host[:port]` as the server expects it in `host` (default ports omitted).
fn authority(ep: &Endpoint) -> String {
    let host = if ep.host.contains(':') {
        format!("[{}]", ep.host)
    } else {
        ep.host.clone()
    };
    let default_port = if ep.tls { 443 } else { 80 };
    if ep.port == default_port {
        host
    } else {
        format!("{host}:{}", ep.port)
    }
}

#[cfg(test)]
#[path = "mcp_tests.rs"]
mod tests;
