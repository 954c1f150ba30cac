use super::*;

fn err(body: &str) -> RpcError {
    parse(body.as_bytes()).unwrap_err()
}

#[test]
fn parses_requests_notifications_and_responses() {
    let m = parse(br#"{"jsonrpc":"2.0","id":7,"method":"tools/list","params":{"cursor":"x"}}"#);
    let Ok(Message::Request { id, method, params }) = m else {
        panic!("not a request: {m:?}");
    };
    assert_eq!((id, method.as_str()), (json!(7), "tools/list"));
    assert_eq!(params["cursor"], "x");
    assert_eq!(
        parse(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).unwrap(),
        Message::Notification {
            method: "notifications/initialized".into(),
            params: Map::new()
        }
    );
    assert_eq!(
        parse(br#"{"jsonrpc":"2.0","id":"s-1","result":{}}"#).unwrap(),
        Message::Response {
            id: json!("s-1"),
            rest: json!({"jsonrpc": "2.0", "result": {}})
                .as_object()
                .unwrap()
                .clone()
        }
    );
}

#[test]
fn invalid_json_is_a_parse_error() {
    let e = err("{\"jsonrpc\":");
    assert_eq!((e.code, e.id), (PARSE_ERROR, Value::Null));
}

#[test]
fn structural_problems_are_invalid_requests() {
    for (body, id) in [
        (r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#, Value::Null),
        (r#""ping""#, Value::Null),
        (r#"{"id":1,"method":"ping"}"#, json!(1)),
        (r#"{"jsonrpc":"1.0","id":"a","method":"ping"}"#, json!("a")),
        (r#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#, Value::Null),
        (
            r#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#,
            Value::Null,
        ),
        (r#"{"jsonrpc":"2.0","id":2}"#, json!(2)),
        (r#"{"jsonrpc":"2.0","id":3,"method":4}"#, json!(3)),
    ] {
        let e = err(body);
        assert_eq!((e.code, &e.id), (INVALID_REQUEST, &id), "{body}");
    }
}

#[test]
fn non_object_params_are_invalid_params() {
    let e = err(r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":[1]}"#);
    assert_eq!((e.code, e.id), (INVALID_PARAMS, json!(1)));
}

#[test]
fn bodies_are_json_rpc_2() {
    let v: Value = serde_json::from_slice(&error_body(&json!(1), METHOD_NOT_FOUND, "no")).unwrap();
    assert_eq!(
        v,
        json!({"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"no"}})
    );
    let v: Value = serde_json::from_slice(&result_body(&json!("x"), json!({}))).unwrap();
    assert_eq!(v, json!({"jsonrpc":"2.0","id":"x","result":{}}));
    let v: Value =
        serde_json::from_slice(&notification_body("notifications/initialized", &Map::new()))
            .unwrap();
    assert_eq!(
        v,
        json!({"jsonrpc":"2.0","method":"notifications/initialized"})
    );
}
