//! What each Envoy asks of the generator: its node id, and from its node metadata
//! (`aigw: {listen, access_log}`, written by `aigw serve --print-bootstrap`) the address of
//! its client listener and its access log file, so several Envoys can share one machine.

use std::net::SocketAddr;
use std::path::PathBuf;

use envoy_types::pb::envoy::config::core::v3::Node;
use envoy_types::pb::google::protobuf::value::Kind;
use envoy_types::pb::google::protobuf::{Struct, Value};

/// Node metadata key holding aigw's per-Envoy settings.
pub const METADATA_KEY: &str = "aigw";

/// One Envoy's identity and listener settings.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeParams {
    /// `node.id` of the Envoy.
    pub id: String,
    /// Client listener address (`aigw.listen`); the config's `listen` when absent.
    pub listen: Option<SocketAddr>,
    /// Access log file (`aigw.access_log`, absolute); the server's default when absent.
    pub access_log: Option<PathBuf>,
}

/// Reads the node of the first request of a stream; errors name the metadata field.
pub fn params(node: Option<&Node>) -> Result<NodeParams, String> {
    let node = node.ok_or("the first request carries no node")?;
    let settings = node
        .metadata
        .as_ref()
        .and_then(|m| m.fields.get(METADATA_KEY))
        .and_then(|v| match &v.kind {
            Some(Kind::StructValue(s)) => Some(s),
            _ => None,
        });
    let listen = match string(settings, "listen") {
        Some(s) => Some(
            s.parse()
                .map_err(|e| format!("node metadata {METADATA_KEY}.listen {s:?}: {e}"))?,
        ),
        None => None,
    };
    let access_log = match string(settings, "access_log") {
        Some(s) if s.starts_with('/') => Some(PathBuf::from(s)),
        Some(s) => {
            return Err(format!(
                "node metadata {METADATA_KEY}.access_log {s:?}: must be an absolute path"
            ));
        }
        None => None,
    };
    Ok(NodeParams {
        id: node.id.clone(),
        listen,
        access_log,
    })
}

fn string<'a>(settings: Option<&'a Struct>, key: &str) -> Option<&'a str> {
    match settings?.fields.get(key) {
        Some(Value {
            kind: Some(Kind::StringValue(s)),
        }) => Some(s),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(settings: &[(&str, &str)]) -> Node {
        let fields = settings
            .iter()
            .map(|(k, v)| {
                let value = Value {
                    kind: Some(Kind::StringValue(v.to_string())),
                };
                (k.to_string(), value)
            })
            .collect();
        let aigw = Value {
            kind: Some(Kind::StructValue(Struct { fields })),
        };
        Node {
            id: "envoy-1".into(),
            metadata: Some(Struct {
                fields: [(METADATA_KEY.to_string(), aigw)].into(),
            }),
            ..Default::default()
        }
    }

    #[test]
    fn reads_listen_and_access_log() {
        let p = params(Some(&node(&[
            ("listen", "127.0.0.1:10001"),
            ("access_log", "/tmp/a.log"),
        ])))
        .unwrap();
        assert_eq!(p.id, "envoy-1");
        assert_eq!(p.listen, Some("127.0.0.1:10001".parse().unwrap()));
        assert_eq!(p.access_log, Some(PathBuf::from("/tmp/a.log")));
        let bare = params(Some(&Node::default())).unwrap();
        assert_eq!((bare.listen, bare.access_log), (None, None));
    }

    #[test]
    fn bad_settings_name_the_field() {
        let e = params(Some(&node(&[("listen", "nowhere")]))).unwrap_err();
        assert!(
            e.starts_with("node metadata aigw.listen \"nowhere\""),
            "{e}"
        );
        let e = params(Some(&node(&[("access_log", "rel.log")]))).unwrap_err();
        assert!(e.contains("aigw.access_log"), "{e}");
        assert!(params(None).is_err());
    }
}
