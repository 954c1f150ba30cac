use super::*;

fn message(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap()
}

fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.insert(*name, HeaderValue::from_static(value));
    }
    map
}

const JSON_AND_SSE: &str = "application/json, text/event-stream";

#[test]
fn initialize_negotiates_and_names_the_server() {
    let (status, body) = reply(
        "alpha",
        &message(
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t"}}}),
        ),
    );
    assert_eq!(status, StatusCode::OK);
    let result = &body.unwrap()["result"];
    assert_eq!(result["protocolVersion"], "2025-06-18");
    assert_eq!(result["serverInfo"]["name"], "alpha");
}

#[test]
fn initialize_offers_the_latest_for_an_unknown_version() {
    let (_, body) = reply(
        "a",
        &message(
            json!({"jsonrpc": "2.0", "id": "x", "method": "initialize", "params": {
            "protocolVersion": "2099-01-01", "capabilities": {}, "clientInfo": {}}}),
        ),
    );
    assert_eq!(body.unwrap()["result"]["protocolVersion"], VERSIONS[0]);
}

#[test]
fn initialize_without_client_info_is_invalid_params() {
    let (status, body) = reply(
        "a",
        &message(
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}}}),
        ),
    );
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.unwrap()["error"]["code"], INVALID_PARAMS);
}

#[test]
fn tools_list_and_call() {
    let (_, body) = reply(
        "beta",
        &message(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})),
    );
    let tools = body.unwrap()["result"]["tools"].clone();
    let names: Vec<&str> = tools
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["echo", "add"]);
    let (_, body) = reply(
        "beta",
        &message(json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
                        "params": {"name": "add", "arguments": {"a": 2, "b": 40}}})),
    );
    let body = body.unwrap();
    assert_eq!(body["id"], 3);
    assert_eq!(body["result"]["content"][0]["text"], "42");
}

#[test]
fn bad_calls_are_json_rpc_errors() {
    let cases = [
        (json!({"name": "nope"}), "unknown tool"),
        (json!({"name": "echo", "arguments": {}}), "arguments.text"),
        (
            json!({"name": "add", "arguments": {"a": 1, "b": "2"}}),
            "integers",
        ),
        (
            json!({"name": "echo", "arguments": []}),
            "arguments must be an object",
        ),
    ];
    for (params, expected) in cases {
        let (status, body) = reply(
            "a",
            &message(json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params})),
        );
        let error = &body.unwrap()["error"];
        assert_eq!(status, StatusCode::OK);
        assert_eq!(error["code"], INVALID_PARAMS);
        assert!(
            error["message"].as_str().unwrap().contains(expected),
            "{error}"
        );
    }
}

#[test]
fn malformed_messages_are_invalid_requests() {
    for value in [
        json!({"id": 1, "method": "ping"}),
        json!({"jsonrpc": "2.0", "id": 1}),
        json!({"jsonrpc": "2.0", "id": 1.5, "method": "ping"}),
        json!({"jsonrpc": "2.0", "id": 1, "method": "ping", "params": [1]}),
    ] {
        let (status, body) = reply("a", &message(value));
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body.unwrap()["error"]["code"], INVALID_REQUEST);
    }
}

#[test]
fn notifications_are_accepted_and_unknown_methods_refused() {
    let notification = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    assert_eq!(
        reply("a", &message(notification)),
        (StatusCode::ACCEPTED, None)
    );
    let (_, body) = reply(
        "a",
        &message(json!({"jsonrpc": "2.0", "id": 1, "method": "prompts/list"})),
    );
    assert_eq!(body.unwrap()["error"]["code"], METHOD_NOT_FOUND);
}

#[test]
fn headers_are_checked() {
    let ok = [
        ("content-type", "application/json"),
        ("accept", JSON_AND_SSE),
    ];
    assert!(check_headers(&headers(&ok)).is_ok());
    let json_only = [
        ("content-type", "application/json"),
        ("accept", "application/json"),
    ];
    assert_eq!(
        check_headers(&headers(&json_only)).unwrap_err().0,
        StatusCode::NOT_ACCEPTABLE
    );
    let text = [("content-type", "text/plain"), ("accept", JSON_AND_SSE)];
    assert_eq!(
        check_headers(&headers(&text)).unwrap_err().0,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let old = [
        ("content-type", "application/json"),
        ("accept", JSON_AND_SSE),
        ("mcp-protocol-version", "2024-11-05"),
    ];
    assert_eq!(
        check_headers(&headers(&old)).unwrap_err().0,
        StatusCode::BAD_REQUEST
    );
}
