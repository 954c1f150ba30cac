//! Routed requests forwarded through Envoy's router, and their answers streaming back.

use crate::test_support::*;
use aigw_core::mcp::ROUTE_HEADER;
use aigw_host::test_host::TestHost;
use aigw_host::{BodyStatus, Filter, HeadersStatus};
use serde_json::{Value, json};
use std::time::Duration;

/// A client POST in the test session with extra request headers.
fn client_post(extra: &[(&str, &str)]) -> TestHost {
    let mut host = post(Some(&session()));
    for (k, v) in extra {
        host.request_headers.push((k.to_string(), v.to_string()));
    }
    host
}

fn sent_body(host: &TestHost) -> Value {
    serde_json::from_slice(&host.request_body).unwrap()
}

#[test]
fn a_tool_call_goes_through_the_router_with_the_servers_name_session_and_credential() {
    let mut host = client_post(&[
        (ROUTE_HEADER, "calc"),
        ("authorization", "Bearer client-token-for-the-gateway"),
        ("content-length", "97"),
    ]);
    let mut f = filter();
    let call = json!({"jsonrpc":"2.0","id":9,"method":"tools/call",
        "params":{"name":"weather__forecast","arguments":{"city":"Oslo"}}});
    let body = call.to_string();
    let (half, rest) = body.as_bytes().split_at(20);
    let (headers, last) = host.run_request_chunks(&mut f, &[half, rest]);
    assert_eq!(
        (headers, last),
        (HeadersStatus::StopIteration, Some(BodyStatus::Continue))
    );
    assert!(host.callouts.is_empty() && host.local_reply.is_none());
    assert_eq!(
        forwarded_to(&host),
        Some("weather"),
        "the client's header is overwritten"
    );
    assert_eq!(host.route_cache_cleared, 1);
    assert_eq!(
        sent_body(&host),
        json!({"jsonrpc":"2.0","id":9,"method":"tools/call",
            "params":{"name":"forecast","arguments":{"city":"Oslo"}}})
    );
    let sent = |name| header(&host.request_headers, name);
    assert_eq!(sent("authorization"), Some("Bearer fake-token-1"));
    assert_eq!(sent("mcp-session-id"), Some("w-1"));
    assert_eq!(sent("mcp-protocol-version"), Some("2025-06-18"));
    assert_eq!(sent("accept"), Some("application/json, text/event-stream"));
    assert_eq!(
        sent("content-length"),
        Some(host.request_body.len().to_string().as_str())
    );
}

#[test]
fn only_the_clients_headers_the_server_is_configured_to_get_go_on() {
    let mut host = client_post(&[
        ("x-tenant", "acme"),
        ("cookie", "session=for-the-gateway-only"),
        ("x-other", "1"),
        (
            "traceparent",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        ),
        ("x-request-id", "r-1"),
    ]);
    let call = json!({"jsonrpc":"2.0","id":1,"method":"tools/call",
        "params":{"name":"weather__forecast","arguments":{}}});
    host.run_request(&mut filter(), call.to_string().as_bytes());
    assert_eq!(forwarded_to(&host), Some("weather"));
    let sent = |name| header(&host.request_headers, name);
    assert_eq!(sent("x-tenant"), Some("acme"));
    assert_eq!((sent("cookie"), sent("x-other")), (None, None));
    assert_eq!(sent("x-request-id"), Some("r-1"));
    assert!(sent("traceparent").is_some());
    assert_eq!(sent(":path"), Some("/mcp"));

    // calc is not configured to get x-tenant.
    let mut host = client_post(&[("x-tenant", "acme")]);
    let read = json!({"jsonrpc":"2.0","id":2,"method":"resources/read",
        "params":{"uri":"calc+file:///x"}});
    host.run_request(&mut filter(), read.to_string().as_bytes());
    assert_eq!(forwarded_to(&host), Some("calc"));
    assert_eq!(header(&host.request_headers, "x-tenant"), None);
}

#[test]
fn a_server_without_credential_or_session_gets_neither() {
    let mut host = client_post(&[("authorization", "Bearer client-token-for-the-gateway")]);
    let call = json!({"jsonrpc":"2.0","id":"a","method":"resources/read",
        "params":{"uri":"calc+file:///x"}});
    host.run_request(&mut filter(), call.to_string().as_bytes());
    assert_eq!(forwarded_to(&host), Some("calc"));
    assert_eq!(sent_body(&host)["params"], json!({"uri":"file:///x"}));
    assert_eq!(header(&host.request_headers, "authorization"), None);
    assert_eq!(header(&host.request_headers, "mcp-session-id"), None);
}

