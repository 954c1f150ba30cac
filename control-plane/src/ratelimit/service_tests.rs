use super::*;
use crate::ratelimit::memory::MemoryStore;
use envoy_types::pb::envoy::extensions::common::ratelimit::v3::RateLimitDescriptor;
use envoy_types::pb::envoy::extensions::common::ratelimit::v3::rate_limit_descriptor::Entry;
use envoy_types::pb::google::protobuf::UInt64Value;

/// 12:00:50 on some day: 10 s before the minute ends.
const NOW: u64 = 1_800_000_050 - 1_800_000_050 % 60 + 50;

fn request(phase: &str, user: &str, hits: u64, reserved: Option<u64>) -> RateLimitRequest {
    let mut entries = vec![
        ("aigw_limit", "per-user".to_string()),
        ("aigw_window", "minute".to_string()),
        ("aigw_budget", "1000".to_string()),
        ("aigw_phase", phase.to_string()),
    ];
    if let Some(r) = reserved {
        entries.push(("aigw_reserved", r.to_string()));
    }
    entries.push(("user", user.to_string()));
    RateLimitRequest {
        domain: "aigw".into(),
        descriptors: vec![RateLimitDescriptor {
            entries: entries
                .into_iter()
                .map(|(key, value)| Entry {
                    key: key.into(),
                    value,
                })
                .collect(),
            hits_addend: Some(UInt64Value { value: hits }),
            ..Default::default()
        }],
        hits_addend: 0,
    }
}

fn limiter() -> RateLimiter {
    RateLimiter::new(Store::Memory(MemoryStore::default()))
}

fn headers(r: &RateLimitResponse) -> Vec<(String, String)> {
    r.response_headers_to_add
        .iter()
        .map(|h| (h.key.clone(), h.value.clone()))
        .collect()
}

fn h(k: &str, v: &str) -> (String, String) {
    (k.to_string(), v.to_string())
}

#[tokio::test]
async fn reserves_until_the_estimate_no_longer_fits_then_refuses_with_retry_after() {
    let rl = limiter();
    let ok = rl
        .decide(&request("reserve", "alice", 600, None), NOW)
        .await
        .unwrap();
    assert_eq!(ok.overall_code, Code::Ok as i32);
    assert_eq!(
        headers(&ok),
        vec![
            h("x-ratelimit-limit", "1000"),
            h("x-ratelimit-remaining", "400"),
            h("x-ratelimit-reset", "10"),
        ]
    );
    let refused = rl
        .decide(&request("reserve", "alice", 401, None), NOW)
        .await
        .unwrap();
    assert_eq!(refused.overall_code, Code::OverLimit as i32);
    assert_eq!(refused.statuses[0].code, Code::OverLimit as i32);
    assert_eq!(refused.statuses[0].limit_remaining, 400);
    assert!(headers(&refused).contains(&h("retry-after", "10")));
    // Another user has a budget of its own.
    let bob = rl
        .decide(&request("reserve", "bob", 1000, None), NOW)
        .await
        .unwrap();
    assert_eq!(bob.overall_code, Code::Ok as i32);
}

#[tokio::test]
async fn settle_replaces_the_estimate_by_the_real_usage() {
    let rl = limiter();
    rl.decide(&request("reserve", "alice", 600, None), NOW)
        .await
        .unwrap();
    let settled = rl
        .decide(&request("settle", "alice", 100, Some(600)), NOW)
        .await
        .unwrap();
    assert_eq!(settled.overall_code, Code::Ok as i32);
    assert!(settled.response_headers_to_add.is_empty());
    // 100 used: 900 fit, 901 do not.
    let ok = rl
        .decide(&request("reserve", "alice", 900, None), NOW)
        .await
        .unwrap();
    assert_eq!(ok.overall_code, Code::Ok as i32);
    let refused = rl
        .decide(&request("reserve", "alice", 1, None), NOW)
        .await
        .unwrap();
    assert_eq!(refused.overall_code, Code::OverLimit as i32);
}

#[tokio::test]
async fn a_new_window_starts_empty() {
    let rl = limiter();
    rl.decide(&request("reserve", "alice", 1000, None), NOW)
        .await
        .unwrap();
    let next = rl
        .decide(&request("reserve", "alice", 1000, None), NOW + 10)
        .await
        .unwrap();
    assert_eq!(next.overall_code, Code::Ok as i32);
}

#[tokio::test]
async fn malformed_descriptors_are_invalid_arguments() {
    let rl = limiter();
    let mut req = request("settle", "alice", 1, None);
    req.descriptors[0]
        .entries
        .retain(|e| e.key != "aigw_reserved");
    let err = rl.decide(&req, NOW).await.unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);
    assert_eq!(err.message(), "descriptors[0]: aigw_reserved: missing");
}
