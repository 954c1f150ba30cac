//! Helpers the filter's unit tests share: a filter of a config, a header lookup, a request
//! sent through it in two body chunks, upstream response headers, and the checks every
//! translated backend repeats (length fixed, refusals, other paths untouched).

use crate::{TranslateFactory, TranslateFilter};
use aigw_host::test_host::TestHost;
use aigw_host::{BodyStatus, FilterFactory, HeadersStatus};
use serde_json::{Value, json};

/// A filter of the JSON config `config`.
pub fn filter(config: &str) -> TranslateFilter {
    TestHost::factory::<TranslateFactory>(config)
        .unwrap()
        .0
        .create_filter()
}

/// The first value of header `name`.
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A POST of `body` to `path` (plus the `extra` headers) through `f`, the body in two
/// chunks split after its fifth byte; returns the host and the two callbacks' statuses.
pub fn request(
    f: &mut TranslateFilter,
    path: &str,
    body: &str,
    extra: &[(&str, &str)],
) -> (TestHost, HeadersStatus, Option<BodyStatus>) {
    let mut headers = vec![(":method", "POST"), (":path", path)];
    headers.extend_from_slice(extra);
    let mut h = TestHost::with_request_headers(&headers);
    let bytes = body.as_bytes();
    let split = bytes.len().min(5);
    let (hs, bs) = h.run_request_chunks(f, &[&bytes[..split], &bytes[split..]]);
    (h, hs, bs)
}

/// [`request`] of a body the filter rewrites: held at the headers, passed on at the end.
pub fn forwarded(
    f: &mut TranslateFilter,
    path: &str,
    body: &str,
    extra: &[(&str, &str)],
) -> TestHost {
    let (h, hs, bs) = request(f, path, body, extra);
    assert_eq!(
        (hs, bs),
        (HeadersStatus::StopIteration, Some(BodyStatus::Continue)),
        "{:?}",
        h.local_reply
    );
    h
}

/// [`forwarded`] with a stale request `content-length` (which the filter must fix) before
/// the `extra` headers.
pub fn translated(
    f: &mut TranslateFilter,
    path: &str,
    body: &str,
    extra: &[(&str, &str)],
) -> TestHost {
    let mut headers = vec![("content-length", "999")];
    headers.extend_from_slice(extra);
    forwarded(f, path, body, &headers)
}

/// Asserts that the request goes upstream to `path` with the JSON body `body`, the model
/// override header consumed.
pub fn assert_sent(h: &TestHost, path: &str, body: &Value) {
    assert_eq!(header(&h.request_headers, ":path"), Some(path));
    assert!(header(&h.request_headers, "x-aigw-model-override").is_none());
    let sent: Value = serde_json::from_slice(&h.request_body).unwrap();
    assert_eq!(&sent, body);
}

/// Sets the upstream response headers: `:status`, `content-type`, a stale `content-length`
/// (which the filter must fix or drop wherever it rewrites the body), then `extra`.
pub fn respond(h: &mut TestHost, status: &str, content_type: &str, extra: &[(&str, &str)]) {
    h.response_headers = vec![
        (":status".into(), status.into()),
        ("content-type".into(), content_type.into()),
        ("content-length".into(), "7".into()),
    ];
    for (k, v) in extra {
        h.response_headers.push(((*k).into(), (*v).into()));
    }
}

/// A JSON upstream answer: [`respond`] with `status`, `application/json` and `extra`, then
/// the body `pieces` through `f`; returns what the client gets, as bytes and parsed.
pub fn json_answer(
    h: &mut TestHost,
    f: &mut TranslateFilter,
    status: &str,
    extra: &[(&str, &str)],
    pieces: &[&[u8]],
) -> (Vec<u8>, Value) {
    respond(h, status, "application/json", extra);
    let out = h.run_response(f, pieces);
    let v = serde_json::from_slice(&out).unwrap();
    (out, v)
}

/// `bytes` in two pieces, cut after byte `at`.
pub fn cut(bytes: &[u8], at: usize) -> [&[u8]; 2] {
    let (a, b) = bytes.split_at(at);
    [a, b]
}

