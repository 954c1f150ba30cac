//! Factory construction: metric definitions and config errors.

use aigw_core::metrics::{REQUEST_LABELS, TOKEN_USAGE_LABELS};
use aigw_host::MetricKind;
use aigw_host::test_host::TestHost;
use aigw_token_usage::TokenUsageFactory;

#[test]
fn defines_four_histograms_with_labels() {
    let (_, registry) = TestHost::factory::<TokenUsageFactory>("{}").unwrap();
    let defined: Vec<(&str, Vec<&str>)> = registry
        .metrics
        .iter()
        .inspect(|m| assert_eq!(m.kind, MetricKind::Histogram))
        .map(|m| {
            (
                m.name.as_str(),
                m.labels.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        defined,
        vec![
            ("gen_ai.client.token.usage", TOKEN_USAGE_LABELS.to_vec()),
            ("gen_ai.server.request.duration", REQUEST_LABELS.to_vec()),
            ("gen_ai.server.time_to_first_token", REQUEST_LABELS.to_vec()),
            (
                "gen_ai.server.time_per_output_token",
                REQUEST_LABELS.to_vec()
            ),
        ]
    );
}

#[test]
fn bad_config_is_refused_with_the_field_named() {
    let err = TestHost::factory::<TokenUsageFactory>(
        r#"{"costs":[{"metadata_key":"a","type":"TotalToken"},{"metadata_key":"b","type":"Foo"}]}"#,
    )
    .unwrap_err();
    assert!(
        err.starts_with("costs[1].type: unknown cost type \"Foo\""),
        "{err}"
    );
}
