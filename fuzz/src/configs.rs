//! The gateway config loader (control plane) and the filters' JSON configs.

use aigw_control_plane::bootstrap::{GenerateOptions, generate};
use aigw_control_plane::config::{ModuleKind, parse};
use aigw_host::test_host::TestRegistry;
use aigw_mcp_router::McpRouterFactory;
use aigw_token_usage::Config as TokenUsageConfig;
use aigw_translate::config::TranslateConfig;
use aigw_upstream_auth::UpstreamAuthFactory;
use serde_json::Value;
use std::ffi::OsString;
use std::path::Path;

/// Base64 of 32 zero bytes: a valid MCP session key and a plausible API key.
const ENV_VALUE: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

fn env(set: bool) -> impl Fn(&str) -> Option<OsString> {
    move |_| set.then(|| OsString::from(ENV_VALUE))
}

/// Parses `text` as the config of the filter `name` the way its factory does at load.
fn load_filter_config(name: &str, text: &str, env_set: bool) -> Result<(), String> {
    match name {
        "aigw_translate" => TranslateConfig::parse(text).map(drop),
        "aigw_token_usage" => TokenUsageConfig::parse(text).map(drop),
        "aigw_upstream_auth" => UpstreamAuthFactory::with_env(text, env(env_set), false).map(drop),
        "aigw_mcp_router" => {
            McpRouterFactory::with_env(text, env(env_set), &mut TestRegistry::default()).map(drop)
        }
        other => panic!("unknown filter {other}"),
    }
}

const FILTERS: [&str; 4] = [
    "aigw_translate",
    "aigw_token_usage",
    "aigw_upstream_auth",
    "aigw_mcp_router",
];

/// A filter's JSON config (the first byte picks the filter and whether environment
/// variables are set): loading it returns an error or a config, never panics.
pub fn filter_configs(input: &[u8]) {
    let Some((flag, text)) = input.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let _ = load_filter_config(FILTERS[usize::from(flag % 4)], text, flag & 4 != 0);
}

/// A gateway config file: a config the loader accepts generates a bootstrap for both
/// artifact kinds, and every filter config in it loads in its filter.
pub fn gateway_config(input: &[u8]) {
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    let lookup = |name: &str| name.len().is_multiple_of(2).then(|| ENV_VALUE.to_string());
    let Ok(mut config) = parse(text, Path::new("/fuzz"), &lookup) else {
        return;
    };
    let opts = GenerateOptions {
        modules_dir: Path::new("/fuzz/modules"),
        access_log: Path::new("/fuzz/access.log"),
    };
    config.module = ModuleKind::Wasm;
    generate(&config, &opts).expect("an accepted config failed to generate (wasm)");
    config.module = ModuleKind::Native;
    let bootstrap = generate(&config, &opts).expect("an accepted config failed to generate");
    let mut filters = Vec::new();
    native_filter_configs(&bootstrap, &mut filters);
    for (name, text) in filters {
        if let Err(e) = load_filter_config(&name, &text, true) {
            panic!("generated {name} config refused: {e}\n{text}");
        }
    }
}

/// Collects `(filter_name, config text)` of every native module filter in a bootstrap.
fn native_filter_configs(value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            if let (Some(Value::String(name)), Some(text)) = (
                map.get("filter_name"),
                map.get("filter_config").and_then(|c| c["value"].as_str()),
            ) {
                out.push((name.clone(), text.to_string()));
            }
            map.values().for_each(|v| native_filter_configs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| native_filter_configs(v, out)),
        _ => {}
    }
}
