use crate::filter::McpRouterFactory;
use crate::test_support::*;
use aigw_host::test_host::{TestHost, TestRegistry, complete_callout};
use aigw_host::{CalloutResponse, FilterFactory};
use serde_json::{Value, json};

fn factory() -> McpRouterFactory {
    McpRouterFactory::with_env(CONFIG, env, &mut TestRegistry::default()).unwrap()
}

/// A stateless POST of `method` (`Mcp-Name` given when `name` is).
fn stateless_post(method: &str, name: Option<&str>) -> TestHost {
    let mut headers = vec![
        (":method", "POST"),
        (":path", "/mcp"),
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
        ("mcp-protocol-version", "2026-07-28"),
        ("mcp-method", method),
    ];
    if let Some(name) = name {
        headers.push(("mcp-name", name));
    }
    TestHost::with_request_headers(&headers)
}

fn request(id: u64, method: &str, mut params: Value) -> Vec<u8> {
    params["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "stateless-test", "version": "1"},
    });
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
        .to_string()
        .into_bytes()
}

fn accepted() -> aigw_host::CalloutResult {
    Ok(CalloutResponse {
        status: 202,
        headers: vec![],
        body: vec![],
    })
}

fn init_result(id: &Value, capabilities: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "result": {"protocolVersion": "2025-11-25",
        "capabilities": capabilities, "serverInfo": {"name": "s", "version": "1"}}})
}

/// Runs a stateless discover through `factory`'s filter, answering both handshakes.
fn discover(factory: &McpRouterFactory) -> TestHost {
    let mut host = stateless_post("server/discover", None);
    let mut f = factory.create_filter();
    host.run_request(&mut f, &request(1, "server/discover", json!({})));
    assert_eq!(host.callouts.len(), 2, "initialize to each server");
    let init = sent_json(&host, 0);
    assert_eq!(init["method"], "initialize");
    assert_eq!(init["params"]["protocolVersion"], "2025-11-25");
    assert_eq!(init["params"]["clientInfo"]["name"], "stateless-test");
    let id = init["id"].clone();
    let weather = init_result(&id, json!({"tools": {}}));
    complete_callout(&mut host, &mut f, 1, json_reply(200, Some("w-9"), weather));
    let calc = init_result(&id, json!({"prompts": {}}));
    complete_callout(&mut host, &mut f, 2, json_reply(200, None, calc));
    assert!(
        host.local_reply.is_none(),
        "waits for notifications/initialized"
    );
    assert_eq!(host.callouts.len(), 4);
    assert_eq!(sent_json(&host, 2)["method"], "notifications/initialized");
    assert_eq!(
        header(&host.callouts[2].headers, "mcp-session-id"),
        Some("w-9")
    );
    complete_callout(&mut host, &mut f, 3, accepted());
    complete_callout(&mut host, &mut f, 4, accepted());
    host
}

#[test]
fn discover_initializes_each_server_once_per_worker_and_merges() {
    let factory = factory();
    let host = discover(&factory);
    let (status, reply) = reply_json(&host);
    assert_eq!(status, 200);
    let result = &reply["result"];
    assert_eq!(result["capabilities"], json!({"tools": {}, "prompts": {}}));
    assert_eq!(
        result["supportedVersions"],
        json!(["2025-06-18", "2025-11-25", "2026-07-28"])
    );
    assert_eq!(result["resultType"], "complete");
    let reply_headers = &host.local_reply.as_ref().unwrap().headers;
    assert_eq!(header(reply_headers, "mcp-session-id"), None, "no session");

    // A later stateless list on the same worker reuses the backend sessions.
    let mut host = stateless_post("tools/list", None);
    let mut f = factory.create_filter();
    host.run_request(&mut f, &request(2, "tools/list", json!({})));
    assert_eq!(host.callouts.len(), 2, "no new handshake");
    assert_eq!(sent_json(&host, 0)["method"], "tools/list");
    assert_eq!(
        sent_json(&host, 0)["params"],
        json!({}),
        "no stateless envelope"
    );
    assert_eq!(
        header(&host.callouts[0].headers, "mcp-session-id"),
        Some("w-9")
    );
    assert_eq!(
        header(&host.callouts[0].headers, "mcp-protocol-version"),
        Some("2025-11-25")
    );
    let tools = |names: &[&str]| {
        let tools: Vec<Value> = names.iter().map(|n| json!({"name": n})).collect();
        json!({"jsonrpc": "2.0", "id": 2, "result": {"tools": tools}})
    };
    complete_callout(
        &mut host,
        &mut f,
        1,
        json_reply(200, None, tools(&["forecast"])),
    );
    complete_callout(&mut host, &mut f, 2, json_reply(200, None, tools(&["add"])));
    let (_, reply) = reply_json(&host);
    assert_eq!(
        reply["result"],
        json!({"tools": [{"name": "weather__forecast"}, {"name": "calc__add"}],
               "resultType": "complete", "ttlMs": 0, "cacheScope": "private"})
    );
}

