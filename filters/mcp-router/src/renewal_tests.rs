use crate::filter::McpRouterFactory;
use crate::test_support::*;
use aigw_host::test_host::{TestHost, TestRegistry, complete_callout};
use aigw_host::{CalloutResponse, FilterFactory};
use serde_json::json;

const CALL: &[u8] =
    br#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"weather__forecast"}}"#;

fn factory() -> McpRouterFactory {
    McpRouterFactory::with_env(CONFIG, env, &mut TestRegistry::default()).unwrap()
}

fn expired() -> aigw_host::CalloutResult {
    json_reply(404, None, json!({}))
}

fn accepted() -> aigw_host::CalloutResult {
    Ok(CalloutResponse {
        status: 202,
        headers: vec![],
        body: vec![],
    })
}

/// Answers the handshake of callouts `first` (initialize) and `first + 1` with session `id`.
fn handshake(host: &mut TestHost, f: &mut crate::McpRouterFilter, first: u32, id: &str) {
    let init = sent_json(host, first as usize - 1);
    assert_eq!(init["method"], "initialize");
    let result = json!({"jsonrpc": "2.0", "id": init["id"], "result": {
        "protocolVersion": "2025-06-18", "capabilities": {"tools": {}},
        "serverInfo": {"name": "w", "version": "1"}}});
    complete_callout(host, f, first, json_reply(200, Some(id), result));
    assert_eq!(
        sent_json(host, first as usize)["method"],
        "notifications/initialized"
    );
    assert_eq!(
        header(&host.callouts[first as usize].headers, "mcp-session-id"),
        Some(id)
    );
    complete_callout(host, f, first + 1, accepted());
}

#[test]
fn a_list_that_meets_an_expired_session_renews_it_and_lists_again() {
    let factory = factory();
    let session = session();
    let list = br#"{"jsonrpc":"2.0","id":6,"method":"tools/list"}"#;
    let mut host = post(Some(&session));
    let mut f = factory.create_filter();
    host.run_request(&mut f, list);
    complete_callout(&mut host, &mut f, 1, expired());
    handshake(&mut host, &mut f, 3, "w-3");
    let tools =
        |name: &str| json!({"jsonrpc": "2.0", "id": 6, "result": {"tools": [{"name": name}]}});
    // The first list's calc answer arrives late and is ignored.
    complete_callout(&mut host, &mut f, 2, json_reply(200, None, tools("stale")));
    assert!(host.local_reply.is_none());
    assert_eq!(sent_json(&host, 4)["method"], "tools/list");
    assert_eq!(
        header(&host.callouts[4].headers, "mcp-session-id"),
        Some("w-3")
    );
    complete_callout(
        &mut host,
        &mut f,
        5,
        json_reply(200, None, tools("forecast")),
    );
    complete_callout(&mut host, &mut f, 6, json_reply(200, None, tools("add")));
    let (_, reply) = reply_json(&host);
    assert_eq!(
        reply["result"]["tools"],
        json!([{"name": "weather__forecast"}, {"name": "calc__add"}])
    );

    let mut host = post(Some(&session));
    host.run_request(&mut factory.create_filter(), list);
    assert_eq!(
        header(&host.callouts[0].headers, "mcp-session-id"),
        Some("w-3")
    );

    // A call in the client's first session goes through the router with the renewed id.
    let mut host = post(Some(&session));
    host.run_request(&mut factory.create_filter(), CALL);
    assert!(host.callouts.is_empty() && host.local_reply.is_none());
    assert_eq!(header(&host.request_headers, "mcp-session-id"), Some("w-3"));
}
