//! End-to-end tests of the fake provider over real HTTP.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

mod support;
use support::{Reply, send};

const CHAT: &str =
    r#"{"model":"gpt-test","messages":[{"role":"user","content":"tell me a joke please now"}]}"#;

async fn start() -> SocketAddr {
    support::start(&["oa=fake-openai-key", "az=fake-azure-key"]).await
}

/// The JSON body of a reply.
fn json(reply: &Reply) -> Value {
    serde_json::from_slice(&reply.body).unwrap()
}

const OPENAI_AUTH: (&str, &str) = ("authorization", "Bearer fake-openai-key");
const AZURE_AUTH: (&str, &str) = ("api-key", "fake-azure-key");

#[tokio::test]
async fn chat_is_deterministic_and_names_backend() {
    let addr = start().await;
    let a = send(addr, "POST", "/v1/chat/completions", &[OPENAI_AUTH], CHAT).await;
    let b = send(addr, "POST", "/v1/chat/completions", &[OPENAI_AUTH], CHAT).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.body, b.body);
    assert_eq!(a.headers["x-testupstream-backend"], "oa");
    assert_eq!(a.headers["content-type"], "application/json");
    let v = json(&a);
    assert_eq!(v["model"], "gpt-test");
    assert_eq!(
        v["choices"][0]["message"]["content"],
        "Hello from oa! You said: tell me a joke please"
    );
    assert_eq!(v["usage"]["prompt_tokens"], 3 + 6);
}

#[tokio::test]
async fn azure_stream_with_usage() {
    let addr = start().await;
    let body = r#"{"messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}"#;
    let r = send(
        addr,
        "POST",
        "/openai/deployments/my-dep/chat/completions?api-version=2024-10-21",
        &[AZURE_AUTH],
        body,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "text/event-stream");
    assert_eq!(r.headers["x-testupstream-backend"], "az");
    let text = std::str::from_utf8(&r.body).unwrap();
    assert!(text.ends_with("data: [DONE]\n\n"), "{text}");
    let events: Vec<Value> = text
        .split("\n\n")
        .filter_map(|e| e.strip_prefix("data: "))
        .filter(|e| *e != "[DONE]")
        .map(|e| serde_json::from_str(e).unwrap())
        .collect();
    assert!(events.iter().all(|e| e["model"] == "my-dep"));
    assert_eq!(events.last().unwrap()["usage"]["completion_tokens"], 6);
}

#[tokio::test]
async fn completions_and_embeddings() {
    let addr = start().await;
    let r = send(
        addr,
        "POST",
        "/v1/completions",
        &[OPENAI_AUTH],
        r#"{"model":"m","prompt":"a b c"}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(json(&r)["object"], "text_completion");
    let r = send(
        addr,
        "POST",
        "/v1/embeddings",
        &[OPENAI_AUTH],
        r#"{"model":"e","input":["x","y z"]}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let v = json(&r);
    assert_eq!(v["data"].as_array().unwrap().len(), 2);
    assert_eq!(v["usage"]["prompt_tokens"], 3);
}

#[tokio::test]
async fn errors_look_like_openai() {
    let addr = start().await;
    let cases = [
        ("POST", "/v1/models", vec![OPENAI_AUTH], CHAT, 404),
        ("GET", "/v1/chat/completions", vec![OPENAI_AUTH], "", 405),
        ("POST", "/v1/chat/completions", vec![], CHAT, 401),
        (
            "POST",
            "/v1/chat/completions",
            vec![("authorization", "Bearer wrong")],
            CHAT,
            401,
        ),
        (
            "POST",
            "/v1/chat/completions",
            vec![OPENAI_AUTH, AZURE_AUTH],
            CHAT,
            401,
        ),
        (
            "POST",
            "/openai/deployments/d/chat/completions?api-version=2024-10-21",
            vec![OPENAI_AUTH],
            CHAT,
            401,
        ),
        (
            "POST",
            "/openai/deployments/d/chat/completions",
            vec![AZURE_AUTH],
            CHAT,
            400,
        ),
        (
            "POST",
            "/v1/chat/completions",
            vec![OPENAI_AUTH],
            r#"{"model":"m","messages":[]}"#,
            400,
        ),
        (
            "POST",
            "/v1/chat/completions",
            vec![OPENAI_AUTH, ("x-testupstream-status", "429")],
            CHAT,
            429,
        ),
    ];
    for (method, path, headers, body, status) in cases {
        let r = send(addr, method, path, &headers, body).await;
        assert_eq!(r.status.as_u16(), status, "{method} {path} {headers:?}");
        let v = json(&r);
        let e = &v["error"];
        for field in ["message", "type", "param", "code"] {
            assert!(e.get(field).is_some(), "{field} missing in {v}");
        }
    }
}

#[tokio::test]
async fn chunk_delay_knob() {
    let addr = start().await;
    let body = r#"{"model":"m","messages":[{"role":"user","content":"x"}],"stream":true}"#;
    let started = Instant::now();
    let r = send(
        addr,
        "POST",
        "/v1/chat/completions",
        &[OPENAI_AUTH, ("x-testupstream-chunk-delay-ms", "20")],
        body,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    // role + 6 words + finish + [DONE] = 9 events, 8 pauses.
    assert!(started.elapsed() >= Duration::from_millis(8 * 20));
}

#[tokio::test]
async fn fault_knob_misbehaves_after_accepting() {
    let addr = start().await;
    let fault = |f: &'static str| [OPENAI_AUTH, ("x-testupstream-fault", f)];
    let html = send(addr, "POST", "/v1/chat/completions", &fault("html"), CHAT).await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(
        html.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(html.body.starts_with(b"<!DOCTYPE html>"));
    let bad = send(
        addr,
        "POST",
        "/v1/chat/completions",
        &fault("invalid-json"),
        CHAT,
    )
    .await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(serde_json::from_slice::<Value>(&bad.body).is_err());
    let unknown = send(addr, "POST", "/v1/chat/completions", &fault("nope"), CHAT).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    // A reset breaks the body: the client sees an error after the headers.
    let client: Client<HttpConnector, Full<Bytes>> =
        Client::builder(TokioExecutor::new()).build_http();
    let stream = CHAT.replace("}]}", "}],\"stream\":true}");
    let req = Request::post(format!("http://{addr}/v1/chat/completions"))
        .header("content-type", "application/json")
        .header(OPENAI_AUTH.0, OPENAI_AUTH.1)
        .header("x-testupstream-fault", "reset-mid-stream")
        .body(Full::new(Bytes::from(stream.clone())))
        .unwrap();
    let resp = client.request(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.into_body().collect().await.is_err());
    // A stall before the headers delays the whole answer.
    let started = Instant::now();
    let stalled = send(
        addr,
        "POST",
        "/v1/chat/completions",
        &[
            OPENAI_AUTH,
            ("x-testupstream-fault", "stall-before-headers"),
            ("x-testupstream-stall-ms", "200"),
        ],
        CHAT,
    )
    .await;
    assert_eq!(stalled.status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(200));
}