/// Sends `chat` to `/v1/chat/completions` through a filter of `config` and answers it with
/// the 200 JSON `upstream` (split after its 40th byte, a completion saying "Hey" in 4 tokens
/// in all); asserts that the client gets it as an OpenAI chat completion, its length fixed
/// and the backend `backend` named, and returns it for the schema's own checks.
pub fn buffered_chat_answer(config: &str, chat: &str, upstream: &[u8], backend: &str) -> Value {
    let mut f = filter(config);
    let mut h = translated(&mut f, "/v1/chat/completions", chat, &[]);
    let (out, v) = json_answer(&mut h, &mut f, "200", &[], &cut(upstream, 40));
    assert_eq!(v["object"], "chat.completion");
    assert_eq!(v["choices"][0]["message"]["content"], "Hey");
    assert_eq!(v["usage"]["total_tokens"], 4);
    assert_length_fixed(&h, &out);
    assert_eq!(header(&h.response_headers, "x-aigw-backend"), Some(backend));
    v
}

/// Sends `chat` to `/v1/chat/completions` through a filter of `config` and answers it with
/// the JSON error `upstream` of `status`; asserts that the client gets `expected` with the
/// status kept and the length fixed.
pub fn assert_error_answer(
    config: &str,
    chat: &str,
    status: &str,
    upstream: &[u8],
    expected: &Value,
) {
    let mut f = filter(config);
    let mut h = translated(&mut f, "/v1/chat/completions", chat, &[]);
    let (out, v) = json_answer(&mut h, &mut f, status, &[], &[upstream]);
    assert_eq!(&v, expected);
    assert_eq!(header(&h.response_headers, ":status"), Some(status));
    assert_length_fixed(&h, &out);
}

/// Sends `chat` to `/v1/chat/completions` through a filter of `config` and answers it with
/// the 200 JSON `upstream` the filter cannot translate; asserts that the client gets a 502
/// OpenAI `server_error`.
pub fn assert_untranslatable_answer_is_502(config: &str, chat: &str, upstream: &[u8]) {
    let mut f = filter(config);
    let mut h = translated(&mut f, "/v1/chat/completions", chat, &[]);
    let (_, v) = json_answer(&mut h, &mut f, "200", &[], &[upstream]);
    assert_eq!(header(&h.response_headers, ":status"), Some("502"));
    assert_eq!(v["error"]["type"], "server_error");
}

/// An SSE upstream answer: [`respond`] with 200 and `text/event-stream`, then the body
/// `pieces` through `f`; asserts that no `content-length` is left and returns the client's
/// OpenAI events ([`openai_events`]).
pub fn streamed_events(h: &mut TestHost, f: &mut TranslateFilter, pieces: &[&[u8]]) -> Vec<Value> {
    respond(h, "200", "text/event-stream", &[]);
    let out = h.run_response(f, pieces);
    assert!(header(&h.response_headers, "content-length").is_none());
    openai_events(&out)
}

/// A streaming chat request asking for usage.
pub const STREAM_CHAT: &str = r#"{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}"#;

