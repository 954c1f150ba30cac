//! MCP: JSON-RPC messages from clients, backend replies, the sealed session id, and
//! answers streamed back through Envoy's router.

use crate::Chunks;
use aigw_core::mcp::answer::AnswerWatch;
use aigw_core::mcp::jsonrpc::{Message, parse};
use aigw_core::mcp::reply::{Accepts, client_body, read_backend_reply};
use aigw_core::mcp::server_requests::SseRelabel;
use aigw_core::mcp::session::{Session, SessionKey};
use serde_json::{Value, json};

const CONTENT_TYPES: [&str; 4] = [
    "application/json",
    "text/event-stream",
    "Text/Event-Stream; charset=utf-8",
    "text/html",
];

/// A client message, and the same bytes as a backend's reply: a refused message yields a
/// JSON-RPC error body; a reply found in the body survives being relayed to the client as
/// SSE and read back.
pub fn mcp_jsonrpc(input: &[u8]) {
    let Some((flag, body)) = input.split_first() else {
        return;
    };
    match parse(body) {
        Ok(Message::Request { id, method, .. }) => {
            assert!(id.is_string() || id.is_i64() || id.is_u64(), "bad id {id}");
            let _ = method;
        }
        Ok(Message::Notification { .. } | Message::Response { .. }) => {}
        Err(error) => {
            let reply: Value = serde_json::from_slice(&error.to_body()).expect("error body");
            assert_eq!(reply["jsonrpc"], "2.0");
            assert_eq!(reply["error"]["code"], error.code);
        }
    }
    let id = if flag & 4 == 0 { json!(1) } else { json!("a") };
    let content_type = CONTENT_TYPES[usize::from(flag % 4)];
    if let Ok(reply) = read_backend_reply(Some(content_type), body, &id) {
        let accepts = Accepts {
            json: false,
            sse: true,
        };
        let (kind, relayed) = client_body(accepts, &reply.messages, &reply.response);
        assert_eq!(kind, "text/event-stream");
        let again =
            read_backend_reply(Some(kind), &relayed, &id).expect("relayed reply unreadable");
        assert_eq!(again, reply, "relaying changed the reply");
    }
}

/// An `Mcp-Session-Id` from a client (first byte even), or a session's JSON as it would be
/// after decryption (odd): opening garbage fails cleanly, and any session that parses
/// survives sealing and opening.
pub fn mcp_session(input: &[u8]) {
    let Some((flag, data)) = input.split_first() else {
        return;
    };
    let key = SessionKey::from_bytes(&[7; 32]).expect("key");
    let old = SessionKey::from_bytes(&[9; 32]).expect("key");
    let keys = [key.clone(), old];
    if flag & 1 == 0 {
        if let Ok(text) = std::str::from_utf8(data) {
            assert!(
                Session::open(text, &keys).is_err(),
                "an unsealed id was accepted"
            );
        }
    } else if let Ok(session) = serde_json::from_slice::<Session>(data) {
        let sealed = session.seal(&key).expect("seal");
        assert_eq!(Session::open(&sealed, &keys).expect("open"), session);
        assert_eq!(
            Session::open(&sealed, &keys[1..]).ok(),
            None,
            "opened with the wrong key"
        );
    }
}

/// A server's SSE answer to a forwarded call, in network-like chunks (first byte: the chunk
/// seed): relabelling its server requests and watching it for errors give the same result
/// whatever the chunking, and a stream without a `"method"` member passes byte for byte.
pub fn mcp_stream(input: &[u8]) {
    let (seed, stream) = Chunks::split_seed(input);
    let whole = relabel(std::iter::once(stream));
    let chunked = relabel(Chunks::new(seed, stream));
    assert_eq!(chunked, whole, "chunking changed the relabelled stream");
    if !stream.windows(8).any(|w| w == b"\"method\"") {
        assert_eq!(whole, stream, "a stream without requests was changed");
    }
    let watch = |chunks: &mut dyn Iterator<Item = &[u8]>| {
        let mut watch = AnswerWatch::new(200, Some("text/event-stream"));
        chunks.for_each(|chunk| watch.feed(chunk));
        watch.finish()
    };
    assert_eq!(
        watch(&mut Chunks::new(seed, stream)),
        watch(&mut std::iter::once(stream)),
        "chunking changed the error seen"
    );
}

/// What passes on to the client for `chunks` of one answer.
fn relabel<'a>(chunks: impl Iterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut relabel = SseRelabel::new("srv", "__");
    let mut out = Vec::new();
    for chunk in chunks {
        match relabel.feed(chunk) {
            Some(bytes) => out.extend_from_slice(&bytes),
            None => out.extend_from_slice(chunk),
        }
    }
    out.extend_from_slice(&relabel.finish());
    out
}
