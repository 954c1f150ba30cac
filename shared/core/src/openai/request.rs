//! A validated, borrowing view of an OpenAI request body: the few members the gateway
//! needs, checked the way OpenAI checks them, found in one parse.

use super::error::OpenAiError;
use super::fields::{self, decode_str, is_empty_array, type_name};
use super::limits::{RequestLimits, check_array_len};
use crate::api_kind::ApiKind;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::borrow::Cow;

const NAMES: [&str; 9] = [
    "model",
    "messages",
    "prompt",
    "input",
    "stream",
    "stream_options",
    "max_tokens",
    "max_completion_tokens",
    "tools",
];

/// What the gateway reads from a client request body.
#[derive(Debug)]
pub struct RequestView<'a> {
    /// The requested model (non-empty, no control characters).
    pub model: Cow<'a, str>,
    /// Whether the client asked for a streamed response.
    pub stream: bool,
    /// The raw `stream_options` value (an object or null), when present.
    pub stream_options: Option<&'a RawValue>,
    /// Byte position of the body's closing `}`.
    pub object_end: usize,
    /// The output token cap the client asked for (`max_completion_tokens`, else
    /// `max_tokens`), when it is a non-negative integer; not validated further.
    pub max_output_tokens: Option<u64>,
}

/// Parses and validates a request body of API `kind` with the default [`RequestLimits`].
/// Errors are OpenAI-style 400s.
pub fn parse_request(kind: ApiKind, body: &[u8]) -> Result<RequestView<'_>, OpenAiError> {
    parse_request_within(kind, body, &RequestLimits::default())
}

/// Parses and validates a request body of API `kind`, refusing more `messages` or `tools`
/// than `limits` allow. Errors are OpenAI-style 400s.
pub fn parse_request_within<'a>(
    kind: ApiKind,
    body: &'a [u8],
    limits: &RequestLimits,
) -> Result<RequestView<'a>, OpenAiError> {
    check_utf8(body)?;
    let picked = fields::pick(body, &NAMES).map_err(|e| parse_error(body, &e))?;
    let [
        model,
        messages,
        prompt,
        input,
        stream,
        stream_options,
        max_tokens,
        max_completion_tokens,
        tools,
    ] = picked.values;

    let model_raw = model.ok_or_else(|| {
        OpenAiError::bad_request("you must provide a model parameter", Some("model"))
    })?;
    let model = model_value(model_raw)?;
    match kind {
        ApiKind::ChatCompletions => {
            check_messages(messages)?;
            check_array_len(messages, "messages", limits.max_messages)?;
            check_array_len(tools, "tools", limits.max_tools)?;
        }
        ApiKind::Completions => check_text_or_array(prompt, "prompt")?,
        ApiKind::Embeddings => check_text_or_array(input, "input")?,
    }
    let stream = match stream.map(RawValue::get) {
        None | Some("null") | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(invalid_type("stream", "a boolean", stream)),
    };
    if let Some(raw) = stream_options
        && !(raw.get().starts_with('{') || raw.get() == "null")
    {
        return Err(invalid_type("stream_options", "an object", Some(raw)));
    }
    Ok(RequestView {
        model,
        stream,
        stream_options,
        object_end: body
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .unwrap_or(0),
        max_output_tokens: max_completion_tokens
            .or(max_tokens)
            .and_then(|raw| raw.get().parse().ok()),
    })
}

/// The body as a JSON object, for the translations that read it whole; a body that is not
/// one is a 400.
pub(crate) fn json_object(body: &[u8]) -> Result<Map<String, Value>, OpenAiError> {
    serde_json::from_slice(body).map_err(|e| {
        OpenAiError::bad_request(format!("The request body is not a JSON object: {e}"), None)
    })
}

/// The 400 for a body that is not a JSON object, with serde's line and column.
pub(crate) fn parse_error(body: &[u8], err: &serde_json::Error) -> OpenAiError {
    if err.is_data() {
        let got = match body.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'[') => "an array",
            Some(b'"') => "a string",
            Some(b't' | b'f') => "a boolean",
            Some(b'n') => "null",
            _ => "a number",
        };
        return OpenAiError::bad_request(
            format!("The request body must be a JSON object, but got {got} instead."),
            None,
        );
    }
    OpenAiError::bad_request(
        format!("We could not parse the JSON body of your request: {err}."),
        None,
    )
}

/// The 400 for a body that is not UTF-8. (serde_json skips the strings of members it does
/// not build without checking them, so this is checked first: a body the gateway accepts
/// is valid JSON for the provider too.)
pub(crate) fn check_utf8(body: &[u8]) -> Result<(), OpenAiError> {
    std::str::from_utf8(body).map(drop).map_err(|e| {
        OpenAiError::bad_request(
            format!(
                "We could not parse the JSON body of your request: invalid UTF-8 at byte {}.",
                e.valid_up_to()
            ),
            None,
        )
    })
}

pub(crate) fn model_value(raw: &RawValue) -> Result<Cow<'_, str>, OpenAiError> {
    if !raw.get().starts_with('"') {
        return Err(invalid_type("model", "a string", Some(raw)));
    }
    let model = decode_str(raw)
        .map_err(|e| OpenAiError::bad_request(format!("Invalid 'model': {e}."), Some("model")))?;
    if model.is_empty() {
        return Err(OpenAiError::bad_request(
            "Invalid 'model': empty string. Expected a string with minimum length 1, but got an empty string instead.",
            Some("model"),
        ));
    }
    if model.chars().any(char::is_control) {
        return Err(OpenAiError::bad_request(
            "Invalid 'model': must not contain control characters.",
            Some("model"),
        ));
    }
    Ok(model)
}

fn check_messages(messages: Option<&RawValue>) -> Result<(), OpenAiError> {
    let raw = messages.ok_or_else(|| missing("messages"))?;
    if !raw.get().starts_with('[') {
        return Err(invalid_type("messages", "an array of objects", Some(raw)));
    }
    if is_empty_array(raw) {
        return Err(OpenAiError::bad_request(
            "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
            Some("messages"),
        ));
    }
    Ok(())
}

fn check_text_or_array(value: Option<&RawValue>, name: &'static str) -> Result<(), OpenAiError> {
    let raw = value.ok_or_else(|| missing(name))?;
    if raw.get().starts_with(['"', '[']) {
        Ok(())
    } else {
        Err(invalid_type(name, "a string or an array", Some(raw)))
    }
}

fn missing(name: &'static str) -> OpenAiError {
    OpenAiError::bad_request(format!("Missing required parameter: '{name}'."), Some(name))
}

fn invalid_type(name: &'static str, expected: &str, got: Option<&RawValue>) -> OpenAiError {
    let got = got.map_or("nothing", type_name);
    OpenAiError::bad_request(
        format!("Invalid type for '{name}': expected {expected}, but got {got} instead."),
        Some(name),
    )
}

#[cfg(test)]
#[path = "request_tests.rs"]
mod tests;
