use super::cohere_embed;
use super::error::AwsError;
use super::respond::{converse, stream};
use super::sigv4::{Received, authenticate};
use super::titan;
use super::validate::{self, Converse};
use crate::config::{Backend, Config};
use aigw_core::auth::sigv4::{AwsCredentials, RequestToSign, SigningScope, sign};
use aigw_core::bedrock::eventstream::{DEFAULT_MAX_FRAME_BYTES, decode_all};
use hyper::HeaderMap;
use hyper::header::HeaderValue;
use secrecy::SecretString;
use serde_json::{Value, json};
use std::time::SystemTime;

fn ok(v: Value) -> Converse {
    validate::converse(v.to_string().as_bytes()).unwrap_or_else(|e| panic!("{v}: {}", e.message))
}

fn refused(v: Value) -> AwsError {
    validate::converse(v.to_string().as_bytes()).unwrap_err()
}

fn user(text: &str) -> Value {
    json!({"role": "user", "content": [{"text": text}]})
}

const TOOLS: &str = r#"{"tools":[{"toolSpec":{"name":"get_weather","inputSchema":{"json":{"type":"object"}}}},{"cachePoint":{"type":"default"}}]}"#;

#[test]
fn accepts_a_tool_round_trip() {
    let r = ok(json!({
        "system": [{"text": "Be nice"}, {"cachePoint": {"type": "default"}}],
        "inferenceConfig": {"maxTokens": 10, "temperature": 0.5, "topP": 1, "stopSequences": ["x"]},
        "toolConfig": serde_json::from_str::<Value>(TOOLS).unwrap(),
        "messages": [
            user("get_weather for Paris"),
            {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "get_weather", "input": {}}}]},
            {"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [{"text": "sunny"}]}}, {"text": "thanks"}]},
        ],
    }));
    assert_eq!(r.tool_results, ["sunny"]);
    assert_eq!(r.tools, ["get_weather"]);
    assert_eq!(r.input_words, 2 + 3 + 1);
}

