//! An OpenAI chat completions request to a Cohere v2 `/v2/chat` request.

use super::CHAT_PATH;
use super::messages::messages;
use super::tools::tools;
use crate::openai::error::OpenAiError;
use crate::openai::request::json_object;
use serde_json::{Map, Value};

/// A translated chat request and what the response translation needs to know about it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    /// The upstream `:path` (before the backend's prefix).
    pub path: &'static str,
    /// The Cohere request body.
    pub body: Vec<u8>,
    /// The client asked for a stream.
    pub stream: bool,
    /// The client asked for a usage chunk at the end of the stream.
    pub include_usage: bool,
    /// The model sent to Cohere (reported as the response `model`: Cohere names none).
    pub model: String,
}

/// OpenAI generation parameters copied as numbers: (OpenAI name, Cohere name, the range
/// Cohere accepts). A value outside the range is clamped into it: OpenAI allows `top_p` up
/// to 1 and penalties from -2 to 2, Cohere `p` from 0.01 to 0.99 and penalties from 0 to 1.
/// `max_completion_tokens` comes after `max_tokens`, so it wins when both are set.
const NUMBERS: [(&str, &str, Option<Range>); 7] = [
    ("temperature", "temperature", None),
    ("top_p", "p", Some((0.01, 0.99))),
    ("max_tokens", "max_tokens", None),
    ("max_completion_tokens", "max_tokens", None),
    ("seed", "seed", None),
    ("frequency_penalty", "frequency_penalty", Some((0.0, 1.0))),
    ("presence_penalty", "presence_penalty", Some((0.0, 1.0))),
];

/// An inclusive range of accepted values: (lowest, highest).
type Range = (f64, f64);

/// `n` clamped into `range`, as a JSON number.
fn clamped(n: &serde_json::Number, range: Option<Range>) -> Value {
    match (n.as_f64(), range) {
        (Some(v), Some((low, high))) if !(low..=high).contains(&v) => {
            serde_json::json!(v.clamp(low, high))
        }
        _ => Value::Number(n.clone()),
    }
}

/// Translates an OpenAI chat request body; `model_override` replaces the body's model.
pub fn chat_request(body: &[u8], model_override: Option<&str>) -> Result<ChatRequest, OpenAiError> {
    let request = json_object(body)?;
    let null = Value::Null;
    let field = |name: &str| request.get(name).unwrap_or(&null);
    let model = match model_override {
        Some(model) => model,
        None => field("model")
            .as_str()
            .filter(|m| !m.is_empty())
            .ok_or_else(|| {
                OpenAiError::bad_request("you must provide a model parameter", Some("model"))
            })?,
    };
    let list = field("messages").as_array().ok_or_else(|| {
        OpenAiError::bad_request("'messages' must be a non-empty array.", Some("messages"))
    })?;
    if field("n").as_u64().is_some_and(|n| n != 1) {
        return Err(OpenAiError::bad_request(
            "The Cohere backend answers with one choice: 'n' must be 1.",
            Some("n"),
        ));
    }
    let stream = field("stream").as_bool().unwrap_or(false);
    let include_usage = field("stream_options")
        .get("include_usage")
        .and_then(Value::as_bool)
        .unwrap_or(false);

    let mut out = Map::new();
    out.insert("model".into(), model.into());
    out.insert("messages".into(), Value::Array(messages(list)?));
    let tools = tools(field("tools"), field("tool_choice"))?;
    if let Some(list) = tools.tools {
        out.insert("tools".into(), list);
    }
    if let Some(choice) = tools.choice {
        out.insert("tool_choice".into(), choice.into());
    }
    if tools.strict {
        out.insert("strict_tools".into(), true.into());
    }
    for (openai, cohere, range) in NUMBERS {
        match request.get(openai) {
            None | Some(Value::Null) => {}
            Some(Value::Number(n)) => {
                out.insert(cohere.into(), clamped(n, range));
            }
            Some(_) => {
                return Err(OpenAiError::bad_request(
                    format!("'{openai}' must be a number."),
                    Some(openai),
                ));
            }
        }
    }
    match field("stop") {
        Value::Null => {}
        Value::String(stop) => {
            out.insert(
                "stop_sequences".into(),
                Value::Array(vec![stop.clone().into()]),
            );
        }
        Value::Array(stops) if stops.iter().all(Value::is_string) => {
            out.insert("stop_sequences".into(), Value::Array(stops.clone()));
        }
        _ => {
            return Err(OpenAiError::bad_request(
                "'stop' must be a string or an array of strings.",
                Some("stop"),
            ));
        }
    }
    if let Some(format) = response_format(field("response_format"))? {
        out.insert("response_format".into(), format);
    }
    if stream {
        out.insert("stream".into(), true.into());
    }
    let body = serde_json::to_vec(&Value::Object(out)).map_err(|e| {
        OpenAiError::bad_request(format!("The request cannot be encoded: {e}"), None)
    })?;
    Ok(ChatRequest {
        path: CHAT_PATH,
        body,
        stream,
        include_usage,
        model: model.to_string(),
    })
}

/// `json_object` -> `{"type":"json_object"}`; `json_schema` adds the schema as
/// `json_schema`; `text` sets nothing.
fn response_format(format: &Value) -> Result<Option<Value>, OpenAiError> {
    if format.is_null() {
        return Ok(None);
    }
    let bad = |message: &str| OpenAiError::bad_request(message, Some("response_format"));
    match format.get("type").and_then(Value::as_str) {
        Some("text") => Ok(None),
        Some("json_object") => Ok(Some(serde_json::json!({ "type": "json_object" }))),
        Some("json_schema") => {
            let schema = format
                .get("json_schema")
                .and_then(|s| s.get("schema"))
                .filter(|s| s.is_object())
                .ok_or_else(|| bad("response_format.json_schema.schema must be an object."))?;
            Ok(Some(
                serde_json::json!({ "type": "json_object", "json_schema": schema }),
            ))
        }
        _ => Err(bad(
            "response_format.type must be text, json_object or json_schema.",
        )),
    }
}