#[test]
fn a_call_initializes_only_its_server_and_goes_there() {
    let factory = factory();
    let mut host = stateless_post("tools/call", Some("calc__add"));
    let mut f = factory.create_filter();
    let params = json!({"name": "calc__add", "arguments": {"a": 1}});
    host.run_request(&mut f, &request(3, "tools/call", params));
    assert_eq!(host.callouts.len(), 1);
    assert_eq!(host.callouts[0].cluster, "aigw-mcp-calc");
    let id = sent_json(&host, 0)["id"].clone();
    let init = init_result(&id, json!({"tools": {}}));
    complete_callout(&mut host, &mut f, 1, json_reply(200, Some("c-1"), init));
    complete_callout(&mut host, &mut f, 2, accepted());
    assert_eq!(host.callouts.len(), 3);
    let call = sent_json(&host, 2);
    assert_eq!(
        (&call["method"], &call["params"]["name"]),
        (&json!("tools/call"), &json!("add"))
    );
    assert_eq!(
        header(&host.callouts[2].headers, "mcp-session-id"),
        Some("c-1")
    );
    let answer = json!({"jsonrpc": "2.0", "id": 3, "result": {"content": []}});
    complete_callout(&mut host, &mut f, 3, json_reply(200, None, answer));
    let (_, reply) = reply_json(&host);
    assert_eq!(
        reply["result"],
        json!({"content": [], "resultType": "complete"})
    );
}

#[test]
fn a_404_to_a_list_serves_it_again_with_new_backend_sessions() {
    let factory = factory();
    discover(&factory);
    let mut host = stateless_post("tools/list", None);
    let mut f = factory.create_filter();
    host.run_request(&mut f, &request(4, "tools/list", json!({})));
    assert_eq!(sent_json(&host, 0)["method"], "tools/list");
    complete_callout(&mut host, &mut f, 1, json_reply(404, None, json!({})));
    // Served again from scratch: both servers initialized anew, the old callout ignored.
    assert_eq!(sent_json(&host, 2)["method"], "initialize");
    assert_eq!(sent_json(&host, 3)["method"], "initialize");
    let tools = json!({"jsonrpc": "2.0", "id": 4, "result": {"tools": [{"name": "add"}]}});
    complete_callout(&mut host, &mut f, 2, json_reply(200, None, tools));
    assert!(host.local_reply.is_none());
    let init = sent_json(&host, 2);
    for token in [3, 4] {
        let result = init_result(&init["id"], json!({"tools": {}}));
        complete_callout(&mut host, &mut f, token, json_reply(200, None, result));
    }
    complete_callout(&mut host, &mut f, 5, accepted());
    complete_callout(&mut host, &mut f, 6, accepted());
    assert_eq!(sent_json(&host, 6)["method"], "tools/list");
    let list =
        |name: &str| json!({"jsonrpc": "2.0", "id": 4, "result": {"tools": [{"name": name}]}});
    complete_callout(
        &mut host,
        &mut f,
        7,
        json_reply(200, None, list("forecast")),
    );
    complete_callout(&mut host, &mut f, 8, json_reply(404, None, json!({})));
    let names = &reply_json(&host).1["result"]["tools"];
    assert_eq!(
        names,
        &json!([{"name": "weather__forecast"}]),
        "served again only once"
    );
}

#[test]
fn a_404_to_a_call_renews_the_kept_session_and_sends_the_call_again() {
    let factory = factory();
    discover(&factory);
    let mut host = stateless_post("tools/call", Some("weather__forecast"));
    let mut f = factory.create_filter();
    host.run_request(
        &mut f,
        &request(4, "tools/call", json!({"name": "weather__forecast"})),
    );
    complete_callout(&mut host, &mut f, 1, json_reply(404, None, json!({})));
    assert!(host.local_reply.is_none());
    let init = sent_json(&host, 1);
    assert_eq!(init["method"], "initialize");
    let result = init_result(&init["id"], json!({"tools": {}}));
    complete_callout(&mut host, &mut f, 2, json_reply(200, Some("w-10"), result));
    complete_callout(&mut host, &mut f, 3, accepted());
    assert_eq!(sent_json(&host, 3)["method"], "tools/call");
    let answer = json!({"jsonrpc": "2.0", "id": 4, "result": {"content": []}});
    complete_callout(&mut host, &mut f, 4, json_reply(200, None, answer));
    assert_eq!(reply_json(&host).0, 200);

    let mut host = stateless_post("tools/call", Some("weather__forecast"));
    host.run_request(
        &mut factory.create_filter(),
        &request(5, "tools/call", json!({"name": "weather__forecast"})),
    );
    assert_eq!(sent_json(&host, 0)["method"], "tools/call");
    assert_eq!(
        header(&host.callouts[0].headers, "mcp-session-id"),
        Some("w-10")
    );
}

