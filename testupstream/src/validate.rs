//! Strict validation of request bodies, producing what the response needs.

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::route::{Api, Flavor, Target};

/// Tokens counted for each chat message on top of its words (role and framing).
pub const PER_MESSAGE_TOKENS: u64 = 3;

/// Roles a chat message may have.
const ROLES: [&str; 5] = ["system", "developer", "user", "assistant", "tool"];

/// A validated request: everything the response is derived from.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// Model to report: the request's `model`, or the Azure deployment.
    pub model: String,
    /// `stream: true`.
    pub stream: bool,
    /// `stream_options.include_usage: true`.
    pub include_usage: bool,
    /// Prompt token count (words, plus per-message overhead for chat).
    pub prompt_tokens: u64,
    /// Chat: the tool the answer calls (see `tools`).
    pub tool_call: Option<String>,
    /// API-specific input.
    pub input: Input,
}

/// The part of a request each API answers from.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Chat: the text of the last user message.
    Chat {
        /// Text of the last `user` message (empty when there is none).
        last_user: String,
    },
    /// Completions: the prompt as text.
    Completion {
        /// The first prompt, as text.
        prompt: String,
    },
    /// Embeddings: one text per input item.
    Embeddings {
        /// Each input item rendered as text (token arrays joined with spaces).
        items: Vec<String>,
        /// `encoding_format: "base64"`.
        base64: bool,
    },
}

/// Parses and validates `body` for `target`.
pub fn parse(target: &Target, body: &[u8]) -> Result<Parsed, ApiError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_json(format!(
            "We could not parse the JSON body of your request: {e}"
        ))
    })?;
    let Value::Object(obj) = value else {
        return Err(ApiError::bad_json("The request body must be a JSON object"));
    };
    let model = model(&obj, &target.flavor)?;
    let stream = optional_bool(&obj, "stream")?;
    if stream && target.api == Api::Embeddings {
        return Err(ApiError::invalid(
            "stream",
            "stream is not supported for embeddings",
        ));
    }
    let include_usage = stream_options(&obj, stream)?;
    let (prompt_tokens, input) = match target.api {
        Api::Chat => chat(&obj)?,
        Api::Completions => {
            let (items, tokens) = text_or_tokens(&obj, "prompt")?;
            let prompt = items.into_iter().next().unwrap_or_default();
            (tokens, Input::Completion { prompt })
        }
        Api::Embeddings => embeddings(&obj)?,
    };
    let tool_call = match &input {
        Input::Chat { last_user } => crate::tools::check(&obj, last_user)?,
        _ => None,
    };
    Ok(Parsed {
        model,
        stream,
        include_usage,
        prompt_tokens,
        tool_call,
        input,
    })
}

fn model(obj: &Map<String, Value>, flavor: &Flavor) -> Result<String, ApiError> {
    match (obj.get("model"), flavor) {
        (Some(Value::String(m)), Flavor::OpenAi) if !m.is_empty() => Ok(m.clone()),
        (Some(Value::String(_)), Flavor::Azure { deployment }) => Ok(deployment.clone()),
        (None, Flavor::Azure { deployment }) => Ok(deployment.clone()),
        (None, Flavor::OpenAi) => Err(ApiError::invalid(
            "model",
            "you must provide a model parameter",
        )),
        _ => Err(ApiError::invalid(
            "model",
            "model must be a non-empty string",
        )),
    }
}

fn optional_bool(obj: &Map<String, Value>, field: &str) -> Result<bool, ApiError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(ApiError::invalid(
            field,
            format!("{field} must be a boolean"),
        )),
    }
}

/// Returns `include_usage`; `stream_options` is only allowed with `stream: true`.
fn stream_options(obj: &Map<String, Value>, stream: bool) -> Result<bool, ApiError> {
    const FIELD: &str = "stream_options";
    match obj.get(FIELD) {
        None | Some(Value::Null) => Ok(false),
        Some(_) if !stream => Err(ApiError::invalid(
            FIELD,
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
        )),
        Some(Value::Object(opts)) => match opts.get("include_usage") {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(ApiError::invalid(
                "stream_options.include_usage",
                "stream_options.include_usage must be a boolean",
            )),
        },
        Some(_) => Err(ApiError::invalid(FIELD, "stream_options must be an object")),
    }
}

