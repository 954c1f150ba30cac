//! Strict checks of Cohere v2 request bodies, as the real API rejects them: unknown fields,
//! a missing model, empty or malformed messages, unknown roles, tool results that answer no
//! tool call, OpenAI-style values (`tool_choice: "auto"`, `top_p`) and parameters out of
//! Cohere's ranges.

use serde_json::{Map, Value};
use std::collections::HashSet;

use super::INPUT_TYPES;
use super::error::CohereError;
use crate::validate::word_count;

/// A declared tool: its name and its required parameters with their JSON Schema types.
pub type Tool = (String, Vec<(String, String)>);

/// What the answer depends on in a `/v2/chat` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chat {
    /// Answer as an SSE stream.
    pub stream: bool,
    /// Text of the last `user` message.
    pub last_user: String,
    /// The contents of the tool messages that end the conversation.
    pub tool_results: Vec<String>,
    /// The first declared tool.
    pub first_tool: Option<Tool>,
    /// Tool calling is not switched off (`tool_choice` other than `NONE`).
    pub calling_allowed: bool,
    /// Words in all message text plus 3 per message (`usage.tokens.input_tokens`).
    pub prompt_tokens: u64,
    /// Words in all message text (`usage.billed_units.input_tokens`).
    pub billed_tokens: u64,
}

const CHAT_FIELDS: [&str; 21] = [
    "model",
    "messages",
    "tools",
    "strict_tools",
    "documents",
    "citation_options",
    "response_format",
    "safety_mode",
    "max_tokens",
    "stop_sequences",
    "temperature",
    "seed",
    "frequency_penalty",
    "presence_penalty",
    "k",
    "p",
    "logprobs",
    "tool_choice",
    "thinking",
    "priority",
    "stream",
];

/// Numeric parameters and their allowed ranges.
const RANGES: [(&str, f64, f64); 7] = [
    ("temperature", 0.0, f64::MAX),
    ("p", 0.01, 0.99),
    ("k", 0.0, 500.0),
    ("frequency_penalty", 0.0, 1.0),
    ("presence_penalty", 0.0, 1.0),
    ("max_tokens", 1.0, f64::MAX),
    ("seed", 0.0, f64::MAX),
];

fn check_known(obj: &Map<String, Value>, known: &[&str], at: &str) -> Result<(), CohereError> {
    match obj.keys().find(|k| !known.contains(&k.as_str())) {
        Some(name) => Err(CohereError::invalid(format!("unknown field: {at}{name}"))),
        None => Ok(()),
    }
}

fn object<'v>(value: &'v Value, at: &str) -> Result<&'v Map<String, Value>, CohereError> {
    value
        .as_object()
        .ok_or_else(|| CohereError::invalid(format!("{at} must be an object")))
}

/// Parses a request body as a JSON object with a non-empty string `model`.
fn body_object(body: &[u8]) -> Result<Map<String, Value>, CohereError> {
    let obj = match serde_json::from_slice(body) {
        Ok(Value::Object(obj)) => obj,
        _ => return Err(CohereError::invalid("the body must be a JSON object")),
    };
    match obj.get("model") {
        Some(Value::String(m)) if !m.is_empty() => Ok(obj),
        _ => Err(CohereError::invalid("model is required")),
    }
}

