//! The common `mcpServers` JSON file of MCP clients, as read by `aigw run --mcp-config`:
//! `{"mcpServers": {"<name>": {"url": "..."} | {"command": "...", "args": [...], "env": {...}}}}`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

/// One entry of `mcpServers`, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum McpServerEntry {
    /// A Streamable HTTP server reached at `url`.
    Url {
        /// Server name (the key in `mcpServers`).
        name: String,
        /// Its MCP endpoint.
        url: String,
    },
    /// A stdio server `aigw` spawns and serves as Streamable HTTP.
    Stdio {
        /// Server name (the key in `mcpServers`).
        name: String,
        /// Program to run.
        command: String,
        /// Its arguments.
        args: Vec<String>,
        /// Environment variables added to aigw's own.
        env: BTreeMap<String, String>,
    },
}

impl McpServerEntry {
    /// The server's name.
    pub fn name(&self) -> &str {
        match self {
            Self::Url { name, .. } | Self::Stdio { name, .. } => name,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct File {
    mcp_servers: BTreeMap<String, RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    command: Option<String>,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
}

/// Reads and checks the file at `path`; errors name the file and the entry's field.
pub fn load(path: &Path) -> Result<Vec<McpServerEntry>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read MCP config {}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("MCP config {}: {e}", path.display()))
}

/// Parses and checks `mcpServers` JSON text; entries come in name order.
pub fn parse(text: &str) -> Result<Vec<McpServerEntry>, String> {
    let file: File = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if file.mcp_servers.is_empty() {
        return Err("mcpServers: names no server".to_string());
    }
    file.mcp_servers
        .into_iter()
        .map(|(name, raw)| entry(name, raw))
        .collect()
}

fn entry(name: String, raw: RawEntry) -> Result<McpServerEntry, String> {
    let at = format!("mcpServers.{name}");
    let kind = raw.kind.as_deref();
    match (raw.url, raw.command) {
        (Some(_), Some(_)) => Err(format!("{at}: give either url or command, not both")),
        (None, None) => Err(format!(
            "{at}: needs url (HTTP server) or command (stdio server)"
        )),
        (Some(url), None) => {
            if !matches!(
                kind,
                None | Some("http" | "streamable-http" | "streamableHttp")
            ) {
                return Err(format!(
                    "{at}.type: {:?} is not served; url servers must speak Streamable HTTP",
                    kind.unwrap_or_default()
                ));
            }
            if !raw.args.is_empty() || !raw.env.is_empty() {
                return Err(format!("{at}: args and env apply to stdio servers only"));
            }
            Ok(McpServerEntry::Url { name, url })
        }
        (None, Some(command)) => {
            if !matches!(kind, None | Some("stdio")) {
                return Err(format!(
                    "{at}.type: {:?} does not match a command (stdio server)",
                    kind.unwrap_or_default()
                ));
            }
            if command.trim().is_empty() {
                return Err(format!("{at}.command: must not be empty"));
            }
            Ok(McpServerEntry::Stdio {
                name,
                command,
                args: raw.args,
                env: raw.env,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_url_and_stdio_servers() {
        let text = r#"{"mcpServers": {
            "web": {"url": "http://127.0.0.1:8001/mcp"},
            "files": {"type": "stdio", "command": "python3", "args": ["-m", "srv"],
                      "env": {"ROOT": "/tmp"}}}}"#;
        let entries = parse(text).unwrap();
        assert_eq!(
            entries,
            vec![
                McpServerEntry::Stdio {
                    name: "files".into(),
                    command: "python3".into(),
                    args: vec!["-m".into(), "srv".into()],
                    env: BTreeMap::from([("ROOT".into(), "/tmp".into())]),
                },
                McpServerEntry::Url {
                    name: "web".into(),
                    url: "http://127.0.0.1:8001/mcp".into(),
                },
            ]
        );
        assert_eq!(entries[1].name(), "web");
    }

    #[test]
    fn refuses_what_cannot_be_served() {
        let cases = [
            (r#"{"mcpServers": {}}"#, "mcpServers: names no server"),
            (
                r#"{"mcpServers": {"a": {}}}"#,
                "mcpServers.a: needs url (HTTP server) or command (stdio server)",
            ),
            (
                r#"{"mcpServers": {"a": {"url": "http://h/mcp", "command": "x"}}}"#,
                "mcpServers.a: give either url or command, not both",
            ),
            (
                r#"{"mcpServers": {"a": {"type": "sse", "url": "http://h/sse"}}}"#,
                "mcpServers.a.type: \"sse\" is not served; url servers must speak Streamable HTTP",
            ),
            (
                r#"{"mcpServers": {"a": {"command": " "}}}"#,
                "mcpServers.a.command: must not be empty",
            ),
            (
                r#"{"mcpServers": {"a": {"url": "http://h/mcp", "args": ["x"]}}}"#,
                "mcpServers.a: args and env apply to stdio servers only",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(parse(text).unwrap_err(), want, "{text}");
        }
        let e = parse(r#"{"mcpServers": {"a": {"url": "u", "headers": {}}}}"#).unwrap_err();
        assert!(e.contains("unknown field `headers`"), "{e}");
    }
}
