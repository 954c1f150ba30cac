//! The bootstrap of an Envoy driven by `aigw serve`: node id and metadata, the ADS cluster,
//! admin and the bootstrap-only settings every aigw Envoy has; listeners, routes, clusters
//! and filter configs all arrive over ADS.

use std::net::SocketAddr;
use std::path::Path;

use serde_json::{Value, json};

use super::node::METADATA_KEY;
use crate::bootstrap::{bootstrap_base, socket_address};
use crate::config::ModuleKind;

/// The cluster through which Envoy reaches `aigw serve`.
pub const XDS_CLUSTER: &str = "aigw-xds";

/// One Envoy's settings.
pub struct EnvoyNode<'a> {
    /// `node.id`, shown in `aigw serve`'s log.
    pub id: &'a str,
    /// Client listener address.
    pub listen: SocketAddr,
    /// Admin address.
    pub admin: SocketAddr,
    /// Access log file (absolute).
    pub access_log: &'a Path,
}

/// The bootstrap of `node` for a server on `xds` and artifacts of kind `module`.
pub fn envoy_bootstrap(xds: SocketAddr, module: ModuleKind, node: &EnvoyNode<'_>) -> Value {
    let ads = json!({"ads": {}, "resource_api_version": "V3"});
    let mut bootstrap = bootstrap_base(module, node.admin);
    bootstrap["node"] = json!({
        "id": node.id,
        "cluster": "aigw",
        "metadata": {METADATA_KEY: {
            "listen": node.listen.to_string(),
            "access_log": node.access_log.display().to_string(),
        }},
    });
    bootstrap["dynamic_resources"] = json!({
        "ads_config": {
            "api_type": "GRPC",
            "transport_api_version": "V3",
            "set_node_on_first_message_only": true,
            "grpc_services": [{"envoy_grpc": {"cluster_name": XDS_CLUSTER}}],
        },
        "lds_config": ads,
        "cds_config": ads,
    });
    bootstrap["static_resources"] = json!({"clusters": [{
        "name": XDS_CLUSTER,
        "type": "STATIC",
        "connect_timeout": "1s",
        "load_assignment": {
            "cluster_name": XDS_CLUSTER,
            "endpoints": [{"lb_endpoints": [{"endpoint": {"address": socket_address(xds)}}]}],
        },
        "typed_extension_protocol_options": {
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
                "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                "explicit_http_config": {"http2_protocol_options": {}},
            }
        },
    }]});
    bootstrap
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xds::encode::to_any;

    #[test]
    fn bootstrap_names_the_node_and_encodes() {
        let node = EnvoyNode {
            id: "e1",
            listen: "127.0.0.1:10001".parse().unwrap(),
            admin: "127.0.0.1:19001".parse().unwrap(),
            access_log: Path::new("/tmp/e1.log"),
        };
        let b = envoy_bootstrap("127.0.0.1:18000".parse().unwrap(), ModuleKind::Wasm, &node);
        assert_eq!(b["node"]["metadata"]["aigw"]["listen"], "127.0.0.1:10001");
        assert_eq!(
            b["static_resources"]["clusters"][0]["load_assignment"]["endpoints"][0]["lb_endpoints"]
                [0]["endpoint"]["address"]["socket_address"]["port_value"],
            18000
        );
        assert!(b["stats_config"].is_object());
        to_any("envoy.config.bootstrap.v3.Bootstrap", &b).unwrap();
    }
}