#[test]
fn headers_that_disagree_with_the_body_are_refused_before_any_callout() {
    for (method, name, body) in [
        (
            "tools/list",
            None,
            request(6, "tools/call", json!({"name": "calc__add"})),
        ),
        (
            "tools/call",
            Some("weather__forecast"),
            request(6, "tools/call", json!({"name": "calc__add"})),
        ),
        (
            "tools/call",
            None,
            request(6, "tools/call", json!({"name": "calc__add"})),
        ),
    ] {
        let mut host = stateless_post(method, name);
        host.run_request(&mut factory().create_filter(), &body);
        let (status, reply) = reply_json(&host);
        assert_eq!(
            (status, &reply["error"]["code"]),
            (400, &json!(-32020)),
            "{method} {name:?}"
        );
        assert!(host.callouts.is_empty());
    }
}

#[test]
fn a_stateless_envelope_without_the_version_header_is_a_header_mismatch() {
    let mut host = post(None);
    host.run_request(
        &mut factory().create_filter(),
        &request(7, "tools/list", json!({})),
    );
    let (status, reply) = reply_json(&host);
    assert_eq!((status, &reply["error"]["code"]), (400, &json!(-32020)));
}

#[test]
fn a_missing_envelope_is_invalid_params_and_notifications_are_accepted() {
    let mut host = stateless_post("tools/list", None);
    let body = json!({"jsonrpc": "2.0", "id": 8, "method": "tools/list"}).to_string();
    host.run_request(&mut factory().create_filter(), body.as_bytes());
    let (status, reply) = reply_json(&host);
    assert_eq!((status, &reply["error"]["code"]), (400, &json!(-32602)));

    let mut host = stateless_post("notifications/cancelled", None);
    let body = json!({"jsonrpc": "2.0", "method": "notifications/cancelled"}).to_string();
    host.run_request(&mut factory().create_filter(), body.as_bytes());
    assert_eq!(host.local_reply.as_ref().unwrap().status, 202);
    assert!(host.callouts.is_empty());
}

#[test]
fn handshake_era_requests_with_disagreeing_routing_headers_are_refused() {
    let session = session();
    let mut host = post(Some(&session));
    host.request_headers
        .push(("mcp-method".into(), "tools/list".into()));
    let body = json!({"jsonrpc": "2.0", "id": 9, "method": "tools/call",
        "params": {"name": "calc__add"}});
    host.run_request(&mut factory().create_filter(), body.to_string().as_bytes());
    let (status, reply) = reply_json(&host);
    assert_eq!((status, &reply["error"]["code"]), (400, &json!(-32020)));
    assert!(host.callouts.is_empty());
}

#[test]
fn subscriptions_and_log_levels_need_a_session() {
    for (method, params) in [
        (
            "resources/subscribe",
            json!({"uri": "weather+forecast://oslo"}),
        ),
        ("logging/setLevel", json!({"level": "debug"})),
    ] {
        let mut host = stateless_post(method, None);
        host.run_request(&mut factory().create_filter(), &request(3, method, params));
        assert!(host.callouts.is_empty(), "{method}");
        let (_, reply) = reply_json(&host);
        assert_eq!(reply["error"]["code"], -32601, "{method}");
    }
}

#[test]
fn a_completion_goes_to_the_server_of_its_prompt() {
    let factory = factory();
    discover(&factory);
    let mut host = stateless_post("completion/complete", None);
    let params = json!({"ref": {"type": "ref/prompt", "name": "calc__explain"},
        "argument": {"name": "topic", "value": "al"}});
    let mut f = factory.create_filter();
    host.run_request(&mut f, &request(4, "completion/complete", params));
    assert_eq!(host.callouts.len(), 1, "the kept session is used");
    assert_eq!(
        header(&host.callouts[0].headers, ":authority"),
        Some("calc.local")
    );
    assert_eq!(
        sent_json(&host, 0)["params"]["ref"],
        json!({"type": "ref/prompt", "name": "explain"})
    );
}
