//! Helpers shared by the filter's unit tests: the test config and environment, requests,
//! callout replies and a sealed session.

use crate::filter::{McpRouterFactory, McpRouterFilter};
use aigw_core::mcp::session::{Session, SessionKey};
use aigw_host::test_host::{TestHost, TestRegistry};
use aigw_host::{CalloutResponse, CalloutResult, FilterFactory};
use serde_json::{Value, json};
use std::ffi::OsString;

pub const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

pub const CONFIG: &str = r#"{"session_key_env":"FAKE_SESSION_KEY","callout_timeout_ms":5000,
  "servers":[
    {"name":"weather","cluster":"aigw-mcp-weather","authority":"weather.local","path":"/mcp",
     "auth":{"kind":"bearer","key_env":"FAKE_MCP_TOKEN"},"forward_headers":["x-tenant"]},
    {"name":"calc","cluster":"aigw-mcp-calc","authority":"calc.local","path":"/v2/mcp",
     "tools":{"exclude":["secret"],"exclude_regex":["admin_.*"]}}]}"#;

pub fn env(var: &str) -> Option<OsString> {
    match var {
        "FAKE_SESSION_KEY" => Some(KEY.into()),
        "FAKE_MCP_TOKEN" => Some("fake-token-1".into()),
        _ => None,
    }
}

pub fn filter() -> McpRouterFilter {
    McpRouterFactory::with_env(CONFIG, env, &mut TestRegistry::default())
        .unwrap()
        .create_filter()
}

pub fn key() -> SessionKey {
    SessionKey::from_base64(KEY).unwrap()
}

pub fn post(session: Option<&str>) -> TestHost {
    let mut headers = vec![
        (":method", "POST"),
        (":path", "/mcp"),
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
    ];
    if let Some(session) = session {
        headers.push(("mcp-session-id", session));
        headers.push(("mcp-protocol-version", "2025-06-18"));
    }
    TestHost::with_request_headers(&headers)
}

pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

pub fn json_reply(status: u16, session: Option<&str>, body: Value) -> CalloutResult {
    let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
    if let Some(session) = session {
        headers.push(("mcp-session-id".to_string(), session.to_string()));
    }
    Ok(CalloutResponse {
        status,
        headers,
        body: body.to_string().into_bytes(),
    })
}

pub fn sse_reply(messages: &[Value]) -> CalloutResult {
    let body: String = messages
        .iter()
        .map(|m| format!("event: message\ndata: {m}\n\n"))
        .collect();
    Ok(CalloutResponse {
        status: 200,
        headers: vec![("content-type".into(), "text/event-stream".into())],
        body: body.into_bytes(),
    })
}

pub fn reply_json(host: &TestHost) -> (u16, Value) {
    let reply = host.local_reply.as_ref().expect("a local reply");
    (reply.status, serde_json::from_slice(&reply.body).unwrap())
}

pub fn sent_json(host: &TestHost, index: usize) -> Value {
    serde_json::from_slice(&host.callouts[index].body).unwrap()
}

/// A session with both servers, as `initialize` would have made it.
pub fn session() -> String {
    let session: Session = serde_json::from_value(json!({"v": "2025-06-18", "b": [
        {"s": "weather", "i": "w-1", "v": "2025-06-18"},
        {"s": "calc", "v": "2025-06-18"}]}))
    .unwrap();
    session.seal(&key()).unwrap()
}

/// A session with the one server `weather` (backend session `w-7`), whose server stream
/// the client gets.
pub fn weather_session() -> String {
    let session: Session = serde_json::from_value(json!({"v": "2025-11-25",
        "b": [{"s": "weather", "i": "w-7", "v": "2025-11-25"}]}))
    .unwrap();
    session.seal(&key()).unwrap()
}

/// The server a request was forwarded to through the router: the routing header, once the
/// route cache was cleared after setting it.
pub fn forwarded_to(host: &TestHost) -> Option<&str> {
    let server = header(&host.request_headers, aigw_core::mcp::ROUTE_HEADER)?;
    (host.route_cache_cleared > 0 && host.local_reply.is_none()).then_some(server)
}

/// Sets the response headers a server answers with.
pub fn answer_headers(host: &mut TestHost, status: u16, headers: &[(&str, &str)]) {
    host.response_headers = vec![(":status".to_string(), status.to_string())];
    host.response_headers
        .extend(headers.iter().map(|(k, v)| (k.to_string(), v.to_string())));
}
