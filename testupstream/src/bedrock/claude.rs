//! Claude through InvokeModel (`/model/{modelId}/invoke`) and InvokeModelWithResponseStream
//! (`/invoke-with-response-stream`): the Anthropic Messages body without `model` (it is in
//! the path) and without `stream` (the path chooses), with `anthropic_version:
//! "bedrock-2023-05-31"` and optional `anthropic_beta` (a list of strings), checked and
//! answered as the Anthropic flavour does. A stream is event-stream `chunk` frames whose
//! payload is `{"bytes": <base64 of one Anthropic event>}`. Errors are Bedrock's
//! (`ValidationException` with the Anthropic flavour's message).

use aigw_core::bedrock::eventstream::{Frame, encode_frame};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use serde_json::{Value, json};

use super::error::AwsError;
use crate::anthropic::validate::{Request, parse as parse_messages};

/// The only `anthropic_version` Bedrock accepts in the body.
pub const VERSION: &str = "bedrock-2023-05-31";

/// Whether a (decoded) model id names a Claude model: a model id, inference profile or ARN.
pub fn is_claude(model: &str) -> bool {
    model.contains("anthropic.claude")
}

/// Checks an InvokeModel body for Claude `model` (from the path): returns the request as
/// the Anthropic flavour sees it.
pub fn parse(body: &[u8], model: &str) -> Result<Request, AwsError> {
    let malformed = |why: &str| AwsError::validation(format!("Malformed input request: {why}"));
    let mut obj = match serde_json::from_slice(body) {
        Ok(Value::Object(obj)) => obj,
        Ok(_) => return Err(malformed("#: expected type: JSONObject")),
        Err(e) => return Err(malformed(&format!("not JSON: {e}"))),
    };
    match obj.remove("anthropic_version") {
        None => return Err(malformed("#: required key [anthropic_version] not found")),
        Some(Value::String(v)) if v == VERSION => {}
        Some(v) => {
            return Err(malformed(&format!(
                "#/anthropic_version: {v} is not a valid enum value"
            )));
        }
    }
    for extraneous in ["model", "stream"] {
        if obj.contains_key(extraneous) {
            return Err(malformed(&format!(
                "#: extraneous key [{extraneous}] is not permitted"
            )));
        }
    }
    match obj.remove("anthropic_beta") {
        None => {}
        Some(Value::Array(betas)) if betas.iter().all(Value::is_string) => {}
        Some(_) => return Err(malformed("#/anthropic_beta: expected type: JSONArray")),
    }
    obj.insert("model".into(), Value::String(model.to_string()));
    let body = serde_json::to_vec(&obj).map_err(|e| malformed(&e.to_string()))?;
    parse_messages(&body).map_err(|e| malformed(&e.message))
}

fn chunk(event: &[u8]) -> Bytes {
    let headers = [
        (":event-type", "chunk"),
        (":content-type", "application/json"),
        (":message-type", "event"),
    ];
    let payload = json!({ "bytes": STANDARD.encode(event), "p": "abcdefghijkl" });
    let mut out = Vec::new();
    encode_frame(
        &Frame::with_strings(&headers, payload.to_string().as_bytes()),
        &mut out,
    );
    Bytes::from(out)
}

/// The frames of a streamed answer, one per write: the Anthropic flavour's events (without
/// `ping`, which Bedrock does not send); `fail_with` ends the stream with that exception
/// after the first content delta.
pub fn stream(
    backend: &str,
    request: &Request,
    body: &[u8],
    fail_with: Option<&str>,
) -> Vec<Bytes> {
    let mut out = Vec::new();
    for sse in crate::anthropic::respond::events(backend, request, body, false) {
        let text = String::from_utf8_lossy(&sse);
        let Some(data) = text.lines().find_map(|l| l.strip_prefix("data: ")) else {
            continue;
        };
        if data.contains(r#""type":"ping""#) {
            continue;
        }
        out.push(chunk(data.as_bytes()));
        if let Some(name) = fail_with
            && data.contains(r#""type":"content_block_delta""#)
        {
            out.push(super::respond::exception(name));
            return out;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use aigw_core::bedrock::eventstream::{DEFAULT_MAX_FRAME_BYTES, decode_all};

    const OK: &str = r#"{"anthropic_version":"bedrock-2023-05-31","max_tokens":8,"messages":[{"role":"user","content":"hi there"}]}"#;

    #[test]
    fn bodies_are_checked_like_bedrock() {
        let model = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
        assert_eq!(parse(OK.as_bytes(), model).unwrap().model, model);
        let beta = OK.replace(
            "\"max_tokens\"",
            "\"anthropic_beta\":[\"x\"],\"max_tokens\"",
        );
        assert!(parse(beta.as_bytes(), model).is_ok());
        for (body, why) in [
            (
                OK.replace("\"anthropic_version\":\"bedrock-2023-05-31\",", ""),
                "required key [anthropic_version]",
            ),
            (
                OK.replace("bedrock-2023-05-31", "2023-06-01"),
                "anthropic_version",
            ),
            (
                OK.replace("\"max_tokens\":8,", "\"model\":\"m\",\"max_tokens\":8,"),
                "extraneous key [model]",
            ),
            (
                OK.replace("\"max_tokens\":8,", "\"stream\":true,\"max_tokens\":8,"),
                "extraneous key [stream]",
            ),
            (OK.replace("\"max_tokens\":8,", ""), "max_tokens"),
            (
                OK.replace(
                    "\"max_tokens\":8,",
                    "\"anthropic_beta\":\"x\",\"max_tokens\":8,",
                ),
                "anthropic_beta",
            ),
        ] {
            let e = parse(body.as_bytes(), model).unwrap_err();
            assert_eq!(e.name, "ValidationException");
            assert!(e.message.contains(why), "{why}: {}", e.message);
        }
        assert!(is_claude(model));
        assert!(is_claude(
            "arn:aws:bedrock:us-east-1:1:foundation-model/anthropic.claude-3-haiku"
        ));
        assert!(!is_claude("amazon.nova-pro-v1:0"));
    }

    #[test]
    fn streams_are_base64_chunks_and_can_fail_mid_way() {
        let request = parse(OK.as_bytes(), "anthropic.claude-x").unwrap();
        let frames: Vec<u8> = stream("b", &request, OK.as_bytes(), None).concat();
        let decoded = decode_all(&frames, DEFAULT_MAX_FRAME_BYTES);
        assert_eq!(decoded.error, None);
        let events: Vec<Value> = decoded
            .frames
            .iter()
            .map(|f| {
                assert_eq!(f.header_str(":event-type"), Some("chunk"));
                let payload: Value = serde_json::from_slice(&f.payload).unwrap();
                let bytes = STANDARD.decode(payload["bytes"].as_str().unwrap()).unwrap();
                serde_json::from_slice(&bytes).unwrap()
            })
            .collect();
        assert_eq!(events[0]["type"], "message_start");
        assert_eq!(events.last().unwrap()["type"], "message_stop");
        let failing: Vec<u8> =
            stream("b", &request, OK.as_bytes(), Some("throttlingException")).concat();
        let decoded = decode_all(&failing, DEFAULT_MAX_FRAME_BYTES);
        let last = decoded.frames.last().unwrap();
        assert_eq!(last.header_str(":message-type"), Some("exception"));
        assert_eq!(
            last.header_str(":exception-type"),
            Some("throttlingException")
        );
    }
}
