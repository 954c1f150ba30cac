use crate::filter::McpRouterFactory;
use crate::test_support::*;
use aigw_core::mcp::session::Session;
use aigw_host::test_host::{TestHost, TestRegistry, complete_callout};
use aigw_host::{BodyStatus, CalloutResponse, Filter, FilterFactory, HeadersStatus};
use serde_json::json;
use std::time::Duration;

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

/// The test session's call `CALL` forwarded through the router, and its answer's 404
/// headers (`end_of_stream` when the 404 has no body) given to the filter.
fn forwarded_call_meets_404(
    factory: &McpRouterFactory,
    end_of_stream: bool,
) -> (TestHost, crate::McpRouterFilter) {
    let mut host = post(Some(&session()));
    let mut f = factory.create_filter();
    host.run_request(&mut f, CALL);
    assert_eq!(forwarded_to(&host), Some("weather"));
    host.time += Duration::from_millis(5);
    answer_headers(&mut host, 404, &[("content-type", "application/json")]);
    assert_eq!(
        f.on_response_headers(&mut host, end_of_stream),
        HeadersStatus::StopIteration,
        "the 404 is held back"
    );
    (host, f)
}

#[test]
fn a_forwarded_call_that_meets_an_expired_session_is_renewed_and_sent_again() {
    let factory = factory();
    let (mut host, mut f) = forwarded_call_meets_404(&factory, false);
    let forwarded = host.request_body.clone();
    host.response_body = br#"{"error":"Session not found"}"#.to_vec();
    assert_eq!(
        f.on_response_body(&mut host, true),
        BodyStatus::StopNoBuffer,
        "the 404's body is dropped"
    );
    let init = &host.callouts[0];
    assert_eq!(init.cluster, "aigw-mcp-weather");
    assert_eq!(header(&init.headers, "mcp-session-id"), None);
    handshake(&mut host, &mut f, 1, "w-3");
    let again = &host.callouts[2];
    assert_eq!(again.body, forwarded, "the request as it was forwarded");
    assert_eq!(sent_json(&host, 2)["params"]["name"], "forecast");
    assert_eq!(header(&again.headers, "mcp-session-id"), Some("w-3"));
    assert_eq!(
        header(&again.headers, "authorization"),
        Some("Bearer fake-token-1")
    );
    assert!(host.local_reply.is_none() && host.metric_records.is_empty());
    host.time += Duration::from_millis(4);
    let progress = json!({"jsonrpc": "2.0", "method": "notifications/progress",
        "params": {"progressToken": 1, "progress": 1}});
    let result = json!({"jsonrpc": "2.0", "id": 2, "result": {"content": []}});
    let mut answer = sse_reply(&[progress.clone(), result.clone()]).unwrap();
    answer
        .headers
        .push(("mcp-session-id".to_string(), "w-3".to_string()));
    complete_callout(&mut host, &mut f, 3, Ok(answer));
    let reply = host
        .local_reply
        .as_ref()
        .expect("the answer replaces the 404");
    assert_eq!(reply.status, 200);
    assert_eq!(
        header(&reply.headers, "content-type"),
        Some("text/event-stream")
    );
    let body = String::from_utf8(reply.body.clone()).unwrap();
    assert_eq!(
        body,
        format!("event: message\ndata: {progress}\n\nevent: message\ndata: {result}\n\n")
    );
    let resealed = header(&reply.headers, "mcp-session-id").expect("a gateway session id");
    let opened = aigw_core::mcp::session::Session::open(resealed, &[key()]).unwrap();
    assert_eq!(opened.backends[0].session_id.as_deref(), Some("w-3"));
    assert_eq!(
        host.metric_records.len(),
        1,
        "the operation is recorded once"
    );
    let (_, labels, millis) = &host.metric_records[0];
    assert_eq!((labels[0].as_str(), labels[2].as_str()), ("tools/call", ""));
    assert_eq!(*millis, 9, "from the request until the final answer");
    f.on_stream_complete(&mut host);
    assert_eq!(host.metric_records.len(), 1);

    // The next call of the client's session is forwarded in the renewed session.
    let mut host = post(Some(&session()));
    host.run_request(&mut factory.create_filter(), CALL);
    assert_eq!(header(&host.request_headers, "mcp-session-id"), Some("w-3"));
}

