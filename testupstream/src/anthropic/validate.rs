//! Strict validation of Anthropic Messages requests, as the real API checks them.

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::validate::word_count;

/// Top-level fields the Messages API accepts; anything else is refused.
const FIELDS: [&str; 14] = [
    "model",
    "messages",
    "max_tokens",
    "system",
    "stream",
    "temperature",
    "top_p",
    "top_k",
    "stop_sequences",
    "tools",
    "tool_choice",
    "metadata",
    "thinking",
    "service_tier",
];

const IMAGE_TYPES: [&str; 4] = ["image/jpeg", "image/png", "image/gif", "image/webp"];

/// A validated Messages request: what the answer is derived from.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// `model`, reported back.
    pub model: String,
    /// `stream: true`.
    pub stream: bool,
    /// Words in `system` and every message's text.
    pub input_tokens: u64,
    /// Text of the last user message (text blocks and tool results).
    pub last_user: String,
    /// The last user message carries tool results.
    pub answers_tools: bool,
    /// Names of the defined tools, in order.
    pub tools: Vec<String>,
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::invalid("body", message)
}

fn text_of(v: &Value, at: &str) -> Result<String, ApiError> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| invalid(format!("{at}: Input should be a valid string")))
}

/// Top-level fields the token counting endpoint accepts.
const COUNT_FIELDS: [&str; 6] = [
    "model",
    "messages",
    "system",
    "tools",
    "tool_choice",
    "thinking",
];

/// Parses and validates a Messages request body.
pub fn parse(body: &[u8]) -> Result<Request, ApiError> {
    parse_for(body, false)
}

/// Parses and validates a token counting (`/v1/messages/count_tokens`) request body.
pub fn parse_count(body: &[u8]) -> Result<Request, ApiError> {
    parse_for(body, true)
}

fn parse_for(body: &[u8], counting: bool) -> Result<Request, ApiError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| invalid(format!("Request body is not valid JSON: {e}")))?;
    let Value::Object(obj) = value else {
        return Err(invalid("Request body must be a JSON object"));
    };
    let allowed: &[&str] = if counting { &COUNT_FIELDS } else { &FIELDS };
    if let Some(extra) = obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(invalid(format!("{extra}: Extra inputs are not permitted")));
    }
    let model = match obj.get("model") {
        Some(Value::String(m)) if !m.is_empty() => m.clone(),
        _ => return Err(invalid("model: Field required")),
    };
    match obj.get("max_tokens").and_then(Value::as_u64) {
        _ if counting => {}
        Some(n) if n >= 1 => {}
        _ => return Err(invalid("max_tokens: Field required (an integer >= 1)")),
    }
    let stream = match obj.get("stream") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(invalid("stream: Input should be a valid boolean")),
    };
    check_number(&obj, "temperature", 0.0, 1.0)?;
    check_number(&obj, "top_p", 0.0, 1.0)?;
    if let Some(stops) = obj.get("stop_sequences") {
        let ok = stops
            .as_array()
            .is_some_and(|a| a.iter().all(Value::is_string));
        if !ok {
            return Err(invalid("stop_sequences: Input should be a list of strings"));
        }
    }
    let mut input_tokens = match obj.get("system") {
        None => 0,
        Some(Value::String(s)) => word_count(s),
        Some(Value::Array(blocks)) => {
            let mut words = 0;
            for (i, b) in blocks.iter().enumerate() {
                if b.get("type").and_then(Value::as_str) != Some("text") {
                    return Err(invalid(format!("system.{i}: only text blocks are allowed")));
                }
                words += word_count(&text_of(&b["text"], &format!("system.{i}.text"))?);
            }
            words
        }
        Some(_) => {
            return Err(invalid(
                "system: Input should be a string or a list of text blocks",
            ));
        }
    };
    let tools = tools(&obj)?;
    tool_choice(&obj, &tools)?;
    if !counting {
        thinking(&obj)?;
    }
    let messages = match obj.get("messages") {
        Some(Value::Array(m)) if !m.is_empty() => m,
        Some(Value::Array(_)) => return Err(invalid("messages: at least one message is required")),
        _ => return Err(invalid("messages: Field required")),
    };
    let mut pending_tool_uses: HashSet<String> = HashSet::new();
    let mut last_user = String::new();
    let mut answers_tools = false;
    for (i, m) in messages.iter().enumerate() {
        let at = format!("messages.{i}");
        let role = m.get("role").and_then(Value::as_str).unwrap_or("");
        let expected = if i % 2 == 0 { "user" } else { "assistant" };
        if role != expected {
            return Err(invalid(format!(
                "{at}.role: roles must alternate between \"user\" and \"assistant\", starting with \"user\" (got {role:?})"
            )));
        }
        let blocks = blocks(m.get("content"), &at)?;
        let mut text = String::new();
        let mut results: HashSet<String> = HashSet::new();
        for (j, block) in blocks.iter().enumerate() {
            let at = format!("{at}.content.{j}");
            let piece = block_text(block, role, &at, &mut results, &mut pending_tool_uses)?;
            if !piece.is_empty() {
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(&piece);
            }
        }
        if role == "user" {
            if let Some(missing) = pending_tool_uses.iter().find(|id| !results.contains(*id)) {
                return Err(invalid(format!(
                    "{at}: tool_use ids were found without tool_result blocks immediately after: {missing}"
                )));
            }
            pending_tool_uses.clear();
            answers_tools = !results.is_empty();
            last_user = text.clone();
        }
        input_tokens += word_count(&text);
    }
    Ok(Request {
        model,
        stream,
        input_tokens,
        last_user,
        answers_tools,
        tools,
    })
}