/// Checks a `/v2/chat` body.
pub fn chat(body: &[u8]) -> Result<Chat, CohereError> {
    let obj = body_object(body)?;
    check_known(&obj, &CHAT_FIELDS, "")?;
    let messages = match obj.get("messages") {
        Some(Value::Array(m)) if !m.is_empty() => m,
        _ => return Err(CohereError::invalid("messages must be a non-empty array")),
    };
    let mut chat = Chat {
        stream: match obj.get("stream") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(CohereError::invalid("stream must be a boolean")),
        },
        last_user: String::new(),
        tool_results: Vec::new(),
        first_tool: tools(obj.get("tools"))?,
        calling_allowed: true,
        prompt_tokens: 0,
        billed_tokens: 0,
    };
    let mut call_ids: HashSet<&str> = HashSet::new();
    for (i, message) in messages.iter().enumerate() {
        let at = format!("messages[{i}]");
        let message = object(message, &at)?;
        let role = message.get("role").and_then(Value::as_str).unwrap_or("");
        let content = message.get("content");
        let text = match role {
            "system" => {
                check_known(message, &["role", "content"], &format!("{at}."))?;
                content_text(content, &at, &["text"])?
            }
            "user" => {
                check_known(message, &["role", "content"], &format!("{at}."))?;
                content_text(content, &at, &["text", "image_url"])?
            }
            "assistant" => {
                check_known(
                    message,
                    &["role", "content", "tool_calls", "tool_plan", "citations"],
                    &format!("{at}."),
                )?;
                let calls = tool_calls(message.get("tool_calls"), &at)?;
                if calls.is_empty() && content.is_none() {
                    return Err(CohereError::invalid(format!(
                        "{at}: an assistant message needs content or tool_calls"
                    )));
                }
                call_ids.extend(calls);
                match content {
                    Some(content) => content_text(Some(content), &at, &["text"])?,
                    None => String::new(),
                }
            }
            "tool" => {
                check_known(
                    message,
                    &["role", "content", "tool_call_id"],
                    &format!("{at}."),
                )?;
                let id = message
                    .get("tool_call_id")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                if !call_ids.contains(id) {
                    return Err(CohereError::invalid(format!(
                        "{at}.tool_call_id {id:?} does not match any tool call of an earlier assistant message"
                    )));
                }
                content_text(content, &at, &["text", "document"])?
            }
            other => {
                return Err(CohereError::invalid(format!(
                    "{at}.role {other:?} must be one of system, user, assistant, tool"
                )));
            }
        };
        let words = word_count(&text);
        chat.billed_tokens += words;
        chat.prompt_tokens += words + 3;
        if role == "tool" {
            chat.tool_results.push(text);
        } else {
            chat.tool_results.clear();
            if role == "user" {
                chat.last_user = text;
            }
        }
    }
    match obj.get("tool_choice") {
        None => {}
        Some(Value::String(c)) if c == "REQUIRED" || c == "NONE" => {
            if chat.first_tool.is_none() {
                return Err(CohereError::invalid("tool_choice requires tools"));
            }
            chat.calling_allowed = c == "REQUIRED";
        }
        Some(other) => {
            return Err(CohereError::invalid(format!(
                "tool_choice must be REQUIRED or NONE, got {other}"
            )));
        }
    }
    response_format(obj.get("response_format"))?;
    for (name, low, high) in RANGES {
        match obj.get(name) {
            None => {}
            Some(Value::Number(n)) if n.as_f64().is_some_and(|v| (low..=high).contains(&v)) => {}
            Some(other) => {
                return Err(CohereError::invalid(format!(
                    "{name} must be a number between {low} and {high}, got {other}"
                )));
            }
        }
    }
    match obj.get("stop_sequences") {
        None => {}
        Some(Value::Array(s)) if s.len() <= 5 && s.iter().all(Value::is_string) => {}
        Some(_) => {
            return Err(CohereError::invalid(
                "stop_sequences must be an array of at most 5 strings",
            ));
        }
    }
    Ok(chat)
}

/// The text of a `content`: a string, or an array of items of the allowed `types`.
fn content_text(content: Option<&Value>, at: &str, types: &[&str]) -> Result<String, CohereError> {
    let bad = |m: &str| CohereError::invalid(format!("{at}.content {m}"));
    match content {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Array(items)) if !items.is_empty() => {
            let mut text = Vec::new();
            for item in items {
                let kind = item.get("type").and_then(Value::as_str).unwrap_or("");
                if !types.contains(&kind) {
                    return Err(bad(&format!(
                        "item type {kind:?} must be one of {}",
                        types.join(", ")
                    )));
                }
                let (field, inner) = match kind {
                    "text" => ("text", item.get("text").and_then(Value::as_str)),
                    "image_url" => (
                        "image_url.url",
                        item.get("image_url")
                            .and_then(|u| u.get("url"))
                            .and_then(Value::as_str),
                    ),
                    _ => (
                        "document.data",
                        item.get("document").and_then(|d| d.get("data")).map(|_| ""),
                    ),
                };
                let Some(inner) = inner else {
                    return Err(bad(&format!("item of type {kind} needs {field}")));
                };
                if kind == "text" {
                    text.push(inner);
                }
            }
            Ok(text.join(" "))
        }
        _ => Err(bad("must be a string or a non-empty array")),
    }
}

