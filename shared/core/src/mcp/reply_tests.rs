use super::*;
use serde_json::json;

const BOTH: Accepts = Accepts {
    json: true,
    sse: true,
};

#[test]
fn reads_a_json_reply() {
    let reply = read_backend_reply(
        Some("application/json; charset=utf-8"),
        br#"{"jsonrpc":"2.0","id":3,"result":{"tools":[]}}"#,
        &json!(3),
    )
    .unwrap();
    assert!(reply.messages.is_empty());
    assert_eq!(reply.response["result"], json!({"tools": []}));
}

#[test]
fn reads_an_sse_reply_with_notifications_before_the_response() {
    let body = b"event: message\r\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progress\":1}}\r\n\r\n\
event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":\"a\",\"error\":{\"code\":-32602,\"message\":\"bad\"}}\n\n";
    let reply = read_backend_reply(Some("text/event-stream"), body, &json!("a")).unwrap();
    assert_eq!(reply.messages.len(), 1);
    assert_eq!(reply.messages[0]["method"], "notifications/progress");
    assert_eq!(reply.response["error"]["code"], -32602);
}

#[test]
fn unusable_replies_are_errors() {
    let id = json!(1);
    assert!(read_backend_reply(Some("text/html"), b"<html>", &id).is_err());
    assert!(read_backend_reply(Some("application/json"), b"{", &id).is_err());
    let other = br#"{"jsonrpc":"2.0","id":2,"result":{}}"#;
    assert_eq!(
        read_backend_reply(Some("application/json"), other, &id).unwrap_err(),
        "no response to the request"
    );
}

#[test]
fn accept_header_forms() {
    assert_eq!(
        Accepts::from_header(Some("application/json, text/event-stream")),
        BOTH
    );
    assert_eq!(Accepts::from_header(Some("*/*")), BOTH);
    assert!(!Accepts::from_header(Some("text/html")).any());
    let sse_only = Accepts::from_header(Some("text/event-stream;q=1"));
    assert!(sse_only.sse && !sse_only.json);
    assert!(Accepts::from_header(None).json);
}

#[test]
fn json_unless_there_are_messages_to_relay() {
    let response = json!({"jsonrpc":"2.0","id":1,"result":{}});
    let (ct, body) = client_body(BOTH, &[], &response);
    assert_eq!(ct, "application/json");
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap(), response);

    let progress = json!({"jsonrpc":"2.0","method":"notifications/progress"});
    let (ct, body) = client_body(BOTH, std::slice::from_ref(&progress), &response);
    assert_eq!(ct, "text/event-stream");
    let text = String::from_utf8(body).unwrap();
    assert_eq!(
        text,
        format!("event: message\ndata: {progress}\n\nevent: message\ndata: {response}\n\n")
    );

    let json_only = Accepts {
        json: true,
        sse: false,
    };
    assert_eq!(
        client_body(json_only, &[progress], &response).0,
        "application/json"
    );
}

#[test]
fn numbers_are_relayed_exactly() {
    // Found by the mcp_jsonrpc fuzz target: without correctly rounded float parsing the
    // relayed number differed in its last digit.
    let body = br#"{"jsonrpc":"2.0","id":1,"result":{"x":-32276666666666666666666666666666666666666666666666669.1}}"#;
    let reply = read_backend_reply(Some("application/json"), body, &json!(1)).unwrap();
    let accepts = Accepts {
        json: false,
        sse: true,
    };
    let (kind, relayed) = client_body(accepts, &reply.messages, &reply.response);
    let again = read_backend_reply(Some(kind), &relayed, &json!(1)).unwrap();
    assert_eq!(again, reply);
}
