use super::*;
use serde_json::json;

const PROGRESS: &str = "event: message\r\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progress\":1}}\r\n\r\n";
const REQUEST: &str = "event: message\nid: ev-2\ndata: {\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"elicitation/create\",\"params\":{\"message\":\"ok?\"}}\n\n";
const RESULT: &str = "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}\n\n";

fn relabelled_request() -> String {
    let data = json!({"jsonrpc":"2.0","id":"alpha__0","method":"elicitation/create",
        "params":{"message":"ok?"}});
    format!("event: message\nid: ev-2\ndata: {data}\n\n")
}

/// Feeds `chunks` and finishes; returns what passed on and how many chunks passed unchanged.
fn run(chunks: &[&[u8]]) -> (Vec<u8>, usize) {
    let mut relabel = SseRelabel::new("alpha", "__");
    let mut out = Vec::new();
    let mut unchanged = 0;
    for chunk in chunks {
        match relabel.feed(chunk) {
            Some(bytes) => out.extend_from_slice(&bytes),
            None => {
                unchanged += 1;
                out.extend_from_slice(chunk);
            }
        }
    }
    out.extend_from_slice(&relabel.finish());
    (out, unchanged)
}

#[test]
fn complete_events_without_requests_pass_unchanged() {
    let (out, unchanged) = run(&[PROGRESS.as_bytes(), RESULT.as_bytes()]);
    assert_eq!(out, [PROGRESS, RESULT].concat().as_bytes());
    assert_eq!(unchanged, 2);
}

#[test]
fn a_server_request_gets_a_relayed_id_split_anywhere() {
    let stream = [PROGRESS, REQUEST, RESULT].concat();
    let want = [PROGRESS, &relabelled_request(), RESULT].concat();
    for at in 0..stream.len() {
        let (head, tail) = stream.as_bytes().split_at(at);
        let (out, _) = run(&[head, tail]);
        assert_eq!(String::from_utf8(out).unwrap(), want, "split at {at}");
    }
    let bytes: Vec<&[u8]> = stream.as_bytes().chunks(1).collect();
    assert_eq!(String::from_utf8(run(&bytes).0).unwrap(), want);
}

#[test]
fn multi_line_data_becomes_one_line() {
    let event = "data: {\"jsonrpc\":\"2.0\",\ndata: \"id\":\"x\",\"method\":\"roots/list\"}\n\n";
    let (out, _) = run(&[event.as_bytes()]);
    let want = format!(
        "data: {}\n\n",
        json!({"jsonrpc":"2.0","id":"alpha__\"x\"","method":"roots/list"})
    );
    assert_eq!(String::from_utf8(out).unwrap(), want);
}

#[test]
fn an_event_over_the_limit_passes_unchanged_with_the_rest() {
    let big = format!(
        "data: {{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"sampling/createMessage\",\"params\":{{\"x\":\"{}\"}}}}",
        "y".repeat(MAX_HELD_EVENT_BYTES)
    );
    let (out, _) = run(&[big.as_bytes(), b"\n\n", REQUEST.as_bytes()]);
    assert_eq!(out, [big.as_str(), "\n\n", REQUEST].concat().as_bytes());
}

#[test]
fn relayed_ids_route_back_to_the_server_and_its_own_id() {
    let servers = ["alpha", "alpha__b"];
    for own in [json!(0), json!(42), json!("req-1"), json!("a__b")] {
        let relayed = relayed_id("alpha__b", "__", &own);
        assert_eq!(original_id(servers, "__", &relayed), Some((1, own)));
    }
    for foreign in [
        json!(3),
        json!("alpha__"),
        json!("nope__1"),
        json!("alpha__[1]"),
        json!("alpha__1.5"),
    ] {
        assert_eq!(original_id(servers, "__", &foreign), None, "{foreign}");
    }
}

#[test]
fn streams_without_requests_pass_byte_for_byte_whatever_the_line_endings_and_splits() {
    let streams = [
        "data: {\"method\":\"notifications/x\"}\r\r: comment\rdata\r\r",
        "event: message\r\ndata: {\"method\":\"n\",\"params\":{}}\r\n\r\nretry: 5\n\n",
        "data: not json \"method\"\n\ndata: {\"id\":1,\"result\":{}}\n\n\n",
        "data: {\"id\":null,\"method\":\"x\"}\n\ndata: [\"method\"]\n\ntrailing",
        "\r\n\r\n\n\r",
    ];
    for stream in streams {
        let bytes = stream.as_bytes();
        for at in 0..=bytes.len() {
            for second in at..=bytes.len() {
                let chunks = [&bytes[..at], &bytes[at..second], &bytes[second..]];
                let (out, _) = run(&chunks);
                assert_eq!(out, bytes, "{stream:?} split at {at}, {second}");
            }
        }
    }
}

#[test]
fn a_request_after_cr_line_endings_is_relabelled() {
    let stream = "data: {\"id\":5,\"method\":\"roots/list\"}\r\r";
    let bytes = stream.as_bytes();
    let want = format!(
        "data: {}\r\r",
        json!({"id":"alpha__5","method":"roots/list"})
    );
    for at in 0..=bytes.len() {
        let (out, _) = run(&[&bytes[..at], &bytes[at..]]);
        assert_eq!(String::from_utf8(out).unwrap(), want, "split at {at}");
    }
}

/// A request whose event ends in `\r\r` with more of the stream after it, in the same chunk
/// or the next (found by the `mcp_stream` fuzz target: the complete part was read as if a
/// `\n` could still follow its last `\r`, and the request passed unrelabelled).
#[test]
fn a_cr_ended_request_followed_by_more_events_is_relabelled() {
    let stream = format!("data: {{\"id\":5,\"method\":\"roots/list\"}}\r\r{RESULT}");
    let bytes = stream.as_bytes();
    let want = format!(
        "data: {}\r\r{RESULT}",
        json!({"id":"alpha__5","method":"roots/list"})
    );
    for at in 0..=bytes.len() {
        let (out, _) = run(&[&bytes[..at], &bytes[at..]]);
        assert_eq!(String::from_utf8(out).unwrap(), want, "split at {at}");
    }
}

#[test]
fn a_resource_update_names_the_client_facing_uri() {
    let event = "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/resources/updated\",\"params\":{\"uri\":\"demo://r/1\"}}\n\n";
    let stream = [PROGRESS, event, RESULT].concat();
    let want = format!(
        "{PROGRESS}event: message\ndata: {}\n\n{RESULT}",
        json!({"jsonrpc":"2.0","method":"notifications/resources/updated",
               "params":{"uri":"alpha+demo://r/1"}})
    );
    for at in 0..stream.len() {
        let (head, tail) = stream.as_bytes().split_at(at);
        let (out, _) = run(&[head, tail]);
        assert_eq!(String::from_utf8(out).unwrap(), want, "split at {at}");
    }
    // Other notifications, and an update without a string uri, pass unchanged.
    let odd = "data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/resources/updated\",\"params\":{}}\n\n";
    let (out, unchanged) = run(&[odd.as_bytes()]);
    assert_eq!(
        (String::from_utf8(out).unwrap().as_str(), unchanged),
        (odd, 1)
    );
}
