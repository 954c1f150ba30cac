//! Merging the answers of several backends into the one answer the client gets.

use super::lists::ListKind;
use serde_json::{Map, Value, json};

/// Name the gateway gives itself in `serverInfo`.
pub const GATEWAY_NAME: &str = "aigw-mcp-gateway";

/// Capabilities the gateway relays when at least one backend offers them.
const RELAYED_CAPABILITIES: &[&str] = &["tools", "prompts", "resources", "completions", "logging"];

/// Whom the client's session reaches, which decides the sub-flags relayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// One server, whose server stream (GET) the client gets: its sub-flags such as
    /// `listChanged` and `subscribe` are relayed, since the notifications they promise
    /// arrive on that stream.
    StreamedServer,
    /// Several servers, or one without a stream: sub-flags are not advertised, since their
    /// notifications would arrive on server streams the client does not get.
    Merged,
}

/// The `initialize` result for the client, from the backends' results (in server order):
/// the negotiated `version`, the union of their capabilities (see [`Reach`] for sub-flags),
/// the gateway's own `serverInfo`, and the backends' instructions, each headed by its server.
pub fn initialize_result<'a>(
    version: &str,
    reach: Reach,
    backends: impl IntoIterator<Item = (&'a str, &'a Value)>,
) -> Value {
    let mut capabilities = Map::new();
    let mut instructions = Vec::new();
    for (server, result) in backends {
        if let Some(offered) = result.get("capabilities").and_then(Value::as_object) {
            for name in RELAYED_CAPABILITIES {
                let Some(flags) = offered.get(*name) else {
                    continue;
                };
                let relayed = match (reach, name) {
                    (Reach::StreamedServer, _) | (_, &"completions" | &"logging") => flags.clone(),
                    (Reach::Merged, _) => json!({}),
                };
                if !capabilities.contains_key(*name) {
                    capabilities.insert((*name).to_string(), relayed);
                }
            }
        }
        if let Some(text) = result.get("instructions").and_then(Value::as_str) {
            instructions.push(format!("[{server}] {text}"));
        }
    }
    let mut result = json!({
        "protocolVersion": version,
        "capabilities": capabilities,
        "serverInfo": {"name": GATEWAY_NAME, "version": env!("CARGO_PKG_VERSION")},
    });
    if !instructions.is_empty() {
        result["instructions"] = Value::String(instructions.join("\n\n"));
    }
    result
}

/// The list result for the client: every backend's items (servers in the order given,
/// items in the backend's order) renamed to `{server}{separator}{name}`. All pages were
/// collected by the gateway, so the result carries no `nextCursor`.
pub fn list_result<'a>(
    kind: ListKind,
    separator: &str,
    backends: impl IntoIterator<Item = (&'a str, Vec<Value>)>,
) -> Value {
    let mut items = Vec::new();
    for (server, backend_items) in backends {
        for mut item in backend_items {
            kind.rename(server, separator, &mut item);
            items.push(item);
        }
    }
    let mut result = Map::new();
    result.insert(kind.result_key().to_string(), Value::Array(items));
    Value::Object(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initialize_merges_capabilities_and_instructions() {
        let a = json!({"capabilities": {"tools": {"listChanged": true}, "logging": {}},
                       "serverInfo": {"name": "a"}, "instructions": "use a"});
        let b = json!({"capabilities": {"prompts": {}, "resources": {"subscribe": true}},
                       "serverInfo": {"name": "b"}});
        let merged = initialize_result("2025-06-18", Reach::Merged, [("a", &a), ("b", &b)]);
        assert_eq!(merged["protocolVersion"], "2025-06-18");
        assert_eq!(
            merged["capabilities"],
            json!({"tools": {}, "logging": {}, "prompts": {}, "resources": {}})
        );
        assert_eq!(merged["serverInfo"]["name"], GATEWAY_NAME);
        assert_eq!(merged["instructions"], "[a] use a");
    }

    #[test]
    fn a_streamed_server_keeps_its_sub_flags() {
        let only = json!({"capabilities": {
            "resources": {"subscribe": true, "listChanged": true},
            "completions": {}, "experimental": {"x": {}}
        }});
        let merged = initialize_result("2025-06-18", Reach::StreamedServer, [("a", &only)]);
        assert_eq!(
            merged["capabilities"],
            json!({"resources": {"subscribe": true, "listChanged": true}, "completions": {}})
        );
    }

    #[test]
    fn initialize_without_backends_offers_nothing() {
        let merged = initialize_result("2025-11-25", Reach::Merged, []);
        assert_eq!(merged["capabilities"], json!({}));
        assert!(merged.get("instructions").is_none());
    }

    #[test]
    fn lists_keep_server_then_backend_order_with_prefixes() {
        let merged = list_result(
            ListKind::Tools,
            "__",
            [
                ("b", vec![json!({"name": "z"}), json!({"name": "a"})]),
                ("a", vec![json!({"name": "m", "description": "d"})]),
            ],
        );
        assert_eq!(
            merged,
            json!({"tools": [{"name": "b__z"}, {"name": "b__a"}, {"name": "a__m", "description": "d"}]})
        );
    }
}
