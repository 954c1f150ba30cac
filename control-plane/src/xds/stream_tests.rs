//! ADS bookkeeping: subscribe, ACK, NACK, stale nonces, pushes on change.

use std::collections::BTreeMap;

use envoy_types::pb::google::protobuf::Any;
use envoy_types::pb::google::rpc::Status;

use super::*;
use crate::xds::resources::{CLUSTER, ROUTE};

fn snapshot(clusters: &[&str], route_value: &[u8]) -> Snapshot {
    let mut s = Snapshot::default();
    let any = |v: &[u8]| Resource {
        any: Any {
            type_url: "t".into(),
            value: v.to_vec(),
        },
        digest: v.iter().map(|b| u64::from(*b)).sum::<u64>() + v.len() as u64 * 1000,
    };
    let c: BTreeMap<String, Resource> = clusters
        .iter()
        .map(|n| (n.to_string(), any(n.as_bytes())))
        .collect();
    s.0.insert(type_url(CLUSTER), c);
    s.0.insert(
        type_url(ROUTE),
        [("aigw".to_string(), any(route_value))].into(),
    );
    s
}

fn request(t: &str, names: &[&str], version: &str, nonce: &str) -> DiscoveryRequest {
    DiscoveryRequest {
        type_url: type_url(t),
        resource_names: names.iter().map(|n| n.to_string()).collect(),
        version_info: version.into(),
        response_nonce: nonce.into(),
        ..Default::default()
    }
}

#[test]
fn subscribe_ack_and_push_on_change() {
    let mut ads = AdsStream::default();
    let s1 = snapshot(&["a"], b"r1");
    assert_eq!(
        ads.receive(&request(CLUSTER, &[], "", "")),
        Received::Subscribe
    );
    assert_eq!(
        ads.receive(&request(ROUTE, &["aigw"], "", "")),
        Received::Subscribe
    );
    let out = ads.responses(&s1);
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].type_url, type_url(CLUSTER), "clusters go first");
    assert_eq!(out[0].resources.len(), 1);
    let (cv, cn) = (out[0].version_info.clone(), out[0].nonce.clone());
    assert_ne!(out[0].nonce, out[1].nonce);
    assert_eq!(
        ads.receive(&request(CLUSTER, &[], &cv, &cn)),
        Received::Ack(cv.clone())
    );
    assert!(ads.responses(&s1).is_empty(), "nothing changed");
    // Only the changed type is pushed.
    let s2 = snapshot(&["a"], b"r2");
    let out = ads.responses(&s2);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].type_url, type_url(ROUTE));
    let s3 = snapshot(&["a", "b"], b"r2");
    let out = ads.responses(&s3);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].resources.len(), 2);
    assert_ne!(out[0].version_info, cv);
}

#[test]
fn nack_is_reported_and_not_resent_and_stale_nonces_are_ignored() {
    let mut ads = AdsStream::default();
    let s1 = snapshot(&["a"], b"r1");
    ads.receive(&request(CLUSTER, &[], "", ""));
    let first = ads.responses(&s1).remove(0);
    let s2 = snapshot(&["a", "b"], b"r1");
    let second = ads.responses(&s2).remove(0);
    // An answer to the first response is stale now, but its rejection is still reported.
    assert_eq!(
        ads.receive(&request(CLUSTER, &[], &first.version_info, &first.nonce)),
        Received::Stale
    );
    let mut old_nack = request(CLUSTER, &[], "", &first.nonce);
    old_nack.error_detail = Some(Status {
        code: 3,
        message: "old".into(),
        details: vec![],
    });
    assert_eq!(
        ads.receive(&old_nack),
        Received::Nack {
            version: first.version_info.clone(),
            message: "old".into()
        }
    );
    let mut nack = request(CLUSTER, &[], &first.version_info, &second.nonce);
    nack.error_detail = Some(Status {
        code: 3,
        message: "bad cluster".into(),
        details: vec![],
    });
    assert_eq!(
        ads.receive(&nack),
        Received::Nack {
            version: second.version_info.clone(),
            message: "bad cluster".into()
        }
    );
    assert!(
        ads.responses(&s2).is_empty(),
        "a rejected version is not resent"
    );
    assert_eq!(ads.responses(&s1).len(), 1, "a new version is sent");
}

#[test]
fn new_names_get_their_resources() {
    let mut ads = AdsStream::default();
    let s = snapshot(&["a", "b"], b"r1");
    ads.receive(&request(CLUSTER, &["a"], "", ""));
    let out = ads.responses(&s).remove(0);
    assert_eq!(out.resources.len(), 1);
    ads.receive(&request(
        CLUSTER,
        &["a", "b"],
        &out.version_info,
        &out.nonce,
    ));
    let out = ads.responses(&s);
    assert_eq!(out[0].resources.len(), 2);
}
