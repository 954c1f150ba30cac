//! OpenAI chat `messages` to Cohere v2 `messages`.

use crate::openai::error::OpenAiError;
use serde_json::{Map, Value, json};
use std::collections::HashSet;

fn bad(message: impl Into<String>) -> OpenAiError {
    OpenAiError::bad_request(message, Some("messages"))
}

/// Converts the `messages` array; roles `system`/`developer` (as `system`), `user`,
/// `assistant` and `tool`.
pub(crate) fn messages(messages: &[Value]) -> Result<Vec<Value>, OpenAiError> {
    if messages.is_empty() {
        return Err(bad("'messages' must be a non-empty array."));
    }
    // Ids of the assistant tool calls seen so far: every tool result must answer one.
    let mut call_ids: HashSet<&str> = HashSet::new();
    let mut out = Vec::with_capacity(messages.len());
    for (i, message) in messages.iter().enumerate() {
        let role = message.get("role").and_then(Value::as_str).unwrap_or("");
        let content = message.get("content").unwrap_or(&Value::Null);
        let converted = match role {
            "system" | "developer" => json!({ "role": "system", "content": text(content, i)? }),
            "user" => json!({ "role": "user", "content": user_content(content, i)? }),
            "assistant" => assistant(message, content, i, &mut call_ids)?,
            "tool" => {
                let id = message
                    .get("tool_call_id")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                if !call_ids.contains(id) {
                    return Err(bad(format!(
                        "messages[{i}].tool_call_id {id:?} answers no tool call of an earlier assistant message."
                    )));
                }
                json!({ "role": "tool", "tool_call_id": id, "content": text(content, i)? })
            }
            other => {
                return Err(bad(format!(
                    "messages[{i}].role {other:?} is not supported by the Cohere backend (system, developer, user, assistant, tool)."
                )));
            }
        };
        out.push(converted);
    }
    Ok(out)
}

/// Text content: a string is kept, an array of `text` parts is concatenated.
fn text(content: &Value, i: usize) -> Result<String, OpenAiError> {
    match content {
        Value::String(text) => Ok(text.clone()),
        Value::Array(parts) => parts
            .iter()
            .map(
                |part| match (part.get("type").and_then(Value::as_str), part.get("text")) {
                    (Some("text"), Some(Value::String(text))) => Ok(text.as_str()),
                    _ => Err(bad(format!(
                        "messages[{i}].content: only text parts are allowed in this message."
                    ))),
                },
            )
            .collect(),
        Value::Null => Err(bad(format!("messages[{i}].content is required."))),
        _ => Err(bad(format!(
            "messages[{i}].content must be a string or an array of parts."
        ))),
    }
}

/// User content: a string, or text and `image_url` parts (Cohere's vision models take
/// `{"type":"image_url","image_url":{"url"}}` with an https or data URL).
fn user_content(content: &Value, i: usize) -> Result<Value, OpenAiError> {
    let Value::Array(parts) = content else {
        return text(content, i).map(Value::String);
    };
    if parts.is_empty() {
        return Err(bad(format!("messages[{i}].content must not be empty.")));
    }
    parts
        .iter()
        .map(|part| match part.get("type").and_then(Value::as_str) {
            Some("text") => match part.get("text") {
                Some(Value::String(text)) => Ok(json!({ "type": "text", "text": text })),
                _ => Err(bad(format!(
                    "messages[{i}].content: a text part needs 'text'."
                ))),
            },
            Some("image_url") => {
                let image = part.get("image_url");
                let url = image
                    .and_then(|u| u.get("url").or(Some(u)))
                    .and_then(Value::as_str)
                    .filter(|u| u.starts_with("https://") || u.starts_with("http://") || u.starts_with("data:"))
                    .ok_or_else(|| {
                        bad(format!(
                            "messages[{i}].content: an image_url part needs an http(s) or data: 'image_url.url'."
                        ))
                    })?;
                let mut out = Map::new();
                out.insert("url".into(), url.into());
                if let Some(Value::String(detail)) = image.and_then(|u| u.get("detail")) {
                    out.insert("detail".into(), detail.clone().into());
                }
                Ok(json!({ "type": "image_url", "image_url": out }))
            }
            other => Err(bad(format!(
                "messages[{i}].content: part type {:?} is not supported by the Cohere backend (text, image_url).",
                other.unwrap_or("")
            ))),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Value::Array)
}

fn assistant<'m>(
    message: &'m Value,
    content: &Value,
    i: usize,
    call_ids: &mut HashSet<&'m str>,
) -> Result<Value, OpenAiError> {
    let mut out = Map::new();
    out.insert("role".into(), "assistant".into());
    if !content.is_null() {
        out.insert("content".into(), text(content, i)?.into());
    }
    if let Some(calls) = message.get("tool_calls").filter(|c| !c.is_null()) {
        let calls = calls
            .as_array()
            .ok_or_else(|| bad(format!("messages[{i}].tool_calls must be an array.")))?;
        let mut converted = Vec::with_capacity(calls.len());
        for call in calls {
            let id = call.get("id").and_then(Value::as_str);
            let function = call.get("function");
            let name = function.and_then(|f| f.get("name")).and_then(Value::as_str);
            let (Some(id), Some(name)) = (id, name) else {
                return Err(bad(format!(
                    "messages[{i}].tool_calls: each call needs 'id' and 'function.name'."
                )));
            };
            let arguments = function
                .and_then(|f| f.get("arguments"))
                .and_then(Value::as_str)
                .filter(|a| !a.is_empty())
                .unwrap_or("{}");
            if !matches!(serde_json::from_str(arguments), Ok(Value::Object(_))) {
                return Err(bad(format!(
                    "messages[{i}].tool_calls: the arguments of {name:?} must be a JSON object."
                )));
            }
            call_ids.insert(id);
            converted.push(json!({
                "id": id,
                "type": "function",
                "function": { "name": name, "arguments": arguments },
            }));
        }
        if !converted.is_empty() {
            out.insert("tool_calls".into(), Value::Array(converted));
        }
    }
    if out.len() == 1 {
        return Err(bad(format!(
            "messages[{i}]: an assistant message needs content or tool_calls."
        )));
    }
    Ok(Value::Object(out))
}