/// Checks assistant `tool_calls`; returns their ids.
fn tool_calls<'v>(calls: Option<&'v Value>, at: &str) -> Result<Vec<&'v str>, CohereError> {
    let Some(calls) = calls else {
        return Ok(Vec::new());
    };
    let bad = || {
        CohereError::invalid(format!(
            "{at}.tool_calls must be an array of {{id, type: function, function: {{name, arguments}}}} with arguments a JSON object string"
        ))
    };
    let calls = calls.as_array().ok_or_else(bad)?;
    calls
        .iter()
        .map(|call| {
            let id = call
                .get("id")
                .and_then(Value::as_str)
                .filter(|i| !i.is_empty());
            let function = call.get("function");
            let named = function
                .and_then(|f| f.get("name"))
                .and_then(Value::as_str)
                .is_some_and(|n| !n.is_empty());
            let arguments = function
                .and_then(|f| f.get("arguments"))
                .and_then(Value::as_str)
                .map(serde_json::from_str::<Value>);
            let typed = call.get("type").and_then(Value::as_str) == Some("function");
            match (id, named, arguments, typed) {
                (Some(id), true, Some(Ok(Value::Object(_))), true) => Ok(id),
                _ => Err(bad()),
            }
        })
        .collect()
}

/// Checks `tools`; returns the first one with its required parameters and their types.
fn tools(tools: Option<&Value>) -> Result<Option<Tool>, CohereError> {
    let Some(tools) = tools else {
        return Ok(None);
    };
    let tools = tools
        .as_array()
        .ok_or_else(|| CohereError::invalid("tools must be an array"))?;
    let mut first = None;
    for (i, tool) in tools.iter().enumerate() {
        let at = format!("tools[{i}]");
        let tool = object(tool, &at)?;
        check_known(tool, &["type", "function"], &format!("{at}."))?;
        if tool.get("type").and_then(Value::as_str) != Some("function") {
            return Err(CohereError::invalid(format!("{at}.type must be function")));
        }
        let function = object(
            tool.get("function").unwrap_or(&Value::Null),
            &format!("{at}.function"),
        )?;
        check_known(
            function,
            &["name", "description", "parameters"],
            &format!("{at}.function."),
        )?;
        let name = function.get("name").and_then(Value::as_str).unwrap_or("");
        let valid = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !valid {
            return Err(CohereError::invalid(format!(
                "{at}.function.name {name:?} must be letters, digits, '_' or '-'"
            )));
        }
        let parameters = function.get("parameters").and_then(Value::as_object);
        let Some(parameters) = parameters.filter(|p| p.get("type") == Some(&"object".into()))
        else {
            return Err(CohereError::invalid(format!(
                "{at}.function.parameters must be a JSON schema object of type object"
            )));
        };
        if first.is_none() {
            let properties = parameters.get("properties");
            let required = parameters
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(|p| {
                    let ty = properties
                        .and_then(|ps| ps.get(p))
                        .and_then(|s| s.get("type"))
                        .and_then(Value::as_str)
                        .unwrap_or("string");
                    (p.to_string(), ty.to_string())
                })
                .collect();
            first = Some((name.to_string(), required));
        }
    }
    Ok(first)
}

fn response_format(format: Option<&Value>) -> Result<(), CohereError> {
    let Some(format) = format else {
        return Ok(());
    };
    let format = object(format, "response_format")?;
    check_known(format, &["type", "json_schema"], "response_format.")?;
    match (
        format.get("type").and_then(Value::as_str),
        format.get("json_schema"),
    ) {
        (Some("text"), None) | (Some("json_object"), None) => Ok(()),
        (Some("json_object"), Some(Value::Object(_))) => Ok(()),
        _ => Err(CohereError::invalid(
            "response_format must be {type: text} or {type: json_object, json_schema?: object}",
        )),
    }
}

const EMBED_FIELDS: [&str; 9] = [
    "model",
    "texts",
    "images",
    "inputs",
    "input_type",
    "embedding_types",
    "output_dimension",
    "max_tokens",
    "truncate",
];

/// What the answer depends on in a `/v2/embed` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embed {
    /// The texts to embed.
    pub texts: Vec<String>,
    /// `output_dimension`, when given.
    pub dimension: Option<usize>,
}

