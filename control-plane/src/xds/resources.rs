//! Splits the generator's resources (routes and filter configs inline) into xDS resources:
//! the listener's connection manager takes its routes by RDS, and every module filter of the
//! listener and of the clusters takes its config by ECDS, so a config change that touches
//! only routes or filter configs leaves listeners and clusters untouched (no drain).

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use envoy_types::pb::google::protobuf::Any;
use serde_json::{Value, json};

use super::encode::{to_any, type_url};
use crate::bootstrap::Resources;
use crate::bootstrap::filters::{DYNAMIC_MODULE_FILTER, WASM_FILTER};

/// Listener discovery (LDS) resources.
pub const LISTENER: &str = "envoy.config.listener.v3.Listener";
/// Cluster discovery (CDS) resources.
pub const CLUSTER: &str = "envoy.config.cluster.v3.Cluster";
/// Route discovery (RDS) resources.
pub const ROUTE: &str = "envoy.config.route.v3.RouteConfiguration";
/// Extension config discovery (ECDS) resources.
pub const EXTENSION: &str = "envoy.config.core.v3.TypedExtensionConfig";
/// The resource types in the order a change is pushed: clusters before the routes that use
/// them, filter configs before the listener that names them.
pub const PUSH_ORDER: [&str; 4] = [CLUSTER, EXTENSION, LISTENER, ROUTE];
const PROTOCOL_OPTIONS: &str = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

/// The encoded xDS resources of one node: type URL -> resource name -> resource.
#[derive(Debug, Default, Clone)]
pub struct Snapshot(pub BTreeMap<String, BTreeMap<String, Resource>>);

/// One encoded resource.
#[derive(Debug, Clone)]
pub struct Resource {
    /// The protobuf form sent to Envoy.
    pub any: Any,
    /// Digest of the generator's JSON: equal JSON, equal digest. (The protobuf bytes are not
    /// stable: map fields such as the access log's `json_format` encode in random order.)
    pub digest: u64,
}

/// Converts generated resources into a snapshot (fails on a generator bug: a field Envoy's
/// protos do not have).
pub fn snapshot(resources: Resources) -> Result<Snapshot, String> {
    let Resources {
        mut listener,
        mut clusters,
    } = resources;
    let mut extensions = Vec::new();
    let hcm = listener
        .pointer_mut("/filter_chains/0/filters/0/typed_config")
        .ok_or("generator bug: the listener has no connection manager")?;
    let route_config = hcm
        .as_object_mut()
        .and_then(|o| o.remove("route_config"))
        .ok_or("generator bug: the listener has no inline route_config")?;
    hcm["rds"] = json!({"config_source": ads(), "route_config_name": route_config["name"]});
    discover_filters(&mut hcm["http_filters"], "", &mut extensions);
    for cluster in &mut clusters {
        let prefix = format!("{}/", cluster["name"].as_str().unwrap_or_default());
        // (`get_mut`, not indexing, which would add the missing keys as nulls.)
        if let Some(filters) = cluster
            .get_mut("typed_extension_protocol_options")
            .and_then(|o| o.get_mut(PROTOCOL_OPTIONS))
            .and_then(|o| o.get_mut("http_filters"))
        {
            discover_filters(filters, &prefix, &mut extensions);
        }
    }
    let mut snapshot = Snapshot::default();
    snapshot.insert(LISTENER, &listener)?;
    snapshot.insert(ROUTE, &route_config)?;
    for c in &clusters {
        snapshot.insert(CLUSTER, c)?;
    }
    for e in &extensions {
        snapshot.insert(EXTENSION, e)?;
    }
    Ok(snapshot)
}

impl Snapshot {
    fn insert(&mut self, message: &str, json: &Value) -> Result<(), String> {
        let name = json["name"].as_str().unwrap_or_default().to_string();
        let any = to_any(message, json)?;
        let mut h = DefaultHasher::new();
        json.to_string().hash(&mut h);
        let resource = Resource {
            any,
            digest: h.finish(),
        };
        self.0
            .entry(type_url(message))
            .or_default()
            .insert(name, resource);
        Ok(())
    }

    /// The resources of `type_url` named in `names` (every one when `names` is empty: a
    /// wildcard subscription).
    pub fn select(&self, type_url: &str, names: &[String]) -> Vec<(&str, &Resource)> {
        let Some(all) = self.0.get(type_url) else {
            return Vec::new();
        };
        all.iter()
            .filter(|(n, _)| names.is_empty() || names.contains(n))
            .map(|(n, a)| (n.as_str(), a))
            .collect()
    }
}

/// Config source: the same ADS stream.
fn ads() -> Value {
    json!({"ads": {}, "resource_api_version": "V3"})
}

/// Moves each module filter's config of `filters` into an ECDS resource named
/// `<prefix><filter name>` and leaves a `config_discovery` entry in its place.
fn discover_filters(filters: &mut Value, prefix: &str, extensions: &mut Vec<Value>) {
    let Some(filters) = filters.as_array_mut() else {
        return;
    };
    for filter in filters {
        let config_type = filter["typed_config"]["@type"].as_str().unwrap_or_default();
        if config_type != DYNAMIC_MODULE_FILTER && config_type != WASM_FILTER {
            continue;
        }
        let name = format!("{prefix}{}", filter["name"].as_str().unwrap_or_default());
        let config_type = config_type.to_string();
        extensions.push(json!({"name": name, "typed_config": filter["typed_config"].take()}));
        *filter = json!({
            "name": name,
            "config_discovery": {"config_source": ads(), "type_urls": [config_type]},
        });
    }
}

#[cfg(test)]
#[path = "resources_tests.rs"]
mod tests;
