//! End-to-end tests of the fake Vertex AI over real HTTP: what it accepts and the errors it
//! gives (Google's for paths and credentials, Anthropic's for Claude bodies).

use std::net::SocketAddr;

use hyper::StatusCode;
use serde_json::{Value, json};

mod support;
use support::send;

const BEARER: (&str, &str) = ("authorization", "Bearer fake-vertex-token");
const BASE: &str = "/v1/projects/my-proj/locations/us-east5/publishers";

async fn start() -> SocketAddr {
    support::start(&["vx=fake-vertex-token"]).await
}

async fn post(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    body: &Value,
) -> (StatusCode, String, Value) {
    let reply = send(addr, "POST", path, headers, &body.to_string()).await;
    let content_type = reply.headers["content-type"].to_str().unwrap().to_string();
    let value = serde_json::from_slice(&reply.body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&reply.body).into()));
    (reply.status, content_type, value)
}

fn claude(extra: Value) -> Value {
    let mut body = json!({"anthropic_version": "vertex-2023-10-16", "max_tokens": 16,
                          "messages": [{"role": "user", "content": "hi there vertex"}]});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

#[tokio::test]
async fn gemini_and_claude_models_answer() {
    let addr = start().await;
    let gen_path = format!("{BASE}/google/models/gemini-2.5-flash:generateContent");
    let (status, _, v) = post(
        addr,
        &gen_path,
        &[BEARER],
        &json!({"contents":[{"role":"user","parts":[{"text":"hello"}]}]}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["modelVersion"], "gemini-2.5-flash-001");
    let predict = format!("{BASE}/google/models/text-embedding-005:predict");
    let (status, _, v) = post(
        addr,
        &predict,
        &[BEARER],
        &json!({"instances":[{"content":"a b"}]}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v["predictions"][0]["embeddings"]["statistics"]["token_count"],
        2
    );
    let raw = format!("{BASE}/anthropic/models/claude-sonnet-4-5@20250929:rawPredict");
    let (status, _, v) = post(addr, &raw, &[BEARER], &claude(json!({}))).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["model"], "claude-sonnet-4-5@20250929");
    assert_eq!(
        v["content"][0]["text"],
        "Hello from vx! You said: hi there vertex"
    );
    let stream = format!("{BASE}/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict");
    let (status, content_type, v) =
        post(addr, &stream, &[BEARER], &claude(json!({"stream": true}))).await;
    assert_eq!(
        (status.as_u16(), content_type.as_str()),
        (200, "text/event-stream")
    );
    assert!(v.as_str().unwrap().contains("event: message_stop"));
}

#[tokio::test]
async fn refusals_look_like_vertex() {
    let addr = start().await;
    let raw = format!("{BASE}/anthropic/models/claude-x:rawPredict");
    let (status, _, v) = post(addr, &raw, &[], &claude(json!({}))).await;
    assert_eq!(
        (status.as_u16(), v["error"]["status"].as_str()),
        (401, Some("UNAUTHENTICATED"))
    );
    let (status, _, v) = post(
        addr,
        &raw,
        &[("x-goog-api-key", "k"), BEARER],
        &claude(json!({})),
    )
    .await;
    assert_eq!(status, 401, "{v}");
    let wrong = format!("{BASE}/anthropic/models/claude-x:generateContent");
    let (status, _, v) = post(addr, &wrong, &[BEARER], &claude(json!({}))).await;
    assert_eq!(
        (status.as_u16(), v["error"]["status"].as_str()),
        (404, Some("NOT_FOUND"))
    );
    let mut no_version = claude(json!({}));
    no_version
        .as_object_mut()
        .unwrap()
        .remove("anthropic_version");
    let (status, _, v) = post(addr, &raw, &[BEARER], &no_version).await;
    assert_eq!((status.as_u16(), v["type"].as_str()), (400, Some("error")));
    assert_eq!(v["error"]["message"], "anthropic_version: Field required");
    let (status, _, v) = post(addr, &raw, &[BEARER], &claude(json!({"model": "claude-x"}))).await;
    assert_eq!(status, 400);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("model: Extra inputs")
    );
    let predict = format!("{BASE}/google/models/text-embedding-005:predict");
    let (status, _, v) = post(
        addr,
        &predict,
        &[BEARER],
        &json!({"instances":[{"content":"x"}],"model":"m"}),
    )
    .await;
    assert_eq!(
        (status.as_u16(), v["error"]["status"].as_str()),
        (400, Some("INVALID_ARGUMENT"))
    );
}
