//! `aigw run --mcp-config FILE`: the servers of an `mcpServers` file join the gateway config's
//! `mcp` section (created with a fresh session key when the config has none); stdio servers
//! are started behind a [`stdio_bridge`](super::stdio_bridge) first.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::mcp_json::{self, McpServerEntry};
use super::stdio_bridge;
use crate::config::GatewayConfig;
use crate::config::mcp::{McpConfig, McpServer};

/// Environment variable through which Envoy receives the session key `aigw run` generates
/// when the config has no `mcp` section.
pub const SESSION_KEY_ENV: &str = "AIGW_RUN_MCP_SESSION_KEY";

/// Adds the servers of the `mcpServers` file at `path` to `config`, spawning stdio servers
/// (their stderr goes to `<state_dir>/mcp-<name>.log`). Environment variables Envoy needs
/// are pushed to `env`.
pub async fn attach(
    config: &mut GatewayConfig,
    path: &Path,
    state_dir: &Path,
    env: &mut Vec<(String, String)>,
) -> Result<(), String> {
    let entries = mcp_json::load(path)?;
    let mcp = match &mut config.mcp {
        Some(mcp) => mcp,
        None => {
            env.push((SESSION_KEY_ENV.to_string(), session_key()?));
            config.mcp.insert(empty_section()?)
        }
    };
    for entry in entries {
        let url = match &entry {
            McpServerEntry::Url { url, .. } => url.clone(),
            McpServerEntry::Stdio {
                name,
                command,
                args,
                env,
            } => {
                let log = state_dir.join(format!("mcp-{name}.log"));
                stdio_bridge::start(name, command, args, env, &log).await?
            }
        };
        mcp.servers.push(McpServer {
            name: entry.name().to_string(),
            url,
            auth: None,
            tools: Default::default(),
            forward_headers: Vec::new(),
        });
    }
    Ok(())
}

/// An `mcp` section with the config's defaults, no servers, and the generated session key.
fn empty_section() -> Result<McpConfig, String> {
    let section = serde_json::json!({"session_key_env": SESSION_KEY_ENV, "servers": []});
    serde_json::from_value(section).map_err(|e| format!("mcp section: {e}"))
}

fn session_key() -> Result<String, String> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| format!("cannot generate the MCP session key: {e}"))?;
    Ok(STANDARD.encode(key))
}
