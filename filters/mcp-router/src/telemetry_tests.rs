//! The duration metric and the access-log fields of handled JSON-RPC messages.

use crate::filter::{McpRouterFactory, McpRouterFilter};
use crate::test_support::*;
use aigw_core::metrics::{MCP_OPERATION_DURATION, MCP_OPERATION_LABELS};
use aigw_host::test_host::{TestHost, TestRegistry, complete_callout};
use aigw_host::{Filter, FilterFactory, MetadataValue};
use serde_json::{Value, json};
use std::time::Duration;

/// A filter and the registry its factory defined metrics in.
fn filter_and_registry() -> (McpRouterFilter, TestRegistry) {
    let mut registry = TestRegistry::default();
    let factory = McpRouterFactory::with_env(CONFIG, env, &mut registry).unwrap();
    (factory.create_filter(), registry)
}

/// The one metric record of `host`: its label values by name, and the value.
fn record(host: &TestHost) -> (Vec<(&'static str, String)>, u64) {
    assert_eq!(host.metric_records.len(), 1, "{:?}", host.metric_records);
    let (_, labels, value) = &host.metric_records[0];
    let named = MCP_OPERATION_LABELS
        .iter()
        .copied()
        .zip(labels.iter().cloned())
        .collect();
    (named, *value)
}

fn labels(method: &str, tool: &str, error: &str, server: &str) -> Vec<(&'static str, String)> {
    let values = [method, tool, error, "2025-06-18", server];
    MCP_OPERATION_LABELS
        .iter()
        .copied()
        .zip(values.iter().map(|v| v.to_string()))
        .collect()
}

fn field(host: &TestHost, key: &str) -> Option<String> {
    match host.metadata.get(key) {
        Some(MetadataValue::Str(s)) => Some(s.clone()),
        Some(other) => panic!("{key}: {other:?}"),
        None => None,
    }
}

/// Runs a `tools/call` of `name` forwarded to its server, which answers `reply` (JSON,
/// in two chunks) 25 ms later.
fn call(name: &str, reply: Value) -> TestHost {
    let (mut f, _) = filter_and_registry();
    let mut host = post(Some(&session()));
    let body = json!({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":name}});
    host.run_request(&mut f, body.to_string().as_bytes());
    assert!(host.metric_records.is_empty(), "recorded when answered");
    host.time += Duration::from_millis(25);
    answer_headers(&mut host, 200, &[("content-type", "application/json")]);
    let reply = reply.to_string();
    let (head, tail) = reply.as_bytes().split_at(10);
    host.run_response(&mut f, &[head, tail]);
    host
}

#[test]
fn the_histogram_is_defined_with_its_labels() {
    let (_, registry) = filter_and_registry();
    assert_eq!(registry.metrics.len(), 1);
    assert_eq!(registry.metrics[0].name, MCP_OPERATION_DURATION);
    assert_eq!(registry.metrics[0].labels, MCP_OPERATION_LABELS);
}

#[test]
fn a_routed_call_records_method_tool_server_and_duration() {
    let result = json!({"jsonrpc":"2.0","id":3,"result":{"content":[]}});
    let host = call("calc__add", result);
    assert_eq!(record(&host), (labels("tools/call", "add", "", "calc"), 25));
    assert_eq!(field(&host, "mcp_method").as_deref(), Some("tools/call"));
    assert_eq!(field(&host, "mcp_server").as_deref(), Some("calc"));
    assert_eq!(field(&host, "mcp_tool").as_deref(), Some("add"));
    assert_eq!(field(&host, "mcp_error"), None);
}

#[test]
fn a_tool_error_keeps_the_tool_a_json_rpc_error_drops_it() {
    let failed = json!({"jsonrpc":"2.0","id":3,"result":{"content":[],"isError":true}});
    let host = call("calc__add", failed);
    assert_eq!(
        record(&host).0,
        labels("tools/call", "add", "tool_error", "calc")
    );
    assert_eq!(field(&host, "mcp_error").as_deref(), Some("tool_error"));

    let unknown = json!({"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"no such tool"}});
    let host = call("calc__made_up_1234", unknown);
    assert_eq!(record(&host).0, labels("tools/call", "", "-32602", "calc"));
    assert_eq!(field(&host, "mcp_tool").as_deref(), Some("made_up_1234"));
    assert_eq!(field(&host, "mcp_error").as_deref(), Some("-32602"));
}

#[test]
fn a_failed_or_reset_forward_is_recorded_with_its_status() {
    let (mut f, _) = filter_and_registry();
    let mut host = post(Some(&session()));
    let body = json!({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"weather__x"}});
    host.run_request(&mut f, body.to_string().as_bytes());
    answer_headers(&mut host, 503, &[("content-type", "text/plain")]);
    host.run_response(&mut f, &[b"upstream connect error"]);
    assert_eq!(record(&host).0, labels("tools/call", "", "503", "weather"));

    let (mut f, _) = filter_and_registry();
    let mut host = post(Some(&session()));
    host.run_request(&mut f, body.to_string().as_bytes());
    f.on_stream_complete(&mut host);
    assert_eq!(
        record(&host).0,
        labels("tools/call", "", "stream_reset", "weather")
    );
}

#[test]
fn local_answers_and_fan_outs_are_recorded() {
    let (mut f, _) = filter_and_registry();
    let mut host = post(Some(&session()));
    let list = json!({"jsonrpc":"2.0","id":1,"method":"tools/list"});
    host.run_request(&mut f, list.to_string().as_bytes());
    let page = json!({"jsonrpc":"2.0","id":1,"result":{"tools":[]}});
    complete_callout(&mut host, &mut f, 1, json_reply(200, None, page.clone()));
    complete_callout(&mut host, &mut f, 2, json_reply(200, None, page));
    assert_eq!(record(&host).0, labels("tools/list", "", "", ""));
    assert_eq!(field(&host, "mcp_server"), None);

    for (method, error) in [("ping", ""), ("no/such", "-32601")] {
        let (mut f, _) = filter_and_registry();
        let mut host = post(Some(&session()));
        let body = json!({"jsonrpc":"2.0","id":1,"method":method});
        host.run_request(&mut f, body.to_string().as_bytes());
        let label = if method == "ping" { "ping" } else { "_OTHER" };
        assert_eq!(record(&host).0, labels(label, "", error, ""));
        assert_eq!(field(&host, "mcp_method").as_deref(), Some(method));
    }
}

#[test]
fn a_missing_session_is_an_invalid_request() {
    let (mut f, _) = filter_and_registry();
    let mut host = post(None);
    let body = json!({"jsonrpc":"2.0","id":1,"method":"tools/list"});
    host.run_request(&mut f, body.to_string().as_bytes());
    let (named, _) = record(&host);
    assert_eq!(named[0], ("mcp_method_name", "tools/list".to_string()));
    assert_eq!(named[2], ("error_type", "-32600".to_string()));
}

#[test]
fn initialize_records_the_negotiated_version() {
    let (mut f, _) = filter_and_registry();
    let mut host = post(None);
    let body = json!({"jsonrpc":"2.0","id":0,"method":"initialize","params":{
        "protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t"}}});
    host.run_request(&mut f, body.to_string().as_bytes());
    let joined = json!({"jsonrpc":"2.0","id":0,"result":{"protocolVersion":"2025-06-18",
        "capabilities":{},"serverInfo":{"name":"s","version":"1"}}});
    complete_callout(&mut host, &mut f, 1, json_reply(200, None, joined.clone()));
    complete_callout(&mut host, &mut f, 2, json_reply(200, None, joined));
    assert_eq!(record(&host).0, labels("initialize", "", "", ""));
}

#[test]
fn bodies_and_requests_that_are_not_json_rpc_are_recorded_without_a_method() {
    let (mut f, _) = filter_and_registry();
    let mut host = post(None);
    host.run_request(&mut f, b"{not json");
    let expected = |error: &str, version: &str| {
        let values = ["_OTHER", "", error, version, ""];
        MCP_OPERATION_LABELS
            .iter()
            .copied()
            .zip(values.iter().map(|v| v.to_string()))
            .collect::<Vec<_>>()
    };
    assert_eq!(record(&host).0, expected("-32700", ""));
    assert_eq!(field(&host, "mcp_error").as_deref(), Some("-32700"));
    assert_eq!(field(&host, "mcp_method"), None);

    let mut host = TestHost::with_request_headers(&[
        (":method", "POST"),
        (":path", "/mcp"),
        ("content-type", "text/plain"),
        ("mcp-protocol-version", "2025-06-18"),
    ]);
    host.run_request(&mut filter_and_registry().0, b"x");
    assert_eq!(record(&host).0, expected("415", "2025-06-18"));

    let mut host = TestHost::with_request_headers(&[
        (":method", "POST"),
        (":path", "/mcp"),
        ("content-type", "application/json"),
        ("mcp-protocol-version", "1999-01-01"),
    ]);
    host.run_request(&mut filter_and_registry().0, b"{}");
    assert_eq!(
        record(&host).0,
        expected("-32022", ""),
        "unsupported version, and no client-chosen version label"
    );
}

#[test]
fn delete_is_recorded_once_the_servers_answered() {
    let (mut f, _) = filter_and_registry();
    let mut host = TestHost::with_request_headers(&[
        (":method", "DELETE"),
        (":path", "/mcp"),
        ("mcp-session-id", &session()),
        ("mcp-protocol-version", "2025-06-18"),
    ]);
    host.run_request(&mut f, b"");
    assert!(host.metric_records.is_empty());
    complete_callout(&mut host, &mut f, 1, json_reply(200, None, json!({})));
    complete_callout(&mut host, &mut f, 2, json_reply(404, None, json!({})));
    assert_eq!(record(&host).0, labels("_OTHER", "", "", ""));
}