#[test]
fn refuses_what_bedrock_refuses() {
    let cases = [
        (json!({}), "ValidationException", "'messages'"),
        (json!({"messages": "x"}), "SerializationException", "a list"),
        (
            json!({"messages": [user("a")], "model": "m"}),
            "ValidationException",
            "Unknown member 'model'",
        ),
        (
            json!({"messages": [user("a"), user("b")]}),
            "ValidationException",
            "alternate",
        ),
        (
            json!({"messages": [{"role": "assistant", "content": [{"text": "x"}]}]}),
            "ValidationException",
            "start with a user",
        ),
        (
            json!({"messages": [{"role": "user", "content": [{"text": " "}]}]}),
            "ValidationException",
            "blank",
        ),
        (
            json!({"messages": [user("a")], "inferenceConfig": {"maxTokens": "10"}}),
            "SerializationException",
            "maxTokens",
        ),
        (
            json!({"messages": [user("a")], "inferenceConfig": {"temperature": 2}}),
            "ValidationException",
            "temperature",
        ),
        (
            json!({"messages": [user("a")], "inferenceConfig": {"max_tokens": 2}}),
            "ValidationException",
            "max_tokens",
        ),
        (
            json!({"messages": [{"role": "user", "content": [{"image": {"format": "bmp", "source": {"bytes": "AA=="}}}]}]}),
            "ValidationException",
            "format",
        ),
        (
            json!({"messages": [{"role": "user", "content": [{"text": "a", "image": {}}]}]}),
            "ValidationException",
            "exactly one",
        ),
        (
            json!({"messages": [user("a"), {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t", "name": "f", "input": {}}}]}]}),
            "ValidationException",
            "toolConfig",
        ),
        (
            json!({"messages": [user("a")], "toolConfig": {"tools": [{"toolSpec": {"name": "f", "inputSchema": {"json": {}}}}], "toolChoice": {"tool": {"name": "g"}}}}),
            "ValidationException",
            "not a defined tool",
        ),
    ];
    for (body, name, fragment) in cases {
        let e = refused(body.clone());
        assert_eq!(e.name, name, "{body}: {}", e.message);
        assert_eq!(e.status, 400);
        assert!(e.message.contains(fragment), "{body}: {}", e.message);
    }
}

#[test]
fn a_named_tool_is_called_and_streams_are_valid_frames() {
    let body = json!({"toolConfig": serde_json::from_str::<Value>(TOOLS).unwrap(), "messages": [user("call get_weather please")]});
    let bytes = body.to_string();
    let request = ok(body);
    let answer: Value =
        serde_json::from_slice(&converse("br", &request, bytes.as_bytes())).unwrap();
    assert_eq!(answer["stopReason"], "tool_use");
    assert_eq!(
        answer["output"]["message"]["content"][0]["toolUse"]["input"]["text"],
        "call get_weather please"
    );
    let frames: Vec<u8> = stream("br", &request, bytes.as_bytes(), None).concat();
    let decoded = decode_all(&frames, DEFAULT_MAX_FRAME_BYTES);
    assert_eq!(decoded.error, None);
    let kinds: Vec<&str> = decoded
        .frames
        .iter()
        .map(|f| f.header_str(":event-type").unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "messageStart",
            "contentBlockStart",
            "contentBlockDelta",
            "contentBlockDelta",
            "contentBlockStop",
            "messageStop",
            "metadata"
        ]
    );

    let text = ok(json!({"messages": [user("hello there")]}));
    let frames = stream("br", &text, b"x", Some("throttlingException")).concat();
    let decoded = decode_all(&frames, DEFAULT_MAX_FRAME_BYTES);
    let last = decoded.frames.last().unwrap();
    assert_eq!(decoded.frames.len(), 3);
    assert_eq!(last.header_str(":message-type"), Some("exception"));
    assert_eq!(
        last.header_str(":exception-type"),
        Some("throttlingException")
    );
}

fn config() -> Config {
    Config {
        backends: vec![Backend {
            id: "br".into(),
            key: "AKIDFAKE:fake-secret".into(),
        }],
        verbose: false,
        tokens: None,
    }
}

fn signed(secret: &str, body: &[u8]) -> HeaderMap {
    let credentials = AwsCredentials::new("AKIDFAKE".into(), SecretString::from(secret), None);
    let scope = SigningScope {
        region: "us-east-1".into(),
        service: "bedrock".into(),
        content_sha256_header: false,
    };
    let request = RequestToSign {
        method: "POST",
        path: "/model/m%3A0/converse",
        host: "bedrock-runtime.us-east-1.amazonaws.com",
        content_type: Some("application/json"),
        body,
    };
    let mut headers = HeaderMap::new();
    headers.insert(
        "host",
        HeaderValue::from_static("bedrock-runtime.us-east-1.amazonaws.com"),
    );
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    for (name, value) in sign(&credentials, &scope, &request, SystemTime::now()) {
        headers.insert(name, HeaderValue::from_str(&value).unwrap());
    }
    headers
}

fn check(headers: &HeaderMap, body: &[u8]) -> Result<String, AwsError> {
    let config = config();
    let received = Received {
        method: "POST",
        path: "/model/m%3A0/converse",
        headers,
        body,
    };
    authenticate(&config, &received).map(|b| b.id.clone())
}

#[test]
fn sigv4_is_checked_like_aws() {
    let body = br#"{"messages":[]}"#;
    assert_eq!(check(&signed("fake-secret", body), body).unwrap(), "br");
    let wrong = check(&signed("other-secret", body), body).unwrap_err();
    assert_eq!(
        (wrong.status.as_u16(), wrong.name),
        (403, "InvalidSignatureException")
    );
    let tampered = check(&signed("fake-secret", body), br#"{"messages":[1]}"#).unwrap_err();
    assert_eq!(tampered.name, "InvalidSignatureException");
    let missing = check(&HeaderMap::new(), body).unwrap_err();
    assert_eq!(
        (missing.name, missing.message.as_str()),
        (
            "MissingAuthenticationTokenException",
            "Missing Authentication Token"
        )
    );
    let mut bad = HeaderMap::new();
    bad.insert("authorization", HeaderValue::from_static("Bearer sk-fake"));
    assert_eq!(
        check(&bad, body).unwrap_err().name,
        "IncompleteSignatureException"
    );
    let mut other_key = signed("fake-secret", body);
    let auth = other_key["authorization"]
        .to_str()
        .unwrap()
        .replace("AKIDFAKE", "AKIDOTHER");
    other_key.insert("authorization", HeaderValue::from_str(&auth).unwrap());
    assert_eq!(
        check(&other_key, body).unwrap_err().name,
        "UnrecognizedClientException"
    );
}

#[test]
fn titan_bodies_are_checked_like_invoke_model() {
    let (text, dims) =
        titan::validate(br#"{"inputText":"a b","dimensions":256,"normalize":true}"#).unwrap();
    assert_eq!((text.as_str(), dims), ("a b", Some(256)));
    for (body, fragment) in [
        (
            &br#"{"inputText":"a","texts":["a"]}"#[..],
            "extraneous key [texts]",
        ),
        (br#"{"dimensions":256}"#, "required key [inputText]"),
        (br#"{"inputText":1}"#, "expected type: String"),
        (
            br#"{"inputText":"a","dimensions":300}"#,
            "not a valid enum value",
        ),
    ] {
        let e = titan::validate(body).unwrap_err();
        assert_eq!(e.name, "ValidationException");
        assert!(
            e.message.starts_with("Malformed input request: ") && e.message.contains(fragment),
            "{}",
            e.message
        );
    }
    let answer: Value = serde_json::from_slice(&titan::answer("a b", Some(256))).unwrap();
    assert_eq!(answer["embedding"].as_array().unwrap().len(), 256);
    assert_eq!(answer["inputTextTokenCount"], 2);
}

#[test]
fn cohere_embed_bodies_are_checked_per_version() {
    let v3 = "cohere.embed-english-v3";
    let ok = cohere_embed::validate(
        v3,
        br#"{"texts":["a b","c"],"input_type":"search_query","embedding_types":["float"]}"#,
    )
    .unwrap();
    assert_eq!((ok.texts.len(), ok.dimension, ok.by_type), (2, None, true));
    let v4 = cohere_embed::validate(
        "us.cohere.embed-v4:0",
        br#"{"texts":["a"],"input_type":"clustering","output_dimension":512}"#,
    )
    .unwrap();
    assert_eq!((v4.dimension, v4.by_type), (Some(512), false));
    let many = serde_json::json!({"texts": vec!["x"; 97], "input_type": "clustering"}).to_string();
    for (model, body, fragment) in [
        (v3, &br#"{"texts":["a"]}"#[..], "required key [input_type]"),
        (
            v3,
            br#"{"input_type":"clustering"}"#,
            "required key [texts]",
        ),
        (
            v3,
            br#"{"texts":["a"],"input_type":"search"}"#,
            "not a valid enum value",
        ),
        (
            v3,
            br#"{"texts":["a"],"input_type":"clustering","model":"m"}"#,
            "extraneous key [model]",
        ),
        (
            v3,
            br#"{"texts":["a"],"input_type":"clustering","output_dimension":256}"#,
            "extraneous key [output_dimension]",
        ),
        (
            "cohere.embed-v4:0",
            br#"{"texts":["a"],"input_type":"clustering","output_dimension":300}"#,
            "not a valid enum value",
        ),
        (
            v3,
            br#"{"texts":[],"input_type":"clustering"}"#,
            "between 1 and 96",
        ),
        (v3, many.as_bytes(), "between 1 and 96"),
    ] {
        let e = cohere_embed::validate(model, body).unwrap_err();
        assert_eq!(e.name, "ValidationException");
        assert!(e.message.contains(fragment), "{}", e.message);
    }
    let (body, tokens) = cohere_embed::answer(&ok, "id-1");
    let answer: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(tokens, 3);
    assert_eq!(answer["response_type"], "embeddings_by_type");
    assert_eq!(answer["embeddings"]["float"].as_array().unwrap().len(), 2);
    let (body, _) = cohere_embed::answer(&v4, "id-2");
    let answer: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(answer["response_type"], "embeddings_floats");
    assert_eq!(answer["embeddings"][0].as_array().unwrap().len(), 512);
}

/// Temporary credentials from the fake STS of an issuer whose credentials live `lifetime_s`.
fn sts_config(lifetime_s: u64) -> (Config, AwsCredentials) {
    use crate::tokens::{Client, Issuer, TokenConfig};
    let issuer = Issuer::new(TokenConfig {
        lifetime_s,
        delay_ms: 0,
        clients: vec![Client::AwsSts {
            backend: "br".into(),
            role_arn: "arn:aws:iam::1:role/r".into(),
            web_identity_token: "fake-wi-bedrock-unit".into(),
        }],
    });
    let mut headers = HeaderMap::new();
    headers.insert(
        "content-type",
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    let form = "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr&RoleSessionName=s1&WebIdentityToken=fake-wi-bedrock-unit";
    let (_, xml) = issuer.answer_sts(&hyper::Method::POST, None, &headers, &form.into());
    let text = String::from_utf8(xml).unwrap();
    let field = |name: &str| {
        let start = text.find(&format!("<{name}>")).unwrap() + name.len() + 2;
        text[start..start + text[start..].find('<').unwrap()].to_string()
    };
    let credentials = AwsCredentials::new(
        field("AccessKeyId"),
        SecretString::from(field("SecretAccessKey")),
        Some(SecretString::from(field("SessionToken"))),
    );
    let mut config = config();
    config.tokens = Some(std::sync::Arc::new(issuer));
    (config, credentials)
}

fn signed_with(credentials: &AwsCredentials, body: &[u8]) -> HeaderMap {
    let scope = SigningScope {
        region: "us-east-1".into(),
        service: "bedrock".into(),
        content_sha256_header: false,
    };
    let request = RequestToSign {
        method: "POST",
        path: "/model/m%3A0/converse",
        host: "bedrock-runtime.us-east-1.amazonaws.com",
        content_type: Some("application/json"),
        body,
    };
    let mut headers = HeaderMap::new();
    headers.insert(
        "host",
        HeaderValue::from_static("bedrock-runtime.us-east-1.amazonaws.com"),
    );
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    for (name, value) in sign(credentials, &scope, &request, SystemTime::now()) {
        headers.insert(name, HeaderValue::from_str(&value).unwrap());
    }
    headers
}

#[test]
fn sts_credentials_need_their_session_token_and_expire() {
    let body = br#"{"messages":[]}"#;
    let received = |headers| Received {
        method: "POST",
        path: "/model/m%3A0/converse",
        headers,
        body,
    };
    let (config, credentials) = sts_config(600);
    let headers = signed_with(&credentials, body);
    assert_eq!(authenticate(&config, &received(&headers)).unwrap().id, "br");
    let mut without_token = headers.clone();
    without_token.remove("x-amz-security-token");
    let e = authenticate(&config, &received(&without_token)).unwrap_err();
    assert_eq!(e.name, "UnrecognizedClientException");
    let (config, credentials) = sts_config(0);
    let headers = signed_with(&credentials, body);
    let e = authenticate(&config, &received(&headers)).unwrap_err();
    assert_eq!((e.status.as_u16(), e.name), (403, "ExpiredTokenException"));
}

#[test]
fn claude_invoke_paths_are_told_apart_by_the_decoded_model() {
    use super::{Operation, operation};
    assert_eq!(
        operation("/model/us.anthropic.claude-sonnet-4-5-v1%3A0/invoke-with-response-stream"),
        Some((
            Operation::InvokeClaudeStream,
            "us.anthropic.claude-sonnet-4-5-v1:0".to_string()
        ))
    );
    let arn =
        "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Afoundation-model%2Fanthropic.claude-3/invoke";
    assert_eq!(operation(arn).unwrap().0, Operation::InvokeClaude);
    assert_eq!(
        operation("/model/amazon.nova-pro-v1%3A0/invoke-with-response-stream")
            .unwrap()
            .0,
        Operation::InvokeOther
    );
    assert_eq!(operation("/model/a/b/invoke"), None);
}

#[test]
fn stops_at_the_first_stop_sequence_and_names_it_when_asked() {
    let request = json!({
        "inferenceConfig": {"stopSequences": ["said", "from"]},
        "additionalModelResponseFieldPaths": ["/stop_sequence"],
        "messages": [user("count to three")],
    });
    let r = ok(request.clone());
    let body: Value = serde_json::from_slice(&converse("b", &r, b"x")).unwrap();
    assert_eq!(body["output"]["message"]["content"][0]["text"], "Hello ");
    assert_eq!(body["stopReason"], "stop_sequence");
    assert_eq!(
        body["additionalModelResponseFields"]["stop_sequence"],
        "from"
    );
    let frames = stream("b", &r, b"x", None).concat();
    let decoded = decode_all(&frames, DEFAULT_MAX_FRAME_BYTES);
    assert!(decoded.error.is_none());
    let stop = decoded
        .frames
        .iter()
        .find(|f| f.header_str(":event-type") == Some("messageStop"))
        .unwrap();
    let stop: Value = serde_json::from_slice(&stop.payload).unwrap();
    assert_eq!(stop["stopReason"], "stop_sequence");
    assert_eq!(
        stop["additionalModelResponseFields"]["stop_sequence"],
        "from"
    );

    let mut unasked = request;
    unasked
        .as_object_mut()
        .unwrap()
        .remove("additionalModelResponseFieldPaths");
    let body: Value = serde_json::from_slice(&converse("b", &ok(unasked), b"x")).unwrap();
    assert_eq!(body["stopReason"], "stop_sequence");
    assert!(body.get("additionalModelResponseFields").is_none());
    let bad = refused(
        json!({"messages": [user("a")], "additionalModelResponseFieldPaths": ["stop_sequence"]}),
    );
    assert_eq!(bad.name, "ValidationException");
}
