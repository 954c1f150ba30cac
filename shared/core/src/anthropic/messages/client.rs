//! The router role's check of a client's Messages (or count_tokens) request: the few
//! members the gateway needs, read in one pass without building the rest.

use super::Endpoint;
use super::error::AnthropicError;
use crate::openai::fields::{self, is_empty_array, type_name};
use crate::openai::request::{model_value, parse_error};
use serde_json::value::RawValue;
use std::borrow::Cow;

/// What the router reads from a Messages request.
#[derive(Debug, PartialEq, Eq)]
pub struct ClientRequest<'a> {
    /// The requested model.
    pub model: Cow<'a, str>,
    /// Whether the client asked for a stream.
    pub stream: bool,
}

/// Checks a request body of `endpoint` as Anthropic does for these members (`model`,
/// `messages`, `max_tokens` for messages, `stream`). Errors are Anthropic 400s.
pub fn check_request(endpoint: Endpoint, body: &[u8]) -> Result<ClientRequest<'_>, AnthropicError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(AnthropicError::bad_request(
            "The request body is empty; expected a JSON object.",
        ));
    }
    let picked = fields::pick(body, &["model", "max_tokens", "messages", "stream"])
        .map_err(|e| AnthropicError::from(parse_error(body, &e)))?;
    let [model, max_tokens, messages, stream] = picked.values;
    let model = model_value(model.ok_or_else(|| missing("model"))?)?;
    let messages = messages.ok_or_else(|| missing("messages"))?;
    if !messages.get().starts_with('[') {
        return Err(invalid("messages", "an array of messages", messages));
    }
    if is_empty_array(messages) {
        return Err(AnthropicError::bad_request(
            "messages: at least one message is required",
        ));
    }
    if endpoint == Endpoint::Messages {
        let raw = max_tokens.ok_or_else(|| missing("max_tokens"))?;
        match raw.get().parse::<u64>() {
            Ok(n) if n >= 1 => {}
            Ok(_) => {
                return Err(AnthropicError::bad_request(
                    "max_tokens: must be greater than or equal to 1",
                ));
            }
            Err(_) => return Err(invalid("max_tokens", "an integer", raw)),
        }
    }
    let stream = match stream {
        None => false,
        Some(raw) => match raw.get() {
            "null" | "false" => false,
            "true" => true,
            _ => return Err(invalid("stream", "a boolean", raw)),
        },
    };
    Ok(ClientRequest { model, stream })
}

fn missing(name: &str) -> AnthropicError {
    AnthropicError::bad_request(format!("{name}: Field required"))
}

fn invalid(name: &str, expected: &str, got: &RawValue) -> AnthropicError {
    AnthropicError::bad_request(format!(
        "{name}: expected {expected}, got {}",
        type_name(got)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(body: &str) -> Result<ClientRequest<'_>, AnthropicError> {
        check_request(Endpoint::Messages, body.as_bytes())
    }

    #[test]
    fn reads_model_and_stream() {
        let r = check(r#"{"model":"claude","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"stream":true}"#).unwrap();
        assert_eq!((r.model.as_ref(), r.stream), ("claude", true));
        let r = check_request(
            Endpoint::CountTokens,
            br#"{"model":"c","messages":[{"role":"user","content":"hi"}]}"#,
        )
        .unwrap();
        assert!(!r.stream);
    }

    #[test]
    fn refuses_bad_bodies_with_anthropic_400s() {
        let cases = [
            ("", "The request body is empty; expected a JSON object."),
            (
                "{",
                "We could not parse the JSON body of your request: EOF while parsing an object at line 1 column 1.",
            ),
            (
                "[]",
                "The request body must be a JSON object, but got an array instead.",
            ),
            (
                r#"{"max_tokens":1,"messages":[{}]}"#,
                "model: Field required",
            ),
            (
                r#"{"model":"m","messages":[{}]}"#,
                "max_tokens: Field required",
            ),
            (
                r#"{"model":"m","max_tokens":0,"messages":[{}]}"#,
                "max_tokens: must be greater than or equal to 1",
            ),
            (
                r#"{"model":"m","max_tokens":"5","messages":[{}]}"#,
                "max_tokens: expected an integer, got a string",
            ),
            (
                r#"{"model":"m","max_tokens":5,"messages":[]}"#,
                "messages: at least one message is required",
            ),
            (
                r#"{"model":"m","max_tokens":5,"messages":{}}"#,
                "messages: expected an array of messages, got an object",
            ),
            (
                r#"{"model":"m","max_tokens":5,"messages":[{}],"stream":1}"#,
                "stream: expected a boolean, got an integer",
            ),
            (
                r#"{"model":"","max_tokens":5,"messages":[{}]}"#,
                "Invalid 'model': empty string. Expected a string with minimum length 1, but got an empty string instead.",
            ),
        ];
        for (body, message) in cases {
            let e = check(body).unwrap_err();
            assert_eq!((e.status, e.message.as_str()), (400, message), "{body}");
        }
    }
}
