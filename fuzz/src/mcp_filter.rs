//! The MCP router filter as Envoy drives it: one client request (method, session and
//! protocol version picked by the first byte; body cut into chunks), the servers' answers to
//! every callout it starts, the answer of a server it forwards to, then the end of the
//! stream. Whatever the input, the filter must not panic, must end its callouts, and every
//! answer it gives itself must be well formed.

use crate::Chunks;
use aigw_core::mcp::session::{Session, SessionKey};
use aigw_host::test_host::{TestHost, TestRegistry, complete_callout};
use aigw_host::{CalloutResponse, CalloutResult, Filter, FilterFactory};
use aigw_mcp_router::McpRouterFactory;
use serde_json::{Value, json};
use std::ffi::OsString;
use std::sync::LazyLock;

/// Base64 of 32 bytes: the session key.
const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// Two servers, one with a session-less API key and tool filters.
const CONFIG: &str = r#"{"session_key_env":"FUZZ_SESSION_KEY","callout_timeout_ms":5000,
  "servers":[
    {"name":"weather","cluster":"aigw-mcp-weather","authority":"weather.local","path":"/mcp",
     "forward_headers":["x-tenant"]},
    {"name":"calc","cluster":"aigw-mcp-calc","authority":"calc.local","path":"/v2/mcp",
     "auth":{"kind":"header","header":"x-api-key","key_env":"FUZZ_SESSION_KEY"},
     "tools":{"exclude":["secret"],"exclude_regex":["admin_.*"]}}]}"#;

/// Separates the request body from the answers, and the answers from each other.
const SEPARATOR: &[u8] = b"\n--\n";

/// Callouts answered at most, so an input cannot keep the filter calling out forever.
const MAX_CALLOUTS: usize = 16;

const STATUSES: [u16; 8] = [200, 200, 202, 400, 404, 405, 500, 503];
const CONTENT_TYPES: [Option<&str>; 4] = [
    Some("application/json"),
    Some("text/event-stream"),
    Some("text/html"),
    None,
];

/// Runs one request through a fresh filter.
pub fn mcp_router_filter(input: &[u8]) {
    let (flags, rest) = Chunks::split_seed(input);
    let mut parts = split(rest);
    let body = parts.next().unwrap_or_default();
    let factory = McpRouterFactory::with_env(CONFIG, env, &mut TestRegistry::default())
        .expect("the fuzz config loads");
    let mut filter = factory.create_filter();
    let mut host = TestHost::with_request_headers(&request_headers(flags));
    let chunks: Vec<&[u8]> = Chunks::new(flags, body).collect();
    host.run_request_chunks(&mut filter, &chunks);

    let mut answered = 0;
    while answered < host.callouts.len() && answered < MAX_CALLOUTS {
        let token = host.callouts[answered].token;
        let result = parts.next().map_or(Err("reset".to_string()), answer);
        answered += 1;
        complete_callout(&mut host, &mut filter, token, result);
    }
    let forwarded = host.local_reply.is_none() && host.route_cache_cleared > 0;
    if forwarded && let Some(part) = parts.next() {
        let (status, content_type, body) = reply_parts(part);
        host.response_headers = vec![(":status".to_string(), status.to_string())];
        if let Some(content_type) = content_type {
            host.response_headers
                .push(("content-type".to_string(), content_type.to_string()));
        }
        let chunks: Vec<&[u8]> = Chunks::new(flags, body).collect();
        host.run_response(&mut filter, &chunks);
    }
    filter.on_stream_complete(&mut host);
    if let Some(reply) = &host.local_reply {
        check_local_reply(reply.status, &reply.headers, &reply.body);
    }
}

fn env(var: &str) -> Option<OsString> {
    (var == "FUZZ_SESSION_KEY").then(|| OsString::from(KEY))
}

/// The request's pieces between separators.
fn split(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(data);
    std::iter::from_fn(move || {
        let data = rest?;
        match memmem(data, SEPARATOR) {
            Some(at) => {
                rest = Some(&data[at + SEPARATOR.len()..]);
                Some(&data[..at])
            }
            None => {
                rest = None;
                Some(data)
            }
        }
    })
}

fn memmem(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Request headers from the flag byte: method (bits 0-1), session (bits 2-3), protocol
/// version (bits 4-5), and the forwarded `x-tenant` header (bit 6).
fn request_headers(flags: u8) -> Vec<(&'static str, &'static str)> {
    let method = ["POST", "POST", "GET", "DELETE"][usize::from(flags & 3)];
    let mut headers = vec![
        (":method", method),
        (":path", "/mcp"),
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
    ];
    match (flags >> 2) & 3 {
        1 => headers.push(("mcp-session-id", BOTH.as_str())),
        2 => headers.push(("mcp-session-id", WEATHER.as_str())),
        3 => headers.push(("mcp-session-id", "not-a-sealed-session-id")),
        _ => {}
    }
    match (flags >> 4) & 3 {
        1 => headers.push(("mcp-protocol-version", "2025-06-18")),
        2 => headers.push(("mcp-protocol-version", "2025-11-25")),
        3 => headers.push(("mcp-protocol-version", "2026-07-28")),
        _ => {}
    }
    if flags & 64 != 0 {
        headers.push(("x-tenant", "acme"));
    }
    headers
}

/// A sealed session with both servers (weather with a session id, calc without).
static BOTH: LazyLock<String> = LazyLock::new(|| {
    seal(json!({"v": "2025-06-18", "b": [
        {"s": "weather", "i": "w-1", "v": "2025-06-18"},
        {"s": "calc", "v": "2025-06-18"}]}))
});

/// A sealed session with weather alone (its server stream goes to the client).
static WEATHER: LazyLock<String> = LazyLock::new(|| {
    seal(json!({"v": "2025-11-25", "b": [{"s": "weather", "i": "w-7", "v": "2025-11-25"}]}))
});

fn seal(session: Value) -> String {
    let key = SessionKey::from_base64(KEY).expect("key");
    let session: Session = serde_json::from_value(session).expect("session");
    session.seal(&key).expect("seal")
}

/// A server's answer: status (first byte), content type (second byte), body.
fn reply_parts(part: &[u8]) -> (u16, Option<&'static str>, &[u8]) {
    match part {
        [status, content_type, body @ ..] => (
            STATUSES[usize::from(status % 8)],
            CONTENT_TYPES[usize::from(content_type % 4)],
            body,
        ),
        _ => (200, Some("application/json"), part),
    }
}

/// A callout's result from one answer piece; a server session id rides along on 200s.
fn answer(part: &[u8]) -> CalloutResult {
    let (status, content_type, body) = reply_parts(part);
    let mut headers = vec![("mcp-session-id".to_string(), "srv-session".to_string())];
    if let Some(content_type) = content_type {
        headers.push(("content-type".to_string(), content_type.to_string()));
    }
    Ok(CalloutResponse {
        status,
        headers,
        body: body.to_vec(),
    })
}

/// A local reply has a real status, and a JSON body when it says so.
fn check_local_reply(status: u16, headers: &[(String, String)], body: &[u8]) {
    assert!((200..600).contains(&status), "local reply status {status}");
    let content_type = headers
        .iter()
        .find(|(name, _)| name == "content-type")
        .map(|(_, value)| value.as_str());
    if content_type == Some("application/json") && !body.is_empty() {
        let value: Value = serde_json::from_slice(body).unwrap_or_else(|e| {
            panic!(
                "local reply is not JSON ({e}): {:?}",
                String::from_utf8_lossy(body)
            )
        });
        assert!(value.is_object(), "local reply is not a JSON object");
    }
}
