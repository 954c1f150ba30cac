//! State-of-the-world ADS bookkeeping for one Envoy's stream: what it subscribed to, what
//! was sent (version and nonce per type), ACK/NACK handling, and which responses a snapshot
//! calls for.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use envoy_types::pb::envoy::service::discovery::v3::{DiscoveryRequest, DiscoveryResponse};

use super::encode::type_url;
use super::resources::{PUSH_ORDER, Resource, Snapshot};

/// What a request meant.
#[derive(Debug, PartialEq)]
pub enum Received {
    /// First request for a type (no nonce yet).
    Subscribe,
    /// Envoy applied the version it names.
    Ack(String),
    /// Envoy rejected `version` with `message`, its reason (the response stays rejected:
    /// it is not sent again).
    Nack { version: String, message: String },
    /// Answers an older response than the last one sent for the type: ignored.
    Stale,
}

#[derive(Debug, Default)]
struct Subscription {
    /// Names asked for; empty means every resource (wildcard).
    names: Vec<String>,
    /// Version and nonce of the last response sent.
    sent: Option<(String, String)>,
}

/// One stream's ADS state.
#[derive(Debug, Default)]
pub struct AdsStream {
    subscriptions: BTreeMap<String, Subscription>,
    nonces: u64,
}

impl AdsStream {
    /// Records a request: subscription names, ACK or NACK of the last response of its type.
    /// A NACK is reported even when a newer response was sent since (Envoy may reject a
    /// response after the next one left).
    pub fn receive(&mut self, request: &DiscoveryRequest) -> Received {
        let sub = self
            .subscriptions
            .entry(request.type_url.clone())
            .or_default();
        let last_nonce = sub.sent.as_ref().map(|(_, n)| n.as_str());
        let current = request.response_nonce.is_empty()
            || Some(request.response_nonce.as_str()) == last_nonce;
        if current {
            sub.names = request.resource_names.clone();
            sub.names.sort();
        }
        if let Some(status) = &request.error_detail {
            return Received::Nack {
                version: version_of_nonce(&request.response_nonce).to_string(),
                message: status.message.clone(),
            };
        }
        if !current {
            Received::Stale
        } else if request.response_nonce.is_empty() {
            Received::Subscribe
        } else {
            Received::Ack(request.version_info.clone())
        }
    }

    /// The responses `snapshot` calls for: each subscribed type whose selected resources
    /// differ from what was last sent (a rejected version is not sent again), clusters first.
    pub fn responses(&mut self, snapshot: &Snapshot) -> Vec<DiscoveryResponse> {
        let mut order: Vec<String> = PUSH_ORDER.iter().map(|t| type_url(t)).collect();
        order.extend(
            self.subscriptions
                .keys()
                .filter(|t| !order.contains(t))
                .cloned()
                .collect::<Vec<_>>(),
        );
        let mut out = Vec::new();
        for type_url in order {
            let Some(sub) = self.subscriptions.get_mut(&type_url) else {
                continue;
            };
            let selected = snapshot.select(&type_url, &sub.names);
            let version = version(&selected);
            if sub.sent.as_ref().is_some_and(|(v, _)| *v == version) {
                continue;
            }
            self.nonces += 1;
            let nonce = format!("{}-{version}", self.nonces);
            out.push(DiscoveryResponse {
                version_info: version.clone(),
                resources: selected.into_iter().map(|(_, r)| r.any.clone()).collect(),
                type_url: type_url.clone(),
                nonce: nonce.clone(),
                ..Default::default()
            });
            sub.sent = Some((version, nonce));
        }
        out
    }
}

/// The version a nonce was sent with: nonces are `<counter>-<version>`, so a NACK names the
/// version it rejects.
fn version_of_nonce(nonce: &str) -> &str {
    nonce.split_once('-').map_or("", |(_, v)| v)
}

/// A version naming the content: equal resources give equal versions.
fn version(resources: &[(&str, &Resource)]) -> String {
    let mut h = DefaultHasher::new();
    for (name, resource) in resources {
        name.hash(&mut h);
        resource.digest.hash(&mut h);
    }
    format!("{:016x}", h.finish())
}

#[cfg(test)]
#[path = "stream_tests.rs"]
mod tests;