fn chat(obj: &Map<String, Value>) -> Result<(u64, Input), ApiError> {
    let messages = match obj.get("messages") {
        Some(Value::Array(m)) if !m.is_empty() => m,
        Some(Value::Array(_)) => {
            return Err(ApiError::invalid("messages", "messages must not be empty"));
        }
        None => {
            return Err(ApiError::invalid(
                "messages",
                "Missing required parameter: 'messages'.",
            ));
        }
        Some(_) => return Err(ApiError::invalid("messages", "messages must be an array")),
    };
    reasoning(obj)?;
    let mut tokens = 0;
    let mut last_user = String::new();
    for (i, message) in messages.iter().enumerate() {
        let text = message_text(i, message)?;
        tokens += PER_MESSAGE_TOKENS + word_count(&text);
        if message.get("role").and_then(Value::as_str) == Some("user") {
            last_user = text;
        }
    }
    Ok((tokens, Input::Chat { last_user }))
}

/// `reasoning_effort` is one of OpenAI's levels, and (as on OpenAI's reasoning models) comes
/// with `max_completion_tokens`, never `max_tokens`.
fn reasoning(obj: &Map<String, Value>) -> Result<(), ApiError> {
    const EFFORTS: [&str; 6] = ["none", "minimal", "low", "medium", "high", "xhigh"];
    let Some(effort) = obj.get("reasoning_effort").filter(|e| !e.is_null()) else {
        return Ok(());
    };
    if !effort.as_str().is_some_and(|e| EFFORTS.contains(&e)) {
        return Err(ApiError::invalid(
            "reasoning_effort",
            format!(
                "Invalid value for 'reasoning_effort': expected one of {}.",
                EFFORTS.join(", ")
            ),
        ));
    }
    if obj.contains_key("max_tokens") {
        return Err(ApiError::invalid(
            "max_tokens",
            "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
        ));
    }
    Ok(())
}

/// Validates one chat message and returns its text content.
fn message_text(i: usize, message: &Value) -> Result<String, ApiError> {
    let param = |f: &str| format!("messages[{i}].{f}");
    let invalid = |f: &str, msg: &str| ApiError::invalid(&param(f), format!("{}: {msg}", param(f)));
    let Value::Object(m) = message else {
        return Err(ApiError::invalid(
            &format!("messages[{i}]"),
            format!("messages[{i}] must be an object"),
        ));
    };
    let role = match m.get("role") {
        Some(Value::String(r)) if ROLES.contains(&r.as_str()) => r.as_str(),
        Some(Value::String(r)) => {
            return Err(invalid(
                "role",
                &format!("invalid role {r:?}; expected one of {}", ROLES.join(", ")),
            ));
        }
        _ => return Err(invalid("role", "missing or not a string")),
    };
    if role == "tool" && !matches!(m.get("tool_call_id"), Some(Value::String(_))) {
        return Err(invalid("tool_call_id", "required for role \"tool\""));
    }
    match m.get("content") {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Array(parts)) if !parts.is_empty() => parts_text(&param("content"), parts),
        Some(Value::Array(_)) => Err(invalid("content", "must not be an empty array")),
        None | Some(Value::Null)
            if role == "assistant"
                && (m.contains_key("tool_calls") || m.contains_key("function_call")) =>
        {
            Ok(String::new())
        }
        None | Some(Value::Null) => Err(invalid("content", "required")),
        Some(_) => Err(invalid("content", "must be a string or an array of parts")),
    }
}

