//! End-to-end tests of the fake Gemini API over real HTTP.

use std::net::SocketAddr;

use bytes::Bytes;
use hyper::StatusCode;
use serde_json::{Value, json};

mod support;
use support::send;

const KEY: (&str, &str) = ("x-goog-api-key", "fake-gemini-key");
const GENERATE: &str = "/v1beta/models/gemini-2.0-flash:generateContent";
const STREAM: &str = "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse";

async fn start() -> SocketAddr {
    support::start(&["gem=fake-gemini-key"]).await
}

async fn post(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    body: &Value,
) -> (StatusCode, String, Bytes) {
    let reply = send(addr, "POST", path, headers, &body.to_string()).await;
    let content_type = reply.headers["content-type"].to_str().unwrap().to_string();
    (reply.status, content_type, reply.body)
}

fn user(text: &str) -> Value {
    json!({"contents": [{"role": "user", "parts": [{"text": text}]}]})
}

#[tokio::test]
async fn generate_answers_deterministically() {
    let addr = start().await;
    let (status, _, body) = post(addr, GENERATE, &[KEY], &user("tell me a joke")).await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_slice(&body).unwrap();
    let c = &v["candidates"][0];
    assert_eq!(
        c["content"]["parts"][0]["text"],
        "Hello from gem! You said: tell me a joke"
    );
    assert_eq!(c["finishReason"], "STOP");
    assert_eq!(v["modelVersion"], "gemini-2.0-flash-001");
    assert_eq!(v["usageMetadata"]["promptTokenCount"], 7);
    assert_eq!(v["usageMetadata"]["candidatesTokenCount"], 9);
    let (_, _, again) = post(addr, GENERATE, &[KEY], &user("tell me a joke")).await;
    assert_eq!(body, again);
}

#[tokio::test]
async fn stream_sends_one_event_per_word() {
    let addr = start().await;
    let (status, content_type, body) = post(addr, STREAM, &[KEY], &user("hi")).await;
    assert_eq!(
        (status.as_u16(), content_type.as_str()),
        (200, "text/event-stream")
    );
    let text = std::str::from_utf8(&body).unwrap();
    let events: Vec<Value> = text
        .split("\r\n\r\n")
        .filter(|e| !e.is_empty())
        .map(|e| serde_json::from_str(e.strip_prefix("data: ").unwrap()).unwrap())
        .collect();
    assert_eq!(events.len(), 6);
    assert_eq!(events[5]["candidates"][0]["finishReason"], "STOP");
    assert_eq!(events[5]["usageMetadata"]["candidatesTokenCount"], 6);
}

