//! The router's handling of a client request body: validate, read the model, and force
//! usage reporting on streams when asked, in one parse and at most one copy.

use super::error::OpenAiError;
use super::limits::RequestLimits;
use super::request::parse_request_within;
use super::stream_usage::include_usage_edit;
use crate::api_kind::ApiKind;
use std::borrow::Cow;

/// The outcome of [`prepare_request`].
#[derive(Debug, PartialEq, Eq)]
pub struct Prepared<'a> {
    /// The model the client asked for.
    pub model: Cow<'a, str>,
    /// The body to send on, when it had to change.
    pub body: Option<Vec<u8>>,
    /// The output token cap the client asked for, when it gave one.
    pub max_output_tokens: Option<u64>,
}

/// Validates a client body of API `kind` within `limits` and, with `force_include_usage`,
/// makes streamed chat/completions requests ask for usage. Errors are OpenAI-style 400s.
pub fn prepare_request<'a>(
    kind: ApiKind,
    body: &'a [u8],
    force_include_usage: bool,
    limits: &RequestLimits,
) -> Result<Prepared<'a>, OpenAiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(OpenAiError::bad_request(
            "The request body is empty; expected a JSON object.",
            None,
        ));
    }
    let view = parse_request_within(kind, body, limits)?;
    let edit = if force_include_usage {
        include_usage_edit(kind, body, &view)?
    } else {
        None
    };
    Ok(Prepared {
        model: view.model,
        body: edit.map(|e| e.apply(body)),
        max_output_tokens: view.max_output_tokens,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: RequestLimits = RequestLimits {
        max_messages: 2,
        max_tools: 1,
    };
    const STREAM: &[u8] =
        br#"{"model":"m","messages":[{"role":"user","content":"x"}],"stream":true}"#;

    #[test]
    fn forces_usage_only_when_configured() {
        let p = prepare_request(ApiKind::ChatCompletions, STREAM, false, &LIMITS).unwrap();
        assert_eq!(p.model, "m");
        assert_eq!(p.body, None);
        let p = prepare_request(ApiKind::ChatCompletions, STREAM, true, &LIMITS).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&p.body.unwrap()).unwrap();
        assert_eq!(v["stream_options"]["include_usage"], true);
    }

    #[test]
    fn too_many_messages_or_tools_is_a_400() {
        let messages = br#"{"model":"m","messages":[{"role":"user","content":"a"},{"role":"user","content":"b"},{"role":"user","content":"c"}]}"#;
        let e = prepare_request(ApiKind::ChatCompletions, messages, false, &LIMITS).unwrap_err();
        assert_eq!((e.status, e.param), (400, Some("messages")));
        let tools = br#"{"model":"m","messages":[{"role":"user","content":"a"}],"tools":[{"type":"function","function":{"name":"a"}},{"type":"function","function":{"name":"b"}}]}"#;
        let e = prepare_request(ApiKind::ChatCompletions, tools, false, &LIMITS).unwrap_err();
        assert_eq!((e.status, e.param), (400, Some("tools")));
        let two = br#"{"model":"m","messages":[{"role":"user","content":"a"},{"role":"user","content":"b"}]}"#;
        assert!(prepare_request(ApiKind::ChatCompletions, two, false, &LIMITS).is_ok());
    }

    #[test]
    fn empty_body_is_rejected() {
        let e = prepare_request(ApiKind::Embeddings, b" \n", false, &LIMITS).unwrap_err();
        assert_eq!(e.status, 400);
        assert_eq!(
            e.message,
            "The request body is empty; expected a JSON object."
        );
    }
}
