//! Responses of OpenAI-schema backends: JSON and SSE pass, other media types become errors.

use crate::TranslateFactory;
use aigw_host::test_host::TestHost;
use aigw_host::{Filter, FilterFactory};

const OPENAI: &str = r#"{"role":"backend","backend":"o","schema":"OpenAI"}"#;

/// Runs a request to `path` and a response with `status`, `content_type` and `chunks`;
/// returns the host (final response headers) and the body the client receives.
fn exchange(path: &str, status: &str, content_type: &str, chunks: &[&[u8]]) -> (TestHost, Vec<u8>) {
    let mut f = TestHost::factory::<TranslateFactory>(OPENAI)
        .unwrap()
        .0
        .create_filter();
    let mut h = TestHost::with_request_headers(&[(":method", "POST"), (":path", path)]);
    h.run_request(&mut f, br#"{"model":"m","messages":[]}"#);
    h.response_headers = vec![
        (":status".into(), status.into()),
        ("content-type".into(), content_type.into()),
        ("content-length".into(), "12".into()),
    ];
    let body = h.run_response(&mut f as &mut dyn Filter, chunks);
    (h, body)
}

fn header<'a>(h: &'a TestHost, name: &str) -> Option<&'a str> {
    h.response_headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn json_and_event_streams_pass_untouched() {
    for content_type in [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/problem+json",
    ] {
        let (h, body) = exchange(
            "/v1/chat/completions",
            "200",
            content_type,
            &[b"{\"a\":", b"1}"],
        );
        assert_eq!(body, b"{\"a\":1}", "{content_type}");
        assert_eq!(header(&h, ":status"), Some("200"));
        assert_eq!(header(&h, "content-length"), Some("12"));
    }
}

#[test]
fn whole_event_streams_pass_untouched() {
    let stream: [&[u8]; 3] = [
        b"data: {\"a\":1}\n\n",
        b"data: {\"b\":2}\n\n",
        b"data: [DONE]\n\n",
    ];
    for content_type in ["text/event-stream", "text/event-stream; charset=utf-8"] {
        for path in ["/v1/chat/completions", "/v1/completions"] {
            let (h, body) = exchange(path, "200", content_type, &stream);
            assert_eq!(body, stream.concat(), "{path} {content_type}");
            assert_eq!(header(&h, "content-length"), None);
        }
    }
}

#[test]
fn a_chat_stream_cut_short_ends_with_an_error_event_and_done() {
    let cut: [&[u8]; 2] = [b"data: {\"a\":1}\n\ndata: {\"b\"", b":2"];
    let (_, body) = exchange("/v1/chat/completions", "200", "text/event-stream", &cut);
    let text = String::from_utf8(body).unwrap();
    assert!(
        text.starts_with("data: {\"a\":1}\n\ndata: {\"error\":"),
        "{text}"
    );
    assert!(text.ends_with("\n\ndata: [DONE]\n\n"), "{text}");
    // Responses API streams have no [DONE]: they pass as they are.
    let (_, body) = exchange("/v1/responses", "200", "text/event-stream", &cut);
    assert_eq!(body, cut.concat());
}

#[test]
fn an_html_page_with_status_200_becomes_a_502_openai_error() {
    let chunks: [&[u8]; 3] = [b"<!DOCTYPE html>", b"<html>sign in</html>", b""];
    let (h, body) = exchange(
        "/v1/chat/completions",
        "200",
        "text/html; charset=utf-8",
        &chunks,
    );
    assert_eq!(header(&h, ":status"), Some("502"));
    assert_eq!(header(&h, "content-type"), Some("application/json"));
    assert_eq!(header(&h, "content-length"), None);
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["error"]["type"], "server_error");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("status 200") && message.contains("text/html"),
        "{message}"
    );
}

#[test]
fn an_error_page_keeps_its_status() {
    let (h, body) = exchange("/v1/embeddings", "503", "text/html", &[b"<h1>down</h1>"]);
    assert_eq!(header(&h, ":status"), Some("503"));
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("status 503")
    );
    let (h, _) = exchange("/v1/responses", "429", "text/plain", &[b"slow down"]);
    assert_eq!(header(&h, ":status"), Some("429"));
}

#[test]
fn endpoints_that_answer_other_media_types_are_not_checked() {
    for path in [
        "/v1/audio/speech",
        "/v1/audio/transcriptions",
        "/v1/models/extra",
    ] {
        let (h, body) = exchange(path, "200", "audio/mpeg", &[b"ID3", b"\x00\x01"]);
        assert_eq!(body, b"ID3\x00\x01", "{path}");
        assert_eq!(header(&h, ":status"), Some("200"));
    }
}