#[test]
fn the_answer_streams_back_untouched_without_the_servers_session_id() {
    let mut host = client_post(&[]);
    let mut f = filter();
    let call = json!({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"weather__x"}});
    host.run_request(&mut f, call.to_string().as_bytes());
    answer_headers(
        &mut host,
        200,
        &[
            ("content-type", "text/event-stream"),
            ("mcp-session-id", "w-1"),
        ],
    );
    assert_eq!(
        f.on_response_headers(&mut host, false),
        HeadersStatus::Continue
    );
    assert_eq!(header(&host.response_headers, "mcp-session-id"), None);
    let progress = "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progress\":1}}\n\n";
    let result =
        "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":9,\"result\":{\"content\":[]}}\n\n";
    let mut passed = Vec::new();
    for (chunk, end) in [
        (&progress[..30], false),
        (&progress[30..], false),
        (result, true),
    ] {
        host.response_body = chunk.as_bytes().to_vec();
        assert_eq!(f.on_response_body(&mut host, end), BodyStatus::Continue);
        passed.push(String::from_utf8(std::mem::take(&mut host.response_body)).unwrap());
        let recorded = !host.metric_records.is_empty();
        assert_eq!(recorded, end, "recorded at the end only");
    }
    // The start of an event waits for its end; each complete event passes unchanged.
    assert_eq!(passed, ["", progress, result]);
    f.on_stream_complete(&mut host);
    assert_eq!(host.metric_records.len(), 1, "recorded once");
}

#[test]
fn a_404_of_a_server_without_sessions_reaches_the_client() {
    let mut host = client_post(&[]);
    let mut f = filter();
    let call = json!({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"calc__x"}});
    host.run_request(&mut f, call.to_string().as_bytes());
    host.time += Duration::from_millis(7);
    answer_headers(&mut host, 404, &[("content-length", "0")]);
    assert_eq!(
        f.on_response_headers(&mut host, true),
        HeadersStatus::Continue,
        "no backend session to renew"
    );
    assert!(host.callouts.is_empty() && host.local_reply.is_none());
    let (_, labels, value) = &host.metric_records[0];
    assert_eq!((&labels[2], *value), (&"404".to_string(), 7));
}

#[test]
fn get_streams_the_one_stateful_servers_stream() {
    let sealed = weather_session();
    let mut host = TestHost::with_request_headers(&[
        (":method", "GET"),
        (":path", "/mcp"),
        ("accept", "text/event-stream"),
        ("mcp-session-id", &sealed),
        ("last-event-id", "e-3"),
    ]);
    let mut f = filter();
    assert_eq!(
        f.on_request_headers(&mut host, true),
        HeadersStatus::Continue
    );
    assert_eq!(forwarded_to(&host), Some("weather"));
    let sent = |name| header(&host.request_headers, name);
    assert_eq!(sent("mcp-session-id"), Some("w-7"));
    assert_eq!(sent("mcp-protocol-version"), Some("2025-11-25"));
    assert_eq!(sent("accept"), Some("text/event-stream"));
    assert_eq!(sent("last-event-id"), Some("e-3"));
    answer_headers(&mut host, 200, &[("content-type", "text/event-stream")]);
    f.on_response_headers(&mut host, false);
    host.response_body = b"event: message\ndata: {}\n\n".to_vec();
    f.on_response_body(&mut host, false);
    assert!(host.metric_records.is_empty(), "the stream is still open");
    f.on_stream_complete(&mut host);
    let (_, labels, _) = &host.metric_records[0];
    assert_eq!(labels[..3], ["_OTHER", "", ""]);
}

#[test]
fn get_is_405_for_sessions_of_several_or_stateless_servers() {
    let stateless: aigw_core::mcp::session::Session = serde_json::from_value(json!({
        "v": "2025-06-18", "b": [{"s": "calc", "v": "2025-06-18"}]}))
    .unwrap();
    for sealed in [session(), stateless.seal(&key()).unwrap()] {
        let mut host = TestHost::with_request_headers(&[
            (":method", "GET"),
            (":path", "/mcp"),
            ("accept", "text/event-stream"),
            ("mcp-session-id", &sealed),
        ]);
        host.run_request(&mut filter(), b"");
        let reply = host.local_reply.as_ref().unwrap();
        assert_eq!(reply.status, 405);
        assert_eq!(header(&reply.headers, "allow"), Some("POST, DELETE"));
        assert_eq!(forwarded_to(&host), None);
        let (_, labels, _) = &host.metric_records[0];
        assert_eq!(labels[..3], ["_OTHER", "", "405"]);
    }
}

#[test]
fn get_without_a_valid_session_or_accepting_no_stream_is_refused() {
    for (headers, status) in [
        (vec![("accept", "text/event-stream")], 400),
        (
            vec![
                ("accept", "text/event-stream"),
                ("mcp-session-id", "garbage"),
            ],
            404,
        ),
        (vec![("accept", "application/json")], 406),
    ] {
        let mut all = vec![(":method", "GET"), (":path", "/mcp")];
        all.extend(headers);
        let sealed = session();
        if status == 406 {
            all.push(("mcp-session-id", &sealed));
        }
        let mut host = TestHost::with_request_headers(&all);
        host.run_request(&mut filter(), b"");
        assert_eq!(host.local_reply.as_ref().unwrap().status, status);
        assert_eq!(forwarded_to(&host), None);
    }
}

