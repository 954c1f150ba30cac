use crate::TranslateFactory;
use crate::test_support::{filter, header};
use aigw_host::test_host::TestHost;
use aigw_host::{BodyStatus, HeadersStatus};

const OPENAI: &str =
    r#"{"role":"backend","backend":"oai","schema":"OpenAI","path_prefix":"/openai/v1"}"#;
const AZURE: &str = r#"{"role":"backend","backend":"azure-east","schema":"AzureOpenAI","azure_api_version":"2024-10-21"}"#;
const CHAT: &str = r#"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#;

#[test]
fn openai_prefix_rewrite_keeps_query_and_body() {
    let mut f = filter(OPENAI);
    let mut h = TestHost::with_request_headers(&[
        (":method", "POST"),
        (":path", "/v1/chat/completions?trace=1"),
    ]);
    let (hs, bs) = h.run_request_chunks(&mut f, &[&CHAT.as_bytes()[..5], &CHAT.as_bytes()[5..]]);
    assert_eq!(hs, HeadersStatus::Continue);
    assert_eq!(bs, Some(BodyStatus::Continue));
    assert_eq!(
        header(&h.request_headers, ":path"),
        Some("/openai/v1/chat/completions?trace=1")
    );
    assert_eq!(h.request_body, CHAT.as_bytes());
}

#[test]
fn openai_prefix_applies_to_non_api_paths() {
    let mut f = filter(OPENAI);
    let mut h = TestHost::with_request_headers(&[(":method", "GET"), (":path", "/v1/models")]);
    let (hs, _) = h.run_request(&mut f, b"");
    assert_eq!(hs, HeadersStatus::Continue);
    assert_eq!(
        header(&h.request_headers, ":path"),
        Some("/openai/v1/models")
    );
}