fn check_number(obj: &Map<String, Value>, field: &str, min: f64, max: f64) -> Result<(), ApiError> {
    match obj.get(field) {
        None => Ok(()),
        Some(v) => match v.as_f64() {
            Some(n) if (min..=max).contains(&n) => Ok(()),
            _ => Err(invalid(format!(
                "{field}: Input should be a number between {min} and {max}"
            ))),
        },
    }
}

fn blocks(content: Option<&Value>, at: &str) -> Result<Vec<Value>, ApiError> {
    match content {
        Some(Value::String(s)) if !s.is_empty() => {
            Ok(vec![serde_json::json!({"type": "text", "text": s})])
        }
        Some(Value::Array(a)) if !a.is_empty() => Ok(a.clone()),
        _ => Err(invalid(format!(
            "{at}.content: must be a non-empty string or a non-empty list of content blocks"
        ))),
    }
}

/// Checks one content block and returns its text.
fn block_text(
    block: &Value,
    role: &str,
    at: &str,
    results: &mut HashSet<String>,
    tool_uses: &mut HashSet<String>,
) -> Result<String, ApiError> {
    let kind = block.get("type").and_then(Value::as_str).unwrap_or("");
    match (kind, role) {
        ("text", _) => {
            let text = text_of(&block["text"], &format!("{at}.text"))?;
            if text.is_empty() {
                return Err(invalid(format!(
                    "{at}.text: text content blocks must be non-empty"
                )));
            }
            Ok(text)
        }
        ("image", "user") => {
            image(&block["source"], at)?;
            Ok(String::new())
        }
        ("tool_use", "assistant") => {
            let id = text_of(&block["id"], &format!("{at}.id"))?;
            text_of(&block["name"], &format!("{at}.name"))?;
            if !block["input"].is_object() {
                return Err(invalid(format!("{at}.input: Input should be an object")));
            }
            tool_uses.insert(id);
            Ok(String::new())
        }
        ("tool_result", "user") => {
            let id = text_of(&block["tool_use_id"], &format!("{at}.tool_use_id"))?;
            if !tool_uses.contains(&id) {
                return Err(invalid(format!(
                    "{at}: unexpected tool_use_id found in tool_result blocks: {id}. Each tool_result block must have a corresponding tool_use block in the previous message."
                )));
            }
            if results.len() != at_index(at) {
                return Err(invalid(format!(
                    "{at}: tool_result blocks must come first in the message"
                )));
            }
            results.insert(id);
            match block.get("content") {
                None => Ok(String::new()),
                Some(Value::String(s)) => Ok(s.clone()),
                Some(Value::Array(parts)) => {
                    let mut texts = Vec::new();
                    for (k, p) in parts.iter().enumerate() {
                        let at = format!("{at}.content.{k}");
                        match p.get("type").and_then(Value::as_str) {
                            Some("text") => texts.push(text_of(&p["text"], &format!("{at}.text"))?),
                            Some("image") => image(&p["source"], &at)?,
                            _ => {
                                return Err(invalid(format!(
                                    "{at}: tool_result content must be text or image blocks"
                                )));
                            }
                        }
                    }
                    Ok(texts.join(" "))
                }
                Some(_) => Err(invalid(format!(
                    "{at}.content: Input should be a string or a list"
                ))),
            }
        }
        ("thinking" | "redacted_thinking", "assistant") => Ok(String::new()),
        _ => Err(invalid(format!(
            "{at}.type: a {role} message cannot hold a {kind:?} block"
        ))),
    }
}

