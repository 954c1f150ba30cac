use super::*;
use serde_json::json;

fn watch(status: u16, content_type: &str, chunks: &[&[u8]]) -> Option<String> {
    let mut watch = AnswerWatch::new(status, Some(content_type));
    for chunk in chunks {
        watch.feed(chunk);
    }
    watch.finish()
}

#[test]
fn an_error_status_is_the_error_type() {
    assert_eq!(watch(404, "application/json", &[b"{}"]), Some("404".into()));
    assert_eq!(watch(503, "text/plain", &[]), Some("503".into()));
}

#[test]
fn a_json_answer_is_read_once_complete() {
    let ok = br#"{"jsonrpc":"2.0","id":1,"result":{"content":[]}}"#;
    assert_eq!(watch(200, "application/json", &[&ok[..9], &ok[9..]]), None);
    let failed = br#"{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"x"}}"#;
    assert_eq!(
        watch(
            200,
            "application/json; charset=utf-8",
            &[&failed[..20], &failed[20..]]
        ),
        Some("-32602".into())
    );
    let tool = br#"{"jsonrpc":"2.0","id":1,"result":{"isError":true,"content":[]}}"#;
    assert_eq!(
        watch(200, "application/json", &[tool]),
        Some("tool_error".into())
    );
}

#[test]
fn an_sse_answer_is_read_event_by_event_split_anywhere() {
    let stream = concat!(
        "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",",
        "\"params\":{\"progress\":1}}\n\n",
        "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"elicitation/create\",",
        "\"params\":{}}\n\n",
        "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":-32001,",
        "\"message\":\"no\"}}\n\n"
    )
    .as_bytes();
    for at in 0..stream.len() {
        assert_eq!(
            watch(200, "text/event-stream", &[&stream[..at], &stream[at..]]),
            Some("-32001".into()),
            "split at {at}"
        );
    }
    let fine = b"data: {\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"isError\":false}}\n\n";
    assert_eq!(watch(200, "text/event-stream", &[fine]), None);
}

#[test]
fn answers_too_large_to_watch_report_nothing() {
    let big = format!(
        r#"{{"jsonrpc":"2.0","id":1,"error":{{"code":-1,"message":"{}"}}}}"#,
        "x".repeat(MAX_WATCHED_BYTES)
    );
    assert_eq!(watch(200, "application/json", &[big.as_bytes()]), None);
    let event = format!("data: {big}\n\n");
    assert_eq!(watch(200, "text/event-stream", &[event.as_bytes()]), None);
    assert_eq!(watch(200, "text/html", &[b"<p>"]), None);
}

#[test]
fn error_type_of_a_parsed_response() {
    let error = json!({"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"x"}});
    assert_eq!(response_error_type(&error), Some("-32603".into()));
    let tool = json!({"jsonrpc":"2.0","id":1,"result":{"isError":true}});
    assert_eq!(response_error_type(&tool), Some("tool_error".into()));
    assert_eq!(response_error_type(&json!({"id":1,"result":{}})), None);
}