#[test]
fn default_prefix_leaves_path() {
    let mut f = filter(r#"{"role":"backend","backend":"oai","schema":"OpenAI"}"#);
    let mut h = TestHost::with_request_headers(&[(":path", "/v1/embeddings")]);
    h.run_request(&mut f, b"{}");
    assert_eq!(header(&h.request_headers, ":path"), Some("/v1/embeddings"));
}

#[test]
fn azure_path_from_model_header() {
    let mut f = filter(AZURE);
    let mut h = TestHost::with_request_headers(&[
        (":method", "POST"),
        (":path", "/v1/chat/completions"),
        ("x-ai-eg-model", "gpt-4o"),
    ]);
    let (hs, bs) = h.run_request(&mut f, CHAT.as_bytes());
    assert_eq!(
        (hs, bs),
        (HeadersStatus::Continue, Some(BodyStatus::Continue))
    );
    assert_eq!(
        header(&h.request_headers, ":path"),
        Some("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21")
    );
    assert_eq!(h.request_body, CHAT.as_bytes());
}

#[test]
fn azure_path_merges_existing_query() {
    let mut f = filter(AZURE);
    let mut h = TestHost::with_request_headers(&[
        (":path", "/v1/embeddings?user=u1&api-version=1999-01-01"),
        ("x-ai-eg-model", "text-embedding-3-small"),
    ]);
    h.run_request(&mut f, br#"{"model":"text-embedding-3-small","input":"x"}"#);
    assert_eq!(
        header(&h.request_headers, ":path"),
        Some(
            "/openai/deployments/text-embedding-3-small/embeddings?user=u1&api-version=2024-10-21"
        )
    );
}

#[test]
fn azure_without_model_is_400() {
    let mut f = filter(AZURE);
    let mut h = TestHost::with_request_headers(&[(":path", "/v1/chat/completions")]);
    let (hs, _) = h.run_request(&mut f, CHAT.as_bytes());
    assert_eq!(hs, HeadersStatus::StopIteration);
    let reply = h.local_reply.unwrap();
    assert_eq!(reply.status, 400);
    let v: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(v["error"]["param"], "model");
}

#[test]
fn azure_leaves_non_api_paths() {
    let mut f = filter(AZURE);
    let mut h = TestHost::with_request_headers(&[(":path", "/v1/models")]);
    h.run_request(&mut f, b"");
    assert_eq!(header(&h.request_headers, ":path"), Some("/v1/models"));
    assert!(h.local_reply.is_none());
}

#[test]
fn model_override_rewrites_body_and_azure_path() {
    let mut f = filter(AZURE);
    let mut h = TestHost::with_request_headers(&[
        (":path", "/v1/chat/completions"),
        ("x-ai-eg-model", "gpt-4o"),
        ("x-aigw-model-override", "gpt-4o-2024-08-06"),
        ("content-length", "61"),
    ]);
    let (hs, bs) = h.run_request_chunks(&mut f, &[&CHAT.as_bytes()[..20], &CHAT.as_bytes()[20..]]);
    assert_eq!(
        (hs, bs),
        (HeadersStatus::StopIteration, Some(BodyStatus::Continue))
    );
    assert!(header(&h.request_headers, "x-aigw-model-override").is_none());
    assert_eq!(
        header(&h.request_headers, ":path"),
        Some("/openai/deployments/gpt-4o-2024-08-06/chat/completions?api-version=2024-10-21")
    );
    let expected = r#"{"model":"gpt-4o-2024-08-06","messages":[{"role":"user","content":"hi"}]}"#;
    assert_eq!(String::from_utf8(h.request_body.clone()).unwrap(), expected);
    assert_eq!(
        header(&h.request_headers, "content-length"),
        Some(expected.len().to_string().as_str())
    );
}

#[test]
fn override_to_same_model_keeps_body() {
    let mut f = filter(OPENAI);
    let mut h = TestHost::with_request_headers(&[
        (":path", "/v1/chat/completions"),
        ("x-aigw-model-override", "gpt-4o"),
    ]);
    let (_, bs) = h.run_request(&mut f, CHAT.as_bytes());
    assert_eq!(bs, Some(BodyStatus::Continue));
    assert_eq!(h.request_body, CHAT.as_bytes());
    assert!(header(&h.request_headers, "content-length").is_none());
}

#[test]
fn override_on_unparseable_body_is_400() {
    let mut f = filter(OPENAI);
    let mut h = TestHost::with_request_headers(&[
        (":path", "/v1/chat/completions"),
        ("x-aigw-model-override", "m2"),
    ]);
    let (_, bs) = h.run_request(&mut f, b"{oops");
    assert_eq!(bs, Some(BodyStatus::StopNoBuffer));
    assert_eq!(h.local_reply.unwrap().status, 400);
}

#[test]
fn override_header_removed_on_non_api_paths_without_buffering() {
    let mut f = filter(OPENAI);
    let mut h =
        TestHost::with_request_headers(&[(":path", "/v1/files"), ("x-aigw-model-override", "m2")]);
    let (hs, bs) = h.run_request(&mut f, b"raw");
    assert_eq!(
        (hs, bs),
        (HeadersStatus::Continue, Some(BodyStatus::Continue))
    );
    assert!(header(&h.request_headers, "x-aigw-model-override").is_none());
    assert_eq!(h.request_body, b"raw");
}

#[test]
fn response_is_tagged_and_streamed_untouched() {
    let mut f = filter(AZURE);
    let mut h = TestHost::default();
    h.response_headers.push((":status".into(), "200".into()));
    let chunks: [&[u8]; 3] = [
        b"data: {\"a\":1}\n\n",
        b"data: {\"b\"",
        b":2}\n\ndata: [DONE]\n\n",
    ];
    let out = h.run_response(&mut f, &chunks);
    assert_eq!(out, chunks.concat());
    assert_eq!(
        header(&h.response_headers, "x-aigw-backend"),
        Some("azure-east")
    );
}

#[test]
fn authority_replaces_the_clients_host() {
    let mut f = filter(
        r#"{"role":"backend","backend":"oai","schema":"OpenAI","authority":"api.openai.com"}"#,
    );
    let mut h = TestHost::with_request_headers(&[
        (":path", "/v1/chat/completions"),
        (":authority", "127.0.0.1:1975"),
    ]);
    h.run_request(&mut f, CHAT.as_bytes());
    assert_eq!(
        header(&h.request_headers, ":authority"),
        Some("api.openai.com")
    );
}

#[test]
fn authority_must_be_a_host() {
    let err = TestHost::factory::<TranslateFactory>(
        r#"{"role":"backend","backend":"oai","schema":"OpenAI","authority":"h/x"}"#,
    )
    .err()
    .unwrap();
    assert!(err.contains("authority must be a host[:port]"), "{err}");
}