/// Joins the text of content parts; every part needs a `type`, text parts a `text` string.
fn parts_text(param: &str, parts: &[Value]) -> Result<String, ApiError> {
    let mut text = String::new();
    for (j, part) in parts.iter().enumerate() {
        let p = format!("{param}[{j}]");
        match part.get("type").and_then(Value::as_str) {
            Some("text") => {
                let t = part
                    .get("text")
                    .and_then(Value::as_str)
                    .ok_or_else(|| ApiError::invalid(&p, format!("{p}.text must be a string")))?;
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(t);
            }
            Some(_) => {}
            None => return Err(ApiError::invalid(&p, format!("{p}.type is required"))),
        }
    }
    Ok(text)
}

fn embeddings(obj: &Map<String, Value>) -> Result<(u64, Input), ApiError> {
    let (items, tokens) = text_or_tokens(obj, "input")?;
    let base64 = match obj.get("encoding_format") {
        None | Some(Value::Null) => false,
        Some(Value::String(f)) if f == "float" => false,
        Some(Value::String(f)) if f == "base64" => true,
        Some(_) => {
            return Err(ApiError::invalid(
                "encoding_format",
                "encoding_format must be \"float\" or \"base64\"",
            ));
        }
    };
    Ok((tokens, Input::Embeddings { items, base64 }))
}

/// Reads a `prompt`/`input` field: a string, an array of strings, an array of token ids, or
/// an array of token-id arrays. Returns one text per item and the token count.
fn text_or_tokens(obj: &Map<String, Value>, field: &str) -> Result<(Vec<String>, u64), ApiError> {
    let invalid = || {
        ApiError::invalid(
            field,
            format!(
                "{field} must be a non-empty string, array of strings, array of integers, or array of integer arrays"
            ),
        )
    };
    match obj.get(field) {
        None => Err(ApiError::invalid(
            field,
            format!("Missing required parameter: '{field}'."),
        )),
        Some(Value::String(s)) if !s.is_empty() => Ok((vec![s.clone()], word_count(s))),
        Some(Value::Array(items)) if !items.is_empty() => {
            if let Some(ids) = token_ids(items) {
                return Ok((vec![ids], items.len() as u64));
            }
            let mut texts = Vec::with_capacity(items.len());
            let mut tokens = 0;
            for item in items {
                match item {
                    Value::String(s) if !s.is_empty() => {
                        tokens += word_count(s);
                        texts.push(s.clone());
                    }
                    Value::Array(inner) if !inner.is_empty() => {
                        texts.push(token_ids(inner).ok_or_else(invalid)?);
                        tokens += inner.len() as u64;
                    }
                    _ => return Err(invalid()),
                }
            }
            Ok((texts, tokens))
        }
        Some(_) => Err(invalid()),
    }
}

/// Renders an array of non-negative integers as space-separated text; `None` otherwise.
fn token_ids(items: &[Value]) -> Option<String> {
    let mut out = String::new();
    for item in items {
        let id = item.as_u64()?;
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&id.to_string());
    }
    Some(out)
}