/// The block index at the end of a `messages.N.content.M` path.
fn at_index(at: &str) -> usize {
    at.rsplit('.')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn image(source: &Value, at: &str) -> Result<(), ApiError> {
    match source.get("type").and_then(Value::as_str) {
        Some("base64") => {
            let media = source
                .get("media_type")
                .and_then(Value::as_str)
                .unwrap_or("");
            if !IMAGE_TYPES.contains(&media) {
                return Err(invalid(format!(
                    "{at}.source.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'"
                )));
            }
            text_of(&source["data"], &format!("{at}.source.data")).map(|_| ())
        }
        Some("url") => {
            let url = text_of(&source["url"], &format!("{at}.source.url"))?;
            if url.starts_with("https://") || url.starts_with("http://") {
                Ok(())
            } else {
                Err(invalid(format!("{at}.source.url: must be an http(s) URL")))
            }
        }
        _ => Err(invalid(format!(
            "{at}.source.type: Input should be 'base64' or 'url'"
        ))),
    }
}

fn tools(obj: &Map<String, Value>) -> Result<Vec<String>, ApiError> {
    let Some(tools) = obj.get("tools") else {
        return Ok(Vec::new());
    };
    let list = tools
        .as_array()
        .ok_or_else(|| invalid("tools: Input should be a valid list"))?;
    let mut names = Vec::with_capacity(list.len());
    for (i, t) in list.iter().enumerate() {
        let name = text_of(&t["name"], &format!("tools.{i}.name"))?;
        if !t["input_schema"].is_object() {
            return Err(invalid(format!("tools.{i}.input_schema: Field required")));
        }
        if names.contains(&name) {
            return Err(invalid(format!(
                "tools: Tool names must be unique ({name})"
            )));
        }
        names.push(name);
    }
    Ok(names)
}

fn tool_choice(obj: &Map<String, Value>, tools: &[String]) -> Result<(), ApiError> {
    let Some(choice) = obj.get("tool_choice") else {
        return Ok(());
    };
    match choice.get("type").and_then(Value::as_str) {
        Some("auto" | "any" | "none") => Ok(()),
        Some("tool") => {
            let name = text_of(&choice["name"], "tool_choice.name")?;
            if tools.contains(&name) {
                Ok(())
            } else {
                Err(invalid(format!(
                    "tool_choice.name: no tool named {name:?} is defined"
                )))
            }
        }
        _ => Err(invalid(
            "tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'",
        )),
    }
}

fn thinking(obj: &Map<String, Value>) -> Result<(), ApiError> {
    let Some(t) = obj.get("thinking") else {
        return Ok(());
    };
    match t.get("type").and_then(Value::as_str) {
        Some("disabled") => Ok(()),
        Some("enabled") => {
            let budget = t.get("budget_tokens").and_then(Value::as_u64).unwrap_or(0);
            let max = obj.get("max_tokens").and_then(Value::as_u64).unwrap_or(0);
            if budget < 1024 || budget >= max {
                return Err(invalid(
                    "thinking.budget_tokens: must be at least 1024 and less than max_tokens",
                ));
            }
            Ok(())
        }
        _ => Err(invalid(
            "thinking.type: Input should be 'enabled' or 'disabled'",
        )),
    }
}