#[tokio::test]
async fn calls_the_first_function_then_quotes_its_result() {
    let addr = start().await;
    let tools = json!([{"functionDeclarations": [{"name": "get_weather", "parameters":
        {"type": "OBJECT", "properties": {"city": {"type": "STRING"}}, "required": ["city"]}}]}]);
    let mut request = user("weather?");
    request["tools"] = tools.clone();
    let (_, _, body) = post(addr, GENERATE, &[KEY], &request).await;
    let v: Value = serde_json::from_slice(&body).unwrap();
    let call = &v["candidates"][0]["content"]["parts"][0]["functionCall"];
    assert_eq!(
        call,
        &json!({"name": "get_weather", "args": {"city": "test"}})
    );
    request["contents"] = json!([
        {"role": "user", "parts": [{"text": "weather?"}]},
        {"role": "model", "parts": [{"functionCall": call}]},
        {"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "response": {"t": 21}}}]},
    ]);
    let (_, _, body) = post(addr, GENERATE, &[KEY], &request).await;
    let v: Value = serde_json::from_slice(&body).unwrap();
    let text = v["candidates"][0]["content"]["parts"][0]["text"]
        .as_str()
        .unwrap();
    assert!(text.contains(r#""response":{"t":21}"#), "{text}");
}

#[tokio::test]
async fn embeds_each_request() {
    let addr = start().await;
    let body = json!({"requests": [
        {"model": "models/text-embedding-004", "content": {"parts": [{"text": "a"}]}},
        {"model": "models/text-embedding-004", "content": {"parts": [{"text": "b"}]}, "outputDimensionality": 3},
    ]});
    let path = "/v1beta/models/text-embedding-004:batchEmbedContents";
    let (status, _, out) = post(addr, path, &[KEY], &body).await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["embeddings"][0]["values"].as_array().unwrap().len(), 8);
    assert_eq!(v["embeddings"][1]["values"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn rejects_what_gemini_rejects() {
    let addr = start().await;
    let with_schema = json!({"contents": [{"role": "user", "parts": [{"text": "x"}]}],
        "tools": [{"functionDeclarations": [{"name": "f", "parameters": {"type": "OBJECT", "additionalProperties": false}}]}]});
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, Value, u16, &'a str);
    let cases: Vec<Case> = vec![
        (GENERATE, vec![], user("x"), 403, "PERMISSION_DENIED"),
        (
            GENERATE,
            vec![("x-goog-api-key", "wrong")],
            user("x"),
            400,
            "INVALID_ARGUMENT",
        ),
        (
            GENERATE,
            vec![KEY, ("authorization", "Bearer fake-gemini-key")],
            user("x"),
            400,
            "INVALID_ARGUMENT",
        ),
        (
            GENERATE,
            vec![KEY],
            json!({"contents": []}),
            400,
            "INVALID_ARGUMENT",
        ),
        (
            GENERATE,
            vec![KEY],
            json!({"contents": [{"role": "assistant", "parts": [{"text": "x"}]}]}),
            400,
            "INVALID_ARGUMENT",
        ),
        (
            GENERATE,
            vec![KEY],
            json!({"contents": [{"role": "user", "parts": []}]}),
            400,
            "INVALID_ARGUMENT",
        ),
        (
            GENERATE,
            vec![KEY],
            json!({"contents": [{"parts": [{"text": "x", "inlineData": {}}]}]}),
            400,
            "INVALID_ARGUMENT",
        ),
        (
            GENERATE,
            vec![KEY],
            json!({"contents": [{"parts": [{"text": "x"}]}], "messages": []}),
            400,
            "INVALID_ARGUMENT",
        ),
        (GENERATE, vec![KEY], with_schema, 400, "INVALID_ARGUMENT"),
        (
            "/v1beta/models/gemini-2.0-flash:streamGenerateContent",
            vec![KEY],
            user("x"),
            400,
            "INVALID_ARGUMENT",
        ),
        (
            "/v1beta/models/gemini-2.0-flash:countTokens",
            vec![KEY],
            user("x"),
            404,
            "NOT_FOUND",
        ),
        (
            GENERATE,
            vec![KEY, ("x-testupstream-status", "429")],
            user("x"),
            429,
            "RESOURCE_EXHAUSTED",
        ),
    ];
    for (path, headers, body, status, name) in cases {
        let (got, _, out) = post(addr, path, &headers, &body).await;
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            (got.as_u16(), v["error"]["status"].as_str()),
            (status, Some(name)),
            "{path} {body}"
        );
        assert_eq!(v["error"]["code"], status);
    }
}

fn thinking(config: Value) -> Value {
    let mut request = user("why is the sky blue");
    request["generationConfig"] = json!({ "thinkingConfig": config });
    request
}

#[tokio::test]
async fn thinks_when_asked_and_returns_thoughts_only_with_include_thoughts() {
    let addr = start().await;
    let config = json!({"thinkingBudget": 1024, "includeThoughts": true});
    let (status, _, body) = post(addr, GENERATE, &[KEY], &thinking(config)).await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_slice(&body).unwrap();
    let parts = &v["candidates"][0]["content"]["parts"];
    assert_eq!(parts[0]["thought"], true);
    assert_eq!(parts[0]["text"], "Thinking about: why is the sky blue");
    assert_eq!(
        parts[1]["text"],
        "Hello from gem! You said: why is the sky blue"
    );
    let usage = &v["usageMetadata"];
    assert_eq!(usage["thoughtsTokenCount"], 12);
    let sum = [
        "promptTokenCount",
        "candidatesTokenCount",
        "thoughtsTokenCount",
    ]
    .iter()
    .map(|k| usage[k].as_u64().unwrap())
    .sum::<u64>();
    assert_eq!(usage["totalTokenCount"], sum);

    let (_, _, body) = post(
        addr,
        GENERATE,
        &[KEY],
        &thinking(json!({"thinkingBudget": 1024})),
    )
    .await;
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert!(
        v["candidates"][0]["content"]["parts"][0]
            .get("thought")
            .is_none()
    );
    assert_eq!(v["usageMetadata"]["thoughtsTokenCount"], 12);

    let (_, _, body) = post(
        addr,
        STREAM,
        &[KEY],
        &thinking(json!({"thinkingLevel": "LOW", "includeThoughts": true})),
    )
    .await;
    let first = std::str::from_utf8(&body)
        .unwrap()
        .split("\r\n\r\n")
        .next()
        .unwrap();
    let first: Value = serde_json::from_str(first.strip_prefix("data: ").unwrap()).unwrap();
    assert_eq!(
        first["candidates"][0]["content"]["parts"][0]["thought"],
        true
    );
}

#[tokio::test]
async fn rejects_thinking_configs_gemini_rejects() {
    let addr = start().await;
    for config in [
        json!({"thinkingBudget": 1024, "thinkingLevel": "HIGH"}),
        json!({"thinkingBudget": 40000}),
        json!({"thinkingLevel": "EXTREME"}),
        json!({"includeThoughts": "yes", "thinkingBudget": 1024}),
        json!({"includeThoughts": true, "thinkingBudget": 0}),
        json!({"budget": 1024}),
    ] {
        let (status, _, body) = post(addr, GENERATE, &[KEY], &thinking(config.clone())).await;
        assert_eq!(status, 400, "{config}: {}", String::from_utf8_lossy(&body));
    }
}

#[tokio::test]
async fn a_thinking_model_needs_its_signed_calls_back() {
    let addr = start().await;
    let tools = json!([{"functionDeclarations": [{"name": "get_weather", "parameters":
        {"type": "OBJECT", "properties": {"city": {"type": "STRING"}}, "required": ["city"]}}]}]);
    let mut request = thinking(json!({"thinkingBudget": 1024}));
    request["tools"] = tools;
    let (_, _, body) = post(addr, GENERATE, &[KEY], &request).await;
    let v: Value = serde_json::from_slice(&body).unwrap();
    let call_part = v["candidates"][0]["content"]["parts"][0].clone();
    assert!(call_part["thoughtSignature"].is_string(), "{call_part}");
    let answer = json!({"role": "user", "parts": [{"functionResponse":
        {"name": "get_weather", "response": {"t": 21}}}]});
    let mut unsigned = call_part.clone();
    unsigned.as_object_mut().unwrap().remove("thoughtSignature");
    for (part, status) in [(call_part, 200), (unsigned, 400)] {
        request["contents"] = json!([
            {"role": "user", "parts": [{"text": "weather?"}]},
            {"role": "model", "parts": [part]},
            answer.clone(),
        ]);
        let (got, _, body) = post(addr, GENERATE, &[KEY], &request).await;
        assert_eq!(got, status, "{}", String::from_utf8_lossy(&body));
    }
}
