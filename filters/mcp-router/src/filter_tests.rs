use super::*;
use crate::test_support::*;
use aigw_core::mcp::session::SessionKey;
use aigw_host::CalloutResponse;
use aigw_host::test_host::{TestHost, TestRegistry, complete_callout};
use serde_json::json;

#[test]
fn other_paths_pass_through() {
    let mut host =
        TestHost::with_request_headers(&[(":method", "POST"), (":path", "/v1/chat/completions")]);
    let mut f = filter();
    let (hs, body) = host.run_request(&mut f, b"{}");
    assert_eq!(
        (hs, body),
        (HeadersStatus::Continue, Some(BodyStatus::Continue))
    );
    assert!(host.local_reply.is_none() && host.callouts.is_empty());
}

#[test]
fn other_methods_get_405() {
    for method in ["PUT", "PATCH"] {
        let mut host =
            TestHost::with_request_headers(&[(":method", method), (":path", "/mcp?x=1")]);
        host.run_request(&mut filter(), b"");
        let reply = host.local_reply.unwrap();
        assert_eq!(reply.status, 405);
        assert_eq!(header(&reply.headers, "allow"), Some("GET, POST, DELETE"));
    }
}

#[test]
fn bad_json_rpc_gets_json_rpc_errors() {
    for (body, status, code) in [
        (&b"{not json"[..], 400, -32700),
        (br#"{"jsonrpc":"2.0","id":1}"#, 400, -32600),
        (
            br#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":[]}"#,
            200,
            -32602,
        ),
    ] {
        let mut host = post(None);
        host.run_request(&mut filter(), body);
        let (got_status, reply) = reply_json(&host);
        assert_eq!(
            (got_status, &reply["error"]["code"]),
            (status, &json!(code))
        );
    }
}

#[test]
fn initialize_fans_out_and_seals_the_backends_sessions() {
    let mut host = post(None);
    host.request_headers
        .push(("x-tenant".to_string(), "acme".to_string()));
    let mut f = filter();
    let body = json!({"jsonrpc":"2.0","id":0,"method":"initialize","params":{
        "protocolVersion":"2025-06-18","capabilities":{"sampling":{}},"clientInfo":{"name":"t","version":"1"}}});
    host.run_request(&mut f, body.to_string().as_bytes());
    assert_eq!(header(&host.callouts[0].headers, "x-tenant"), Some("acme"));
    assert_eq!(
        header(&host.callouts[1].headers, "x-tenant"),
        None,
        "only weather is configured to get it"
    );
    assert_eq!(host.callouts.len(), 2);
    let first = &host.callouts[0];
    assert_eq!(
        (first.cluster.as_str(), first.timeout),
        ("aigw-mcp-weather", std::time::Duration::from_secs(5))
    );
    assert_eq!(header(&first.headers, ":path"), Some("/mcp"));
    assert_eq!(
        header(&first.headers, "authorization"),
        Some("Bearer fake-token-1")
    );
    assert_eq!(header(&host.callouts[1].headers, ":path"), Some("/v2/mcp"));
    assert_eq!(header(&host.callouts[1].headers, "authorization"), None);
    assert_eq!(
        sent_json(&host, 0)["params"]["capabilities"],
        json!({"sampling": {}}),
        "the client's capabilities are passed on"
    );

    let weather = json!({"jsonrpc":"2.0","id":0,"result":{"protocolVersion":"2025-06-18",
        "capabilities":{"tools":{"listChanged":true}},"serverInfo":{"name":"w","version":"1"}}});
    complete_callout(
        &mut host,
        &mut f,
        2,
        sse_reply(&[json!({"jsonrpc":"2.0","id":0,"result":{
        "protocolVersion":"2025-06-18","capabilities":{"prompts":{}},"serverInfo":{"name":"c","version":"1"}}})]),
    );
    assert!(host.local_reply.is_none(), "waits for every server");
    complete_callout(&mut host, &mut f, 1, json_reply(200, Some("w-1"), weather));

    let (status, reply) = reply_json(&host);
    assert_eq!(status, 200);
    assert_eq!(reply["result"]["protocolVersion"], "2025-06-18");
    assert_eq!(
        reply["result"]["capabilities"],
        json!({"tools": {}, "prompts": {}})
    );
    let sealed = header(
        &host.local_reply.as_ref().unwrap().headers,
        "mcp-session-id",
    )
    .unwrap();
    let session = Session::open(sealed, &[key()]).unwrap();
    let ids: Vec<_> = session
        .backends
        .iter()
        .map(|b| (b.server.as_str(), b.session_id.as_deref()))
        .collect();
    assert_eq!(ids, [("weather", Some("w-1")), ("calc", None)]);
    assert_eq!(
        Value::Object(session.client_capabilities),
        json!({"sampling": {}}),
        "kept for renewals"
    );
}

#[test]
fn a_failed_server_is_left_out_of_the_session() {
    let mut host = post(None);
    let mut f = filter();
    let body = json!({"jsonrpc":"2.0","id":"i","method":"initialize","params":{
        "protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}});
    host.run_request(&mut f, body.to_string().as_bytes());
    complete_callout(&mut host, &mut f, 1, Err("timeout".into()));
    complete_callout(
        &mut host,
        &mut f,
        2,
        json_reply(
            200,
            None,
            json!({"jsonrpc":"2.0","id":"i",
        "result":{"protocolVersion":"2025-11-25","capabilities":{"tools":{}},"serverInfo":{"name":"c"}}}),
        ),
    );
    let sealed = header(
        &host.local_reply.as_ref().unwrap().headers,
        "mcp-session-id",
    )
    .unwrap();
    let session = Session::open(sealed, &[key()]).unwrap();
    assert_eq!(session.backends.len(), 1);
    assert_eq!(session.backends[0].server, "calc");
    assert!(
        host.logs
            .borrow()
            .iter()
            .any(|(_, l)| l.contains("server weather: initialize failed: timeout"))
    );
}

#[test]
fn initialize_checks_params() {
    let mut host = post(None);
    host.run_request(
        &mut filter(),
        br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#,
    );
    let (_, reply) = reply_json(&host);
    assert_eq!(reply["error"]["code"], -32602);
    assert!(host.callouts.is_empty());
}

#[test]
fn tools_list_merges_with_prefixes_filters_and_follows_pages() {
    let session = session();
    let mut host = post(Some(&session));
    let mut f = filter();
    host.run_request(&mut f, br#"{"jsonrpc":"2.0","id":5,"method":"tools/list"}"#);
    assert_eq!(host.callouts.len(), 2);
    assert_eq!(
        header(&host.callouts[0].headers, "mcp-session-id"),
        Some("w-1")
    );
    assert_eq!(
        header(&host.callouts[0].headers, "mcp-protocol-version"),
        Some("2025-06-18")
    );
    assert_eq!(header(&host.callouts[1].headers, "mcp-session-id"), None);

    complete_callout(
        &mut host,
        &mut f,
        2,
        json_reply(
            200,
            None,
            json!({"jsonrpc":"2.0","id":5,"result":{
        "tools":[{"name":"add"},{"name":"secret"},{"name":"admin_reset"}]}}),
        ),
    );
    complete_callout(
        &mut host,
        &mut f,
        1,
        json_reply(
            200,
            None,
            json!({"jsonrpc":"2.0","id":5,"result":{
        "tools":[{"name":"forecast"}],"nextCursor":"p2"}}),
        ),
    );
    assert_eq!(host.callouts.len(), 3, "second page requested");
    assert_eq!(sent_json(&host, 2)["params"], json!({"cursor": "p2"}));
    complete_callout(
        &mut host,
        &mut f,
        3,
        json_reply(
            200,
            None,
            json!({"jsonrpc":"2.0","id":5,"result":{
        "tools":[{"name":"alerts"}]}}),
        ),
    );

    let (status, reply) = reply_json(&host);
    assert_eq!(status, 200);
    let names: Vec<_> = reply["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["weather__forecast", "weather__alerts", "calc__add"]);
}

#[test]
fn filtered_and_unknown_tools_are_refused_without_a_callout() {
    for name in ["calc__secret", "calc__admin_x", "nope__add", "calc"] {
        let session = session();
        let mut host = post(Some(&session));
        let call = json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":name}});
        host.run_request(&mut filter(), call.to_string().as_bytes());
        let (status, reply) = reply_json(&host);
        assert_eq!(
            (status, &reply["error"]["code"]),
            (200, &json!(-32602)),
            "{name}"
        );
        assert_eq!(reply["error"]["message"], format!("unknown tool: {name}"));
        assert!(host.callouts.is_empty());
        assert_eq!(forwarded_to(&host), None);
    }
}

#[test]
fn sessions_are_required_and_checked() {
    let body = br#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#;
    let mut host = post(None);
    host.run_request(&mut filter(), body);
    assert_eq!(reply_json(&host).0, 400);

    let mut tampered = session().into_bytes();
    let last = tampered.len() - 2;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let foreign = Session {
        version: "2025-06-18".into(),
        backends: vec![],
        client_capabilities: Default::default(),
    }
    .seal(&SessionKey::from_bytes(&[9; 32]).unwrap())
    .unwrap();
    for bad in [tampered.as_str(), foreign.as_str(), "garbage"] {
        let mut host = post(Some(bad));
        host.run_request(&mut filter(), body);
        let (status, reply) = reply_json(&host);
        assert_eq!(
            (status, &reply["error"]["code"]),
            (404, &json!(-32600)),
            "{bad}"
        );
        assert!(host.callouts.is_empty());
    }
}

#[test]
fn notifications_are_broadcast_and_answered_202() {
    let session = session();
    let mut host = post(Some(&session));
    let mut f = filter();
    host.run_request(
        &mut f,
        br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
    );
    assert_eq!(host.callouts.len(), 2);
    assert_eq!(
        sent_json(&host, 1),
        json!({"jsonrpc":"2.0","method":"notifications/initialized"})
    );
    let accepted = Ok(CalloutResponse {
        status: 202,
        ..Default::default()
    });
    complete_callout(&mut host, &mut f, 1, accepted.clone());
    assert!(host.local_reply.is_none());
    complete_callout(&mut host, &mut f, 2, accepted);
    assert_eq!(host.local_reply.as_ref().unwrap().status, 202);
}

#[test]
fn delete_ends_the_backend_sessions() {
    let session = session();
    let mut host = TestHost::with_request_headers(&[
        (":method", "DELETE"),
        (":path", "/mcp"),
        ("mcp-session-id", &session),
    ]);
    let mut f = filter();
    host.run_request(&mut f, b"");
    // `calc` keeps no session: it has none to end.
    assert_eq!(host.callouts.len(), 1);
    assert_eq!(header(&host.callouts[0].headers, ":method"), Some("DELETE"));
    assert_eq!(
        header(&host.callouts[0].headers, "mcp-session-id"),
        Some("w-1")
    );
    assert!(host.local_reply.is_none());
    let ended = Ok(CalloutResponse {
        status: 200,
        ..Default::default()
    });
    complete_callout(&mut host, &mut f, 1, ended);
    assert_eq!(host.local_reply.as_ref().unwrap().status, 200);
}

#[test]
fn delete_of_a_session_of_servers_without_sessions_is_answered_at_once() {
    let session: Session = serde_json::from_value(json!({"v": "2025-06-18", "b": [
        {"s": "calc", "v": "2025-06-18"}]}))
    .unwrap();
    let sealed = session.seal(&key()).unwrap();
    let mut host = TestHost::with_request_headers(&[
        (":method", "DELETE"),
        (":path", "/mcp"),
        ("mcp-session-id", &sealed),
    ]);
    host.run_request(&mut filter(), b"");
    assert!(host.callouts.is_empty());
    assert_eq!(host.local_reply.as_ref().unwrap().status, 200);
}

#[test]
fn set_level_goes_to_every_server_and_succeeds_when_one_takes_it() {
    let session = session();
    let mut host = post(Some(&session));
    let mut f = filter();
    host.run_request(
        &mut f,
        br#"{"jsonrpc":"2.0","id":5,"method":"logging/setLevel","params":{"level":"debug"}}"#,
    );
    assert_eq!(host.callouts.len(), 2);
    assert_eq!(sent_json(&host, 0)["params"], json!({"level": "debug"}));
    let refused = json!({"jsonrpc":"2.0","id":5,"error":{"code":-32601,"message":"no logging"}});
    complete_callout(&mut host, &mut f, 2, json_reply(200, None, refused));
    assert!(host.local_reply.is_none());
    let taken = json!({"jsonrpc":"2.0","id":5,"result":{}});
    complete_callout(&mut host, &mut f, 1, json_reply(200, None, taken));
    assert_eq!(
        reply_json(&host),
        (200, json!({"jsonrpc":"2.0","id":5,"result":{}}))
    );
}

#[test]
fn set_level_refused_by_every_server_gets_the_first_refusal() {
    let session = session();
    let mut host = post(Some(&session));
    let mut f = filter();
    host.run_request(
        &mut f,
        br#"{"jsonrpc":"2.0","id":6,"method":"logging/setLevel","params":{"level":"loud"}}"#,
    );
    let refused = json!({"jsonrpc":"2.0","id":6,"error":{"code":-32602,"message":"bad level"}});
    complete_callout(&mut host, &mut f, 1, json_reply(200, None, refused));
    complete_callout(&mut host, &mut f, 2, Err("reset".into()));
    assert_eq!(
        reply_json(&host),
        (
            200,
            json!({"jsonrpc":"2.0","id":6,"error":{"code":-32602,"message":"bad level"}})
        )
    );
}

#[test]
fn ping_is_answered_locally_and_unknown_methods_are_not_found() {
    let session = session();
    let mut host = post(Some(&session));
    host.run_request(
        &mut filter(),
        br#"{"jsonrpc":"2.0","id":3,"method":"ping"}"#,
    );
    assert_eq!(
        reply_json(&host).1,
        json!({"jsonrpc":"2.0","id":3,"result":{}})
    );
    let mut host = post(Some(&session));
    host.run_request(
        &mut filter(),
        br#"{"jsonrpc":"2.0","id":4,"method":"sampling/createMessage"}"#,
    );
    assert_eq!(reply_json(&host).1["error"]["code"], -32601);
}

#[test]
fn unsupported_protocol_version_header_is_400() {
    let mut host = TestHost::with_request_headers(&[
        (":method", "POST"),
        (":path", "/mcp"),
        ("mcp-protocol-version", "1999-01-01"),
    ]);
    host.run_request(&mut filter(), b"{}");
    assert_eq!(host.local_reply.unwrap().status, 400);
}

#[test]
fn oversized_bodies_are_refused() {
    let text = CONFIG.replace("\"callout_timeout_ms\":5000", "\"max_request_bytes\":16");
    let mut f = McpRouterFactory::with_env(&text, env, &mut TestRegistry::default())
        .unwrap()
        .create_filter();
    let mut host = post(None);
    host.run_request_chunks(
        &mut f,
        &[b"{\"jsonrpc\":\"2.0\",", b"\"id\":1,\"method\":\"ping\"}"],
    );
    assert_eq!(host.local_reply.unwrap().status, 413);
}
