//! The MCP gateway's part of the bootstrap: the mcp-router filter on the listener, one
//! cluster per MCP server (reached by the filter's HTTP callouts and by Envoy's router), and
//! one route per server for the requests the filter forwards to it.

use serde_json::{Value, json};

use super::cluster::{MAX_CONCURRENT, tls_socket};
use super::filters::{ModuleSettings, module_filter};
use super::socket_address_parts;
use crate::artifacts::FilterModule;
use crate::config::endpoint::{self, Endpoint};
use crate::config::mcp::{McpAuthKind, McpConfig};
use aigw_core::mcp::ROUTE_HEADER;

const CONNECT_TIMEOUT: &str = "10s";

/// Name of the cluster the mcp-router filter fetches `authorization.jwks_uri` through.
pub const JWKS_CLUSTER: &str = "aigw-mcp-jwks";

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
        if !server.forward_headers.is_empty() {
            entry["forward_headers"] = json!(server.forward_headers);
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
        if authz.jwks_uri.is_some() {
            config["authorization"]["jwks_cluster"] = json!(JWKS_CLUSTER);
        }
    }
    Ok(module_filter(
        settings,
        FilterModule::McpRouter,
        &config,
        &mcp.env_vars(),
    ))
}

/// One route per MCP server: the MCP path with the routing header the mcp-router filter
/// sets (overwriting the client's) naming the server, to the server's cluster with its path
/// and host, without the routing header. No timeout: a call's SSE answer or a GET stream lasts as long as the server
/// keeps it open (the listener's stream idle timeout still applies). These routes go
/// before every other route.
pub fn routes(mcp: &McpConfig) -> Result<Vec<Value>, String> {
    let mut routes = Vec::with_capacity(mcp.servers.len());
    for (i, server) in mcp.servers.iter().enumerate() {
        let ep = parse(&server.url, i)?;
        let path = if ep.path_prefix.is_empty() {
            "/".to_string()
        } else {
            ep.path_prefix.clone()
        };
        routes.push(json!({
            "name": format!("mcp/{}", server.name),
            "match": {
                "path": mcp.path,
                "headers": [{"name": ROUTE_HEADER, "string_match": {"exact": server.name}}],
            },
            "route": {
                "cluster": cluster_name(&server.name),
                "prefix_rewrite": path,
                "host_rewrite_literal": authority(&ep),
                "timeout": "0s",
            },
            // The routing header is the gateway's own: the server never sees it.
            "request_headers_to_remove": [ROUTE_HEADER],
        }));
    }
    Ok(routes)
}

/// One cluster per MCP server, and the one reaching `authorization.jwks_uri` if given.
pub fn clusters(mcp: &McpConfig) -> Result<Vec<Value>, String> {
    let mut clusters = Vec::with_capacity(mcp.servers.len() + 1);
    if let Some(uri) = mcp
        .authorization
        .as_ref()
        .and_then(|a| a.jwks_uri.as_deref())
    {
        let field = "mcp.authorization.jwks_uri";
        clusters.push(super::cluster::jwks_cluster(JWKS_CLUSTER, uri, field)?);
    }
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
