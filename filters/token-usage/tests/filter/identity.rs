//! The opt-in per-identity token counter (`identity_labels`).

use crate::common::*;
use aigw_core::metrics::{IDENTITY_TOKEN_USAGE, IDENTITY_TOKEN_USAGE_LABELS};
use aigw_host::MetricKind;
use aigw_host::test_host::TestHost;
use aigw_token_usage::TokenUsageFactory;

const IDENTITY: &str =
    r#"{"identity_labels":{"user_header":"x-user-id","team_header":"x-team-id"}}"#;

#[test]
fn tokens_are_counted_per_user_team_and_model() {
    let extra = [("x-user-id", "alice@example.com"), ("x-team-id", "search")];
    let mut s = Stream::with_config(IDENTITY, "/v1/chat/completions", "gpt-4o", &extra);
    s.response_headers(&json_headers("openai-east"), false);
    s.chunk(CHAT, true);
    let with = |t: &str| labels(&["alice@example.com", "search", "gpt-4o", t]);
    assert_eq!(
        s.records(IDENTITY_TOKEN_USAGE),
        vec![
            (with("input"), 1220),
            (with("output"), 12),
            (with("cached_input"), 1024)
        ]
    );
}

#[test]
fn a_missing_header_is_an_empty_label_and_unsafe_bytes_are_folded() {
    let extra = [("x-user-id", "bob;team=x")];
    let mut s = Stream::with_config(IDENTITY, "/v1/chat/completions", "gpt-4o", &extra);
    s.response_headers(&json_headers("openai-east"), false);
    s.chunk(CHAT, true);
    let users: Vec<(String, String)> = s
        .records(IDENTITY_TOKEN_USAGE)
        .into_iter()
        .map(|(l, _)| (l[0].clone(), l[1].clone()))
        .collect();
    assert_eq!(users[0], ("bob_team_x".to_string(), String::new()));
}

#[test]
fn failed_responses_count_nothing() {
    let extra = [("x-user-id", "carol")];
    let mut s = Stream::with_config(IDENTITY, "/v1/chat/completions", "gpt-4o", &extra);
    s.response_headers(
        &[(":status", "429"), ("content-type", "application/json")],
        false,
    );
    s.chunk(br#"{"error":{"message":"slow down"}}"#, true);
    assert!(s.records(IDENTITY_TOKEN_USAGE).is_empty());
}

#[test]
fn the_counter_exists_only_when_configured() {
    let (_, registry) = TestHost::factory::<TokenUsageFactory>(IDENTITY).unwrap();
    let counter = registry
        .metrics
        .iter()
        .find(|m| m.name == IDENTITY_TOKEN_USAGE)
        .unwrap();
    assert_eq!(counter.kind, MetricKind::Counter);
    assert_eq!(counter.labels, IDENTITY_TOKEN_USAGE_LABELS);
    let (_, registry) = TestHost::factory::<TokenUsageFactory>("{}").unwrap();
    assert!(
        registry
            .metrics
            .iter()
            .all(|m| m.name != IDENTITY_TOKEN_USAGE)
    );
}

#[test]
fn bad_identity_configs_are_refused_naming_the_field() {
    for (config, want) in [
        (
            r#"{"identity_labels":{}}"#,
            "identity_labels: name user_header, team_header or both",
        ),
        (
            r#"{"identity_labels":{"user_header":"X-User"}}"#,
            "identity_labels.user_header: \"X-User\" must be a lowercase HTTP header name",
        ),
        (
            r#"{"identity_labels":{"team":"x"}}"#,
            "identity_labels.team: unknown field `team`",
        ),
    ] {
        let err = TestHost::factory::<TokenUsageFactory>(config).unwrap_err();
        assert!(err.starts_with(want), "{config}: {err}");
    }
}
