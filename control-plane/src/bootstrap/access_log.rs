//! The JSON access log: request basics plus every gateway metadata key (the MCP router's
//! with an `mcp` section).

use std::path::Path;

use serde_json::{Map, Value, json};

use aigw_core::metadata::{BUILTIN_KEYS, MCP_KEYS, NAMESPACE};

use crate::config::{GatewayConfig, ModuleKind};

/// The command operator reading metadata `key` for the artifact kind: dynamic metadata for
/// native modules, filter state for wasm (which cannot set dynamic metadata).
pub fn metadata_operator(kind: ModuleKind, key: &str) -> String {
    match kind {
        ModuleKind::Native => format!("%DYNAMIC_METADATA({NAMESPACE}:{key})%"),
        ModuleKind::Wasm => format!("%FILTER_STATE(wasm.{NAMESPACE}.{key}:PLAIN)%"),
    }
}

/// The file access logger writing one JSON object per request to `path`.
pub fn access_log(config: &GatewayConfig, path: &Path) -> Value {
    let mut format = Map::new();
    for (field, operator) in [
        ("start_time", "%START_TIME%"),
        ("method", "%REQ(:METHOD)%"),
        ("path", "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%"),
        ("protocol", "%PROTOCOL%"),
        ("status", "%RESPONSE_CODE%"),
        ("response_flags", "%RESPONSE_FLAGS%"),
        ("duration_ms", "%DURATION%"),
        ("upstream_cluster", "%UPSTREAM_CLUSTER%"),
        ("upstream_host", "%UPSTREAM_HOST%"),
        ("request_id", "%REQ(X-REQUEST-ID)%"),
        ("model", "%REQ(X-AI-EG-MODEL)%"),
    ] {
        format.insert(field.into(), Value::String(operator.into()));
    }
    if let Some(limits) = &config.rate_limits {
        format.insert(
            "reserved_tokens".into(),
            Value::String(format!("%REQ({})%", aigw_core::headers::RESERVED_TOKENS)),
        );
        for (field, operator) in super::rate_limit::identity_operators(limits) {
            format.insert(field.into(), Value::String(operator));
        }
    }
    let route_costs = config.routes.iter().flat_map(|r| &r.costs);
    let cost_keys = config.costs.iter().chain(route_costs);
    let cost_keys = cost_keys.map(|c| c.metadata_key.as_str());
    let mcp_keys = config
        .mcp
        .is_some()
        .then_some(MCP_KEYS)
        .into_iter()
        .flatten();
    // A key used by several routes is one field (the map keeps it once).
    for key in BUILTIN_KEYS.into_iter().chain(cost_keys).chain(mcp_keys) {
        format.insert(
            key.into(),
            Value::String(metadata_operator(config.module, key)),
        );
    }
    json!({
        "name": "envoy.access_loggers.file",
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog",
            "path": path.display().to_string(),
            "log_format": {"json_format": format},
        }
    })
}