#[test]
fn a_server_request_in_the_answer_gets_a_relayed_id_and_the_response_goes_back() {
    let mut host = client_post(&[]);
    let mut f = filter();
    let call =
        json!({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"weather__ask"}});
    host.run_request(&mut f, call.to_string().as_bytes());
    answer_headers(&mut host, 200, &[("content-type", "text/event-stream")]);
    let request =
        json!({"jsonrpc":"2.0","id":0,"method":"elicitation/create","params":{"message":"ok?"}});
    let event = format!("event: message\ndata: {request}\n\n");
    let (head, tail) = event.as_bytes().split_at(25);
    let out = host.run_response(&mut f, &[head, tail]);
    let relayed = json!({"jsonrpc":"2.0","id":"weather__0","method":"elicitation/create",
        "params":{"message":"ok?"}});
    assert_eq!(
        String::from_utf8(out).unwrap(),
        format!("event: message\ndata: {relayed}\n\n")
    );

    let mut host = client_post(&[]);
    let mut f = filter();
    let response = json!({"jsonrpc":"2.0","id":"weather__0","result":{"action":"accept"}});
    let (_, body) = host.run_request(&mut f, response.to_string().as_bytes());
    assert_eq!(body, Some(BodyStatus::Continue));
    assert_eq!(forwarded_to(&host), Some("weather"));
    assert_eq!(
        sent_body(&host),
        json!({"jsonrpc":"2.0","id":0,"result":{"action":"accept"}})
    );
    assert_eq!(header(&host.request_headers, "mcp-session-id"), Some("w-1"));
    answer_headers(&mut host, 202, &[]);
    f.on_response_headers(&mut host, true);
    let (_, labels, _) = &host.metric_records[0];
    assert_eq!(labels[..3], ["_OTHER", "", ""]);
    assert_eq!(labels[4], "weather");
}

#[test]
fn a_response_to_no_relayed_request_is_refused() {
    for id in [json!(0), json!("nope__0"), json!("calc__x")] {
        let mut host = client_post(&[]);
        let response = json!({"jsonrpc":"2.0","id":id,"result":{}});
        host.run_request(&mut filter(), response.to_string().as_bytes());
        let (status, reply) = reply_json(&host);
        assert_eq!(
            (status, &reply["error"]["code"]),
            (400, &json!(-32600)),
            "{id}"
        );
        assert_eq!(forwarded_to(&host), None);
    }
}

#[test]
fn a_completion_goes_to_the_server_of_its_prompt_or_template_with_the_own_name() {
    let mut host = client_post(&[]);
    let complete = json!({"jsonrpc":"2.0","id":4,"method":"completion/complete","params":{
        "ref":{"type":"ref/prompt","name":"weather__outlook"},
        "argument":{"name":"city","value":"Os"}}});
    host.run_request(&mut filter(), complete.to_string().as_bytes());
    assert_eq!(forwarded_to(&host), Some("weather"));
    assert_eq!(
        sent_body(&host)["params"],
        json!({"ref":{"type":"ref/prompt","name":"outlook"},"argument":{"name":"city","value":"Os"}})
    );

    let mut host = client_post(&[]);
    let complete = json!({"jsonrpc":"2.0","id":5,"method":"completion/complete","params":{
        "ref":{"type":"ref/resource","uri":"calc+table://{name}"},
        "argument":{"name":"name","value":"a"}}});
    host.run_request(&mut filter(), complete.to_string().as_bytes());
    assert_eq!(forwarded_to(&host), Some("calc"));
    assert_eq!(
        sent_body(&host)["params"]["ref"],
        json!({"type":"ref/resource","uri":"table://{name}"})
    );
}

#[test]
fn a_completion_without_a_known_ref_is_invalid_params() {
    for params in [
        json!({"ref":{"type":"ref/tool","name":"weather__x"}}),
        json!({"ref":{"type":"ref/prompt","name":"nowhere__x"}}),
        json!({"ref":{"type":"ref/prompt"}}),
    ] {
        let mut host = client_post(&[]);
        let complete =
            json!({"jsonrpc":"2.0","id":6,"method":"completion/complete","params":params});
        host.run_request(&mut filter(), complete.to_string().as_bytes());
        assert_eq!(forwarded_to(&host), None);
        assert_eq!(reply_json(&host).1["error"]["code"], -32602, "{params}");
    }
}

#[test]
fn subscriptions_go_to_the_one_stateful_server_and_are_refused_elsewhere() {
    let mut host = post(Some(&weather_session()));
    let subscribe = json!({"jsonrpc":"2.0","id":1,"method":"resources/subscribe",
        "params":{"uri":"weather+forecast://oslo"}});
    host.run_request(&mut filter(), subscribe.to_string().as_bytes());
    assert_eq!(forwarded_to(&host), Some("weather"));
    assert_eq!(sent_body(&host)["params"], json!({"uri":"forecast://oslo"}));

    // The test session has two servers: updates could not reach the client.
    let mut host = client_post(&[]);
    host.run_request(&mut filter(), subscribe.to_string().as_bytes());
    assert_eq!(forwarded_to(&host), None);
    let (status, reply) = reply_json(&host);
    assert_eq!((status, &reply["error"]["code"]), (200, &json!(-32601)));
}