/// Checks a `/v2/embed` body. This fake answers `float` embeddings only.
pub fn embed(body: &[u8]) -> Result<Embed, CohereError> {
    let obj = body_object(body)?;
    check_known(&obj, &EMBED_FIELDS, "")?;
    let texts: Vec<String> = match obj.get("texts") {
        Some(Value::Array(t))
            if !t.is_empty() && t.len() <= 96 && t.iter().all(Value::is_string) =>
        {
            t.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        }
        _ => {
            return Err(CohereError::invalid(
                "texts must be a non-empty array of at most 96 strings",
            ));
        }
    };
    match obj.get("input_type").and_then(Value::as_str) {
        Some(t) if INPUT_TYPES.contains(&t) => {}
        _ => {
            return Err(CohereError::invalid(format!(
                "input_type is required and must be one of {}",
                INPUT_TYPES.join(", ")
            )));
        }
    }
    match obj.get("embedding_types") {
        Some(Value::Array(t)) if t.as_slice() == [Value::from("float")] => {}
        _ => {
            return Err(CohereError::invalid(
                "embedding_types is required (this fake answers [\"float\"] only)",
            ));
        }
    }
    let dimension = match obj.get("output_dimension") {
        None => None,
        Some(Value::Number(n)) if matches!(n.as_u64(), Some(256 | 512 | 1024 | 1536)) => {
            n.as_u64().map(|d| d as usize)
        }
        Some(_) => {
            return Err(CohereError::invalid(
                "output_dimension must be one of 256, 512, 1024, 1536",
            ));
        }
    };
    Ok(Embed { texts, dimension })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chat_of(v: Value) -> Result<Chat, CohereError> {
        chat(v.to_string().as_bytes())
    }

    #[test]
    fn accepts_a_full_conversation() {
        let c = chat_of(json!({
            "model": "command-a", "stream": true, "p": 0.5, "stop_sequences": ["x"],
            "tools": [{"type": "function", "function": {"name": "get_weather",
                "parameters": {"type": "object", "properties": {"days": {"type": "integer"}},
                               "required": ["days"]}}}],
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": [{"type": "text", "text": "hi there"}]},
                {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function",
                    "function": {"name": "get_weather", "arguments": "{}"}}]},
                {"role": "tool", "tool_call_id": "c1", "content": "sunny"}]
        }))
        .unwrap();
        assert!(c.stream);
        assert_eq!(c.last_user, "hi there");
        assert_eq!(c.tool_results, ["sunny"]);
        assert_eq!(
            c.first_tool,
            Some((
                "get_weather".into(),
                vec![("days".into(), "integer".into())]
            ))
        );
        assert_eq!((c.billed_tokens, c.prompt_tokens), (5, 17));
    }

    #[test]
    fn rejects_what_cohere_rejects() {
        let user = json!({"role": "user", "content": "hi"});
        let bad = [
            json!({"messages": [user]}),
            json!({"model": "m"}),
            json!({"model": "m", "messages": []}),
            json!({"model": "m", "messages": [{"role": "robot", "content": "x"}]}),
            json!({"model": "m", "messages": [{"role": "developer", "content": "x"}]}),
            json!({"model": "m", "messages": [user, {"role": "tool", "tool_call_id": "x", "content": "r"}]}),
            json!({"model": "m", "messages": [{"role": "user"}]}),
            json!({"model": "m", "messages": [user], "top_p": 0.5}),
            json!({"model": "m", "messages": [user], "p": 1.0}),
            json!({"model": "m", "messages": [user], "presence_penalty": -1}),
            json!({"model": "m", "messages": [user], "tool_choice": "auto"}),
            json!({"model": "m", "messages": [user], "tool_choice": "REQUIRED"}),
            json!({"model": "m", "messages": [user], "stream_options": {}}),
            json!({"model": "m", "messages": [user], "response_format": {"type": "json_schema"}}),
            json!({"model": "m", "messages": [user], "tools": [{"type": "function",
                "function": {"name": "f", "strict": true, "parameters": {"type": "object"}}}]}),
        ];
        for body in bad {
            let e = chat_of(body.clone()).unwrap_err();
            assert_eq!(e.status, 400, "{body}");
            assert!(e.message.starts_with("invalid request: "), "{}", e.message);
        }
    }

    #[test]
    fn embed_checks() {
        let ok = json!({"model": "embed-v4.0", "texts": ["a"], "input_type": "search_document",
                        "embedding_types": ["float"], "output_dimension": 256});
        assert_eq!(
            embed(ok.to_string().as_bytes()).unwrap().dimension,
            Some(256)
        );
        for missing in ["model", "texts", "input_type", "embedding_types"] {
            let mut body = ok.clone();
            body.as_object_mut().unwrap().remove(missing);
            assert_eq!(
                embed(body.to_string().as_bytes()).unwrap_err().status,
                400,
                "{missing}"
            );
        }
    }
}