/// Runs the upstream stream `upstream` (of `content_type`, cut after bytes 50 and 170)
/// through `f`; asserts that the client gets OpenAI SSE ending with `[DONE]` that holds the
/// content delta "Yo" and 4 tokens in all.
pub fn assert_yo_stream(
    h: &mut TestHost,
    f: &mut TranslateFilter,
    content_type: &str,
    upstream: &[u8],
) {
    respond(h, "200", content_type, &[]);
    let out = h.run_response(f, &[&upstream[..50], &upstream[50..170], &upstream[170..]]);
    let text = String::from_utf8(out).unwrap();
    assert!(text.ends_with("data: [DONE]\n\n"), "{text}");
    assert!(text.contains(r#""delta":{"content":"Yo"}"#), "{text}");
    assert!(text.contains(r#""total_tokens":4"#), "{text}");
}

/// Asserts that a filter of `config` answers an embeddings request itself, at the headers,
/// with a 404.
pub fn assert_embeddings_refused(config: &str) {
    let mut f = filter(config);
    let (h, hs, _) = request(
        &mut f,
        "/v1/embeddings",
        r#"{"model":"x","input":"y"}"#,
        &[],
    );
    assert_eq!(hs, HeadersStatus::StopIteration);
    assert_eq!(h.local_reply.as_ref().unwrap().status, 404);
}

/// A streaming Anthropic Messages request (`max_tokens` 16, with `anthropic-version` and
/// `anthropic-beta: context-1m-2025-08-07`, then `extra`) to `/anthropic/v1/messages?beta=true`
/// through `f`, [`forwarded`]; asserts that the `anthropic-version` header is consumed.
pub fn forwarded_messages_stream(f: &mut TranslateFilter, extra: &[(&str, &str)]) -> TestHost {
    let body = r#"{"model":"claude-x","max_tokens":16,"stream":true,"messages":[{"role":"user","content":"hi"}]}"#;
    let mut headers = vec![
        ("anthropic-version", "2023-06-01"),
        ("anthropic-beta", "context-1m-2025-08-07"),
    ];
    headers.extend_from_slice(extra);
    let h = forwarded(f, "/anthropic/v1/messages?beta=true", body, &headers);
    assert!(header(&h.request_headers, "anthropic-version").is_none());
    h
}

/// Answers an embeddings request for `model` with the 200 JSON `upstream` (two vectors, the
/// second `[-0.5]`); asserts that the client gets that vector as the second item of an
/// OpenAI list naming `model`, and returns the list.
pub fn embeddings_answer(
    h: &mut TestHost,
    f: &mut TranslateFilter,
    upstream: &[u8],
    model: &str,
) -> Value {
    let (_, v) = json_answer(h, f, "200", &[], &[upstream]);
    assert_eq!(
        v["data"][1],
        json!({"object":"embedding","index":1,"embedding":[-0.5]})
    );
    assert_eq!(v["model"], model);
    v
}

/// Asserts that the response `content-length` is the length of the body `out`.
pub fn assert_length_fixed(h: &TestHost, out: &[u8]) {
    assert_eq!(
        header(&h.response_headers, "content-length"),
        Some(out.len().to_string().as_str())
    );
}

/// The status and JSON body of the local reply `h` got.
pub fn reply(h: &TestHost) -> (u16, Value) {
    let reply = h.local_reply.as_ref().expect("a local reply");
    (reply.status, serde_json::from_slice(&reply.body).unwrap())
}

/// An [`assert_refused`] case: a legacy completions request, which the translated backends
/// do not serve.
pub const LEGACY_COMPLETION: (&str, &str, u16) =
    ("/v1/completions", r#"{"model":"m","prompt":"x"}"#, 404);

/// An [`assert_refused`] case: a chat request with a tool type the translated backends do
/// not know.
pub const UNKNOWN_TOOL: (&str, &str, u16) = (
    "/v1/chat/completions",
    r#"{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"web"}]}"#,
    400,
);

/// Asserts that each `(path, body, status)` POST through a filter of `config` is refused
/// with that status and an OpenAI error.
pub fn assert_refused(config: &str, cases: &[(&str, &str, u16)]) {
    for (path, body, status) in cases {
        let mut f = filter(config);
        let mut h = TestHost::with_request_headers(&[(":method", "POST"), (":path", path)]);
        h.run_request(&mut f, body.as_bytes());
        let (got, v) = reply(&h);
        assert_eq!(got, *status, "{path} {body}");
        assert!(v["error"]["message"].is_string(), "{v}");
    }
}

/// Asserts that a non-API GET passes a filter of `config` untouched both ways.
pub fn assert_other_paths_pass(config: &str) {
    let mut f = filter(config);
    let mut h = TestHost::with_request_headers(&[(":method", "GET"), (":path", "/healthz")]);
    let (hs, _) = h.run_request(&mut f, b"");
    assert_eq!(hs, HeadersStatus::Continue);
    assert_eq!(header(&h.request_headers, ":path"), Some("/healthz"));
    respond(&mut h, "200", "text/plain", &[]);
    assert_eq!(h.run_response(&mut f, &[b"ok"]), b"ok");
}

/// The JSON events of the OpenAI SSE `out`, which must end with `data: [DONE]`.
pub fn openai_events(out: &[u8]) -> Vec<Value> {
    let text = std::str::from_utf8(out).unwrap();
    let mut events: Vec<&str> = text.split("\n\n").filter(|e| !e.is_empty()).collect();
    assert_eq!(events.pop(), Some("data: [DONE]"), "{text}");
    events
        .iter()
        .map(|e| serde_json::from_str(e.strip_prefix("data: ").unwrap()).unwrap())
        .collect()
}

/// Asserts that the request `content-length` is the length of the translated body.
pub fn assert_request_length_fixed(h: &TestHost) {
    assert_eq!(
        header(&h.request_headers, "content-length"),
        Some(h.request_body.len().to_string().as_str())
    );
}
