//! Costs: token kinds, CEL expressions, per-route costs and runtime errors.

use crate::common::*;
use aigw_core::metrics::TOKEN_USAGE;
use aigw_host::LogLevel;

const ROUTE_CONFIG: &str = r#"{"costs":[
    {"metadata_key":"llm_total","type":"TotalToken"},
    {"metadata_key":"price","type":"CEL","cel":"input_tokens * 2 + output_tokens * 8"}],
  "route_costs":{"reasoners":[
    {"metadata_key":"price","type":"CEL","cel":"(input_tokens - cached_input_tokens) * 3 + cached_input_tokens + reasoning_tokens * 20"},
    {"metadata_key":"llm_reasoning","type":"ReasoningToken"},
    {"metadata_key":"llm_cache_write","type":"CacheCreationInputToken"},
    {"metadata_key":"by_backend","type":"CEL","cel":"backend == 'b1' && route_name == 'reasoners' && model == 'o3-2025' ? 1 : 0"}]}}"#;

const O3: &[u8] =
    br#"{"model":"o3-2025","choices":[],"usage":{"prompt_tokens":100,"completion_tokens":50,
  "total_tokens":150,"prompt_tokens_details":{"cached_tokens":40,"cache_creation_tokens":30},
  "completion_tokens_details":{"reasoning_tokens":20}}}"#;

fn served(route: Option<&str>) -> Stream {
    let extra: Vec<(&str, &str)> = route.map(|r| ("x-aigw-route", r)).into_iter().collect();
    let mut s = Stream::with_config(ROUTE_CONFIG, "/v1/chat/completions", "o3", &extra);
    s.response_headers(&json_headers("b1"), false);
    s.chunk(O3, true);
    s
}

#[test]
fn global_costs_apply_without_a_route() {
    let s = served(None);
    assert_eq!(s.num("llm_total"), 150.0);
    assert_eq!(s.num("price"), 600.0);
    assert!(!s.host.metadata.contains_key("llm_reasoning"));
}

#[test]
fn route_costs_add_to_and_replace_global_ones() {
    let s = served(Some("reasoners"));
    assert_eq!(s.num("llm_total"), 150.0);
    assert_eq!(s.num("price"), (60 * 3 + 40 + 20 * 20) as f64);
    assert_eq!(s.num("llm_reasoning"), 20.0);
    assert_eq!(s.num("llm_cache_write"), 30.0);
    assert_eq!(s.num("by_backend"), 1.0);
    assert_eq!(s.num("reasoning_tokens"), 20.0);
    assert_eq!(s.num("cache_creation_input_tokens"), 30.0);
}

#[test]
fn an_unknown_route_gets_the_global_costs() {
    let s = served(Some("other"));
    assert_eq!(s.num("price"), 600.0);
    assert!(!s.host.metadata.contains_key("by_backend"));
}

#[test]
fn detail_token_types_are_recorded_when_present() {
    let s = served(None);
    let types: Vec<(String, u64)> = s
        .records(TOKEN_USAGE)
        .into_iter()
        .map(|(labels, v)| (labels[4].clone(), v))
        .collect();
    let expected = [
        ("input", 100),
        ("output", 50),
        ("cached_input", 40),
        ("cache_creation_input", 30),
        ("reasoning", 20),
    ];
    let expected: Vec<(String, u64)> = expected.iter().map(|(t, v)| (t.to_string(), *v)).collect();
    assert_eq!(types, expected);
}

#[test]
fn a_failing_expression_is_skipped_and_logged() {
    let config = r#"{"costs":[
        {"metadata_key":"bad","type":"CEL","cel":"output_tokens - input_tokens"},
        {"metadata_key":"good","type":"TotalToken"}]}"#;
    let mut s = Stream::with_config(config, "/v1/chat/completions", "o3", &[]);
    s.response_headers(&json_headers("b1"), false);
    s.chunk(O3, true);
    assert!(!s.host.metadata.contains_key("bad"));
    assert_eq!(s.num("good"), 150.0);
    let logs = s.host.logs.borrow();
    let warn: Vec<&String> = logs
        .iter()
        .filter(|(level, _)| *level == LogLevel::Warn)
        .map(|(_, m)| m)
        .collect();
    assert_eq!(
        warn,
        ["token-usage: cost \"bad\" of route \"\" skipped: result -50 is negative"]
    );
}