#[test]
fn a_call_sent_again_is_not_renewed_twice_and_its_404_reaches_the_client() {
    let factory = factory();
    let (mut host, mut f) = forwarded_call_meets_404(&factory, true);
    handshake(&mut host, &mut f, 1, "w-3");
    complete_callout(&mut host, &mut f, 3, expired());
    assert_eq!(host.callouts.len(), 3, "sent again once, no second renewal");
    let (status, reply) = reply_json(&host);
    assert_eq!((status, &reply["id"]), (404, &json!(2)));
    assert_eq!(reply["error"]["code"], -32600);
    let (_, labels, _) = &host.metric_records[0];
    assert_eq!(
        (host.metric_records.len(), labels[2].as_str()),
        (1, "-32600")
    );
}

#[test]
fn a_renewal_whose_handshake_fails_answers_404() {
    let factory = factory();
    let (mut host, mut f) = forwarded_call_meets_404(&factory, true);
    complete_callout(&mut host, &mut f, 1, Err("reset".to_string()));
    assert_eq!(host.callouts.len(), 1, "nothing sent again");
    let (status, reply) = reply_json(&host);
    assert_eq!((status, &reply["error"]["code"]), (404, &json!(-32600)));
    assert_eq!(host.metric_records.len(), 1);
}

#[test]
fn a_404_on_a_get_stream_passes_through() {
    let sealed = weather_session();
    let mut host = TestHost::with_request_headers(&[
        (":method", "GET"),
        (":path", "/mcp"),
        ("accept", "text/event-stream"),
        ("mcp-session-id", &sealed),
    ]);
    let mut f = factory().create_filter();
    f.on_request_headers(&mut host, true);
    answer_headers(&mut host, 404, &[]);
    assert_eq!(
        f.on_response_headers(&mut host, true),
        HeadersStatus::Continue
    );
    assert!(host.callouts.is_empty() && host.local_reply.is_none());
}

#[test]
fn a_client_that_leaves_during_the_renewal_gets_its_call_recorded_once_as_reset() {
    let factory = factory();
    let (mut host, mut f) = forwarded_call_meets_404(&factory, true);
    f.on_stream_complete(&mut host);
    let (mut later, mut g) = forwarded_call_meets_404(&factory, true);
    handshake(&mut later, &mut g, 1, "w-3");
    g.on_stream_complete(&mut later);
    for host in [host, later] {
        assert_eq!(host.metric_records.len(), 1);
        let (_, labels, _) = &host.metric_records[0];
        assert_eq!(labels[2], "stream_reset");
        assert!(host.local_reply.is_none());
    }
}

#[test]
fn a_renewal_declares_the_capabilities_the_client_declared() {
    let session: Session = serde_json::from_value(json!({"v": "2025-06-18",
        "b": [{"s": "weather", "i": "w-1", "v": "2025-06-18"}],
        "c": {"elicitation": {}, "roots": {"listChanged": true}}}))
    .unwrap();
    let mut host = post(Some(&session.seal(&key()).unwrap()));
    let mut f = factory().create_filter();
    host.run_request(&mut f, CALL);
    answer_headers(&mut host, 404, &[]);
    f.on_response_headers(&mut host, true);
    let init = sent_json(&host, 0);
    assert_eq!(init["method"], "initialize");
    assert_eq!(
        init["params"]["capabilities"],
        json!({"elicitation": {}, "roots": {"listChanged": true}})
    );
}

#[test]
fn a_client_that_leaves_during_a_list_or_its_renewal_gets_it_recorded_once_as_reset() {
    let list = br#"{"jsonrpc":"2.0","id":6,"method":"tools/list"}"#;
    // Leaves while the list's callouts are in flight.
    let mut waiting = post(Some(&session()));
    let mut f = factory().create_filter();
    waiting.run_request(&mut f, list);
    f.on_stream_complete(&mut waiting);
    // A late answer changes nothing.
    complete_callout(&mut waiting, &mut f, 1, expired());
    // Leaves while the list renews an expired session.
    let mut renewing = post(Some(&session()));
    let mut g = factory().create_filter();
    renewing.run_request(&mut g, list);
    complete_callout(&mut renewing, &mut g, 1, expired());
    g.on_stream_complete(&mut renewing);
    for host in [waiting, renewing] {
        assert_eq!(host.metric_records.len(), 1);
        let (_, labels, _) = &host.metric_records[0];
        assert_eq!(labels[2], "stream_reset");
        assert!(host.local_reply.is_none());
    }
}
