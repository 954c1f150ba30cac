//! Generator JSON (Envoy's proto3 JSON form) to protobuf `Any`, through the descriptors of
//! Envoy's API that envoy-types ships (embedded by build.rs).

use std::sync::LazyLock;

use envoy_types::pb::google::protobuf::Any;
use prost::Message;
use prost_reflect::{DescriptorPool, DeserializeOptions, DynamicMessage};
use serde_json::Value;

static POOL: LazyLock<DescriptorPool> = LazyLock::new(|| {
    DescriptorPool::decode(&include_bytes!(concat!(env!("OUT_DIR"), "/envoy_descriptors.bin"))[..])
        .expect("envoy-types ships a valid FileDescriptorSet")
});

/// The type URL of a fully qualified protobuf message name.
pub fn type_url(message: &str) -> String {
    format!("type.googleapis.com/{message}")
}

/// Encodes `json` as the message `message` (for example `envoy.config.cluster.v3.Cluster`).
/// Unknown fields, wrong types and unresolvable `@type`s are errors naming the problem.
pub fn to_any(message: &str, json: &Value) -> Result<Any, String> {
    let descriptor = POOL
        .get_message_by_name(message)
        .ok_or_else(|| format!("unknown protobuf message {message}"))?;
    let options = DeserializeOptions::new().deny_unknown_fields(true);
    let dynamic = DynamicMessage::deserialize_with_options(descriptor, json, &options)
        .map_err(|e| format!("cannot encode {message}: {e}"))?;
    Ok(Any {
        type_url: type_url(message),
        value: dynamic.encode_to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn encodes_nested_any_and_rejects_unknown_fields() {
        let filter = json!({
            "name": "f",
            "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"
            }
        });
        let any = to_any("envoy.config.core.v3.TypedExtensionConfig", &filter).unwrap();
        assert_eq!(
            any.type_url,
            "type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig"
        );
        assert!(!any.value.is_empty());
        let e = to_any(
            "envoy.config.core.v3.TypedExtensionConfig",
            &json!({"nme": "f"}),
        )
        .unwrap_err();
        assert!(e.contains("nme"), "{e}");
    }
}
