//! The split of generated resources into xDS resources, for both artifact kinds.

use std::collections::BTreeMap;
use std::path::Path;

use envoy_types::pb::envoy::config::core::v3::TypedExtensionConfig;
use envoy_types::pb::envoy::config::listener::v3::Listener;
use prost::Message;

use super::*;
use crate::bootstrap::{GenerateOptions, resources};
use crate::config::{ModuleKind, from_yaml};

const CONFIG: &str = r#"
backends:
  - { name: a, schema: OpenAI, endpoint: "http://127.0.0.1:8080", auth: { kind: bearer, key_env: A_KEY } }
  - { name: b, schema: Anthropic, endpoint: "https://api.anthropic.com", auth: { kind: anthropic_api_key, key_env: B_KEY } }
routes:
  - { name: r, models: [m1], backend: a }
  - { name: s, models: [m2], backend: b, model_override: claude-x }
costs:
  - { metadata_key: total, type: TotalToken }
"#;

fn snap(module: ModuleKind, config: &str) -> Snapshot {
    let mut config = from_yaml(config, Path::new("/")).unwrap();
    config.module = module;
    let opts = GenerateOptions {
        modules_dir: Path::new("/opt/aigw"),
        access_log: Path::new("/tmp/access.log"),
    };
    snapshot(resources(&config, &opts).unwrap()).unwrap()
}

fn digests(s: &Snapshot, t: &str) -> BTreeMap<String, u64> {
    s.0[&type_url(t)]
        .iter()
        .map(|(n, r)| (n.clone(), r.digest))
        .collect()
}

fn names(s: &Snapshot, t: &str) -> Vec<String> {
    s.0[&type_url(t)].keys().cloned().collect()
}

#[test]
fn filters_move_to_ecds_and_routes_to_rds() {
    for module in [ModuleKind::Native, ModuleKind::Wasm] {
        let s = snap(module, CONFIG);
        assert_eq!(names(&s, LISTENER), ["aigw"]);
        assert_eq!(names(&s, ROUTE), ["aigw"]);
        assert_eq!(names(&s, CLUSTER), ["aigw-backend-a", "aigw-backend-b"]);
        assert_eq!(
            names(&s, EXTENSION),
            [
                "aigw-backend-a/aigw_translate",
                "aigw-backend-a/aigw_upstream_auth",
                "aigw-backend-b/aigw_translate",
                "aigw-backend-b/aigw_upstream_auth",
                "aigw_token_usage",
                "aigw_translate",
            ]
        );
        let listener = Listener::decode(&s.0[&type_url(LISTENER)]["aigw"].any.value[..]).unwrap();
        assert_eq!(listener.name, "aigw");
        let ext = &s.0[&type_url(EXTENSION)]["aigw_token_usage"];
        let ext = TypedExtensionConfig::decode(&ext.any.value[..]).unwrap();
        let expected = match module {
            ModuleKind::Native => DYNAMIC_MODULE_FILTER,
            ModuleKind::Wasm => WASM_FILTER,
        };
        assert_eq!(ext.typed_config.unwrap().type_url, expected);
    }
}

#[test]
fn a_route_change_leaves_listener_and_clusters_alone() {
    let before = snap(ModuleKind::Native, CONFIG);
    let after = snap(
        ModuleKind::Native,
        &CONFIG.replace("model_override: claude-x", "model_override: claude-y"),
    );
    for t in [LISTENER, CLUSTER, EXTENSION] {
        assert_eq!(digests(&before, t), digests(&after, t), "{t}");
    }
    assert_ne!(digests(&before, ROUTE), digests(&after, ROUTE));
    // A cost type change reaches only token-usage's config.
    let costs = snap(
        ModuleKind::Native,
        &CONFIG.replace("type: TotalToken", "type: OutputToken"),
    );
    let (b, c) = (digests(&before, EXTENSION), digests(&costs, EXTENSION));
    let changed: Vec<&String> = b.keys().filter(|k| b[*k] != c[*k]).collect();
    assert_eq!(changed, ["aigw_token_usage"]);
    assert_eq!(digests(&before, LISTENER), digests(&costs, LISTENER));
}

#[test]
fn select_filters_by_name_unless_wildcard() {
    let s = snap(ModuleKind::Native, CONFIG);
    let ext = type_url(EXTENSION);
    assert_eq!(s.select(&ext, &[]).len(), 6);
    let one = s.select(&ext, &["aigw_translate".to_string(), "nope".to_string()]);
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].0, "aigw_translate");
}

#[test]
fn the_mcp_router_and_its_clusters_are_served_too() {
    let with_mcp = format!(
        "{CONFIG}mcp:\n  session_key_env: MCP_KEY\n  servers:\n    - {{ name: docs, url: \"http://127.0.0.1:8001/mcp\" }}\n"
    );
    for module in [ModuleKind::Native, ModuleKind::Wasm] {
        let s = snap(module, &with_mcp);
        assert!(names(&s, EXTENSION).contains(&"aigw_mcp_router".to_string()));
        assert!(names(&s, CLUSTER).contains(&"aigw-mcp-docs".to_string()));
    }
}
