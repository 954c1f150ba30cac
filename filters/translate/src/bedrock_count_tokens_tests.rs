//! `count_tokens` to Claude on AWS Bedrock (`AWSAnthropic`) through CountTokens.

use crate::test_support::{filter, header, request};
use aigw_host::{BodyStatus, HeadersStatus};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

const CONFIG: &str = r#"{"role":"backend","backend":"ba","schema":"AWSAnthropic"}"#;
const BODY: &str = r#"{"model":"claude-x","messages":[{"role":"user","content":"hi"}]}"#;

fn answer(status: &str, extra: &[(&str, &str)], body: &[u8]) -> (u16, Value) {
    let mut f = filter(CONFIG);
    let (mut h, hs, bs) = request(
        &mut f,
        "/anthropic/v1/messages/count_tokens",
        BODY,
        &[
            ("anthropic-beta", "b1, b2"),
            ("anthropic-version", "2023-06-01"),
        ],
    );
    assert_eq!(
        (hs, bs),
        (HeadersStatus::StopIteration, Some(BodyStatus::Continue))
    );
    assert_eq!(
        header(&h.request_headers, ":path"),
        Some("/model/claude-x/count-tokens")
    );
    assert_eq!(header(&h.request_headers, "anthropic-beta"), None);
    let sent: Value = serde_json::from_slice(&h.request_body).unwrap();
    let inner = STANDARD
        .decode(sent["input"]["invokeModel"]["body"].as_str().unwrap())
        .unwrap();
    let inner: Value = serde_json::from_slice(&inner).unwrap();
    assert_eq!(
        inner,
        json!({"anthropic_version": "bedrock-2023-05-31", "anthropic_beta": ["b1", "b2"],
               "max_tokens": 1, "messages": [{"role": "user", "content": "hi"}]})
    );
    h.response_headers = vec![
        (":status".into(), status.into()),
        ("content-type".into(), "application/json".into()),
    ];
    for (k, v) in extra {
        h.response_headers.push(((*k).into(), (*v).into()));
    }
    let out = h.run_response(&mut f, &[body]);
    let status = header(&h.response_headers, ":status")
        .unwrap()
        .parse()
        .unwrap();
    (status, serde_json::from_slice(&out).unwrap())
}

#[test]
fn input_tokens_come_back_in_anthropics_shape() {
    assert_eq!(
        answer("200", &[], br#"{"inputTokens":17}"#),
        (200, json!({"input_tokens": 17}))
    );
}

#[test]
fn bedrock_errors_become_anthropic_errors() {
    let (status, body) = answer(
        "400",
        &[("x-amzn-errortype", "ValidationException")],
        br#"{"message":"The provided model doesn't support counting tokens."}"#,
    );
    assert_eq!(status, 400);
    assert_eq!(body["error"]["type"], "invalid_request_error");
    assert_eq!(
        answer("200", &[], b"not json").0,
        502,
        "an unreadable answer is a 502"
    );
}
