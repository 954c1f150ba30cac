//! Envoy HTTP filter entries that load our modules, for either artifact kind.

use std::path::Path;

use serde_json::{Value, json};

use crate::artifacts::FilterModule;
use crate::config::ModuleKind;

/// Type of the native (dynamic module) filter config.
pub const DYNAMIC_MODULE_FILTER: &str =
    "type.googleapis.com/envoy.extensions.filters.http.dynamic_modules.v3.DynamicModuleFilter";
/// Type of the proxy-wasm filter config.
pub const WASM_FILTER: &str = "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm";

/// Envoy's upstream codec filter, last in every cluster's filter chain.
pub fn upstream_codec() -> Value {
    json!({
        "name": "envoy.filters.http.upstream_codec",
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.upstream_codec.v3.UpstreamCodec"
        }
    })
}

/// Envoy's router filter, last in the listener's filter chain.
pub fn router() -> Value {
    json!({
        "name": "envoy.filters.http.router",
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"
        }
    })
}

/// Settings shared by every module filter of one bootstrap.
pub struct ModuleSettings<'a> {
    /// Artifact kind.
    pub kind: ModuleKind,
    /// Directory holding the artifacts (wasm files are referenced by absolute path).
    pub dir: &'a Path,
}

/// A filter entry running `module` with the JSON `config`; `env_keys` are the host
/// environment variables a wasm VM may read (ignored for native modules, which see the
/// whole process environment).
pub fn module_filter(
    settings: &ModuleSettings<'_>,
    module: FilterModule,
    config: &Value,
    env_keys: &[String],
) -> Value {
    let name = module.name();
    let config = json!({
        "@type": "type.googleapis.com/google.protobuf.StringValue",
        "value": config.to_string(),
    });
    match settings.kind {
        ModuleKind::Native => json!({
            "name": name,
            "typed_config": {
                "@type": DYNAMIC_MODULE_FILTER,
                "dynamic_module_config": {"name": name},
                "filter_name": name,
                "filter_config": config,
            }
        }),
        ModuleKind::Wasm => {
            let mut vm_config = json!({
                "vm_id": name,
                "runtime": "envoy.wasm.runtime.v8",
                "code": {"local": {"filename": module.path(settings.kind, settings.dir)}},
            });
            if !env_keys.is_empty() {
                vm_config["environment_variables"] = json!({"host_env_keys": env_keys});
            }
            json!({
                "name": name,
                "typed_config": {
                    "@type": WASM_FILTER,
                    "config": {
                        "name": name,
                        "vm_config": vm_config,
                        "configuration": config,
                        "allow_on_headers_stop_iteration": true,
                        // A trapped VM is reloaded instead of failing every later request.
                        "failure_policy": "FAIL_RELOAD",
                    }
                }
            })
        }
    }
}