/// Number of whitespace-separated words.
pub fn word_count(s: &str) -> u64 {
    s.split_whitespace().count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn openai(api: Api) -> Target {
        Target {
            api,
            flavor: Flavor::OpenAi,
        }
    }

    fn err(api: Api, body: &str) -> ApiError {
        parse(&openai(api), body.as_bytes()).unwrap_err()
    }

    #[test]
    fn chat_counts_words_and_overhead() {
        let p = parse(
            &openai(Api::Chat),
            br#"{"model":"m","messages":[{"role":"system","content":"be brief"},
                {"role":"user","content":[{"type":"text","text":"hello there"},{"type":"image_url","image_url":{"url":"x"}}]}]}"#,
        )
        .unwrap();
        assert_eq!(p.prompt_tokens, 2 * PER_MESSAGE_TOKENS + 4);
        assert_eq!(
            p.input,
            Input::Chat {
                last_user: "hello there".into()
            }
        );
        assert!(!p.stream);
    }

    #[test]
    fn azure_model_is_deployment() {
        let t = Target {
            api: Api::Chat,
            flavor: Flavor::Azure {
                deployment: "dep".into(),
            },
        };
        let p = parse(&t, br#"{"messages":[{"role":"user","content":"hi"}]}"#).unwrap();
        assert_eq!(p.model, "dep");
    }

    #[test]
    fn rejects_bad_chat_bodies() {
        let cases = [
            ("[]", None),
            ("not json", None),
            (
                r#"{"messages":[{"role":"user","content":"x"}]}"#,
                Some("model"),
            ),
            (
                r#"{"model":"","messages":[{"role":"user","content":"x"}]}"#,
                Some("model"),
            ),
            (r#"{"model":"m"}"#, Some("messages")),
            (r#"{"model":"m","messages":[]}"#, Some("messages")),
            (r#"{"model":"m","messages":["x"]}"#, Some("messages[0]")),
            (
                r#"{"model":"m","messages":[{"role":"bot","content":"x"}]}"#,
                Some("messages[0].role"),
            ),
            (
                r#"{"model":"m","messages":[{"role":"user"}]}"#,
                Some("messages[0].content"),
            ),
            (
                r#"{"model":"m","messages":[{"role":"tool","content":"x"}]}"#,
                Some("messages[0].tool_call_id"),
            ),
            (
                r#"{"model":"m","messages":[{"role":"user","content":"x"}],"stream":"yes"}"#,
                Some("stream"),
            ),
            (
                r#"{"model":"m","messages":[{"role":"user","content":"x"}],"reasoning_effort":"extreme"}"#,
                Some("reasoning_effort"),
            ),
            (
                r#"{"model":"m","messages":[{"role":"user","content":"x"}],"reasoning_effort":"low","max_tokens":9}"#,
                Some("max_tokens"),
            ),
            (
                r#"{"model":"m","messages":[{"role":"user","content":"x"}],"stream_options":{"include_usage":true}}"#,
                Some("stream_options"),
            ),
        ];
        for (body, param) in cases {
            let e = err(Api::Chat, body);
            assert_eq!(e.status, 400, "{body}");
            assert_eq!(e.param.as_deref(), param, "{body}");
        }
    }

    #[test]
    fn assistant_tool_calls_may_omit_content() {
        let body = br#"{"model":"m","messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},
            {"role":"tool","tool_call_id":"c1","content":"42"}],"stream":true,"stream_options":{"include_usage":true}}"#;
        let p = parse(&openai(Api::Chat), body).unwrap();
        assert!(p.stream && p.include_usage);
    }

    #[test]
    fn completions_prompt_shapes() {
        let p = parse(
            &openai(Api::Completions),
            br#"{"model":"m","prompt":"one two three"}"#,
        )
        .unwrap();
        assert_eq!(p.prompt_tokens, 3);
        let p = parse(
            &openai(Api::Completions),
            br#"{"model":"m","prompt":[1,2,3,4]}"#,
        )
        .unwrap();
        assert_eq!(p.prompt_tokens, 4);
        assert_eq!(
            err(Api::Completions, r#"{"model":"m"}"#).param.as_deref(),
            Some("prompt")
        );
        assert_eq!(
            err(Api::Completions, r#"{"model":"m","prompt":""}"#)
                .param
                .as_deref(),
            Some("prompt")
        );
    }

    #[test]
    fn embeddings_inputs() {
        let p = parse(
            &openai(Api::Embeddings),
            br#"{"model":"m","input":["a b",[5,6]],"encoding_format":"base64"}"#,
        )
        .unwrap();
        assert_eq!(p.prompt_tokens, 4);
        assert_eq!(
            p.input,
            Input::Embeddings {
                items: vec!["a b".into(), "5 6".into()],
                base64: true
            }
        );
        let e = err(Api::Embeddings, r#"{"model":"m","input":[true]}"#);
        assert_eq!(e.param.as_deref(), Some("input"));
        let e = err(
            Api::Embeddings,
            r#"{"model":"m","input":"x","encoding_format":"hex"}"#,
        );
        assert_eq!(e.param.as_deref(), Some("encoding_format"));
    }
}
