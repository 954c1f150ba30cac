//! OpenAI chat `messages` to Gemini `systemInstruction` and `contents`.

use crate::openai::error::OpenAiError;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// The conversation in Gemini form.
pub(crate) struct Conversation {
    /// `systemInstruction` (the system and developer messages), when there were any.
    pub system: Option<Value>,
    /// `contents`: the user, model and function-response turns.
    pub contents: Vec<Value>,
}

fn bad(message: impl Into<String>) -> OpenAiError {
    OpenAiError::bad_request(message, Some("messages"))
}

/// Converts the `messages` array.
pub(crate) fn conversation(messages: &[Value]) -> Result<Conversation, OpenAiError> {
    let mut system = Vec::new();
    let mut contents: Vec<Value> = Vec::new();
    // tool_call_id -> function name, from the assistant turns seen so far.
    let mut call_names: HashMap<String, String> = HashMap::new();
    let mut last_was_tool = false;
    for (i, message) in messages.iter().enumerate() {
        let role = message.get("role").and_then(Value::as_str).unwrap_or("");
        let content = message.get("content").unwrap_or(&Value::Null);
        let is_tool = role == "tool";
        match role {
            "system" | "developer" => system.extend(text_parts(content, i)?),
            "user" => contents.push(turn("user", user_parts(content, i)?)),
            "assistant" => {
                let parts = assistant_parts(message, content, i, &mut call_names)?;
                if !parts.is_empty() {
                    contents.push(turn("model", parts));
                }
            }
            "tool" => {
                let part = function_response(message, content, i, &call_names)?;
                match contents.last_mut() {
                    Some(Value::Object(last)) if last_was_tool => {
                        if let Some(Value::Array(parts)) = last.get_mut("parts") {
                            parts.push(part);
                        }
                    }
                    _ => contents.push(turn("user", vec![part])),
                }
            }
            other => {
                return Err(bad(format!(
                    "messages[{i}].role {other:?} is not supported by the Gemini backend (system, developer, user, assistant, tool)."
                )));
            }
        }
        last_was_tool = is_tool;
    }
    if contents.is_empty() {
        return Err(bad(
            "The Gemini backend needs at least one user, assistant or tool message.",
        ));
    }
    let system = (!system.is_empty()).then(|| json!({ "parts": system }));
    Ok(Conversation { system, contents })
}

fn turn(role: &str, parts: Vec<Value>) -> Value {
    json!({ "role": role, "parts": parts })
}

/// A string, or an array of `text` parts (system, developer, assistant and tool content).
fn text_parts(content: &Value, i: usize) -> Result<Vec<Value>, OpenAiError> {
    match content {
        Value::Null => Ok(Vec::new()),
        Value::String(text) => Ok(vec![json!({ "text": text })]),
        Value::Array(parts) => parts
            .iter()
            .map(
                |part| match (part.get("type").and_then(Value::as_str), part.get("text")) {
                    (Some("text"), Some(Value::String(text))) => Ok(json!({ "text": text })),
                    _ => Err(bad(format!(
                        "messages[{i}].content: only text parts are allowed in this message."
                    ))),
                },
            )
            .collect(),
        _ => Err(bad(format!(
            "messages[{i}].content must be a string or an array of parts."
        ))),
    }
}

fn user_parts(content: &Value, i: usize) -> Result<Vec<Value>, OpenAiError> {
    let Value::Array(parts) = content else {
        let parts = text_parts(content, i)?;
        if parts.is_empty() {
            return Err(bad(format!("messages[{i}].content is required.")));
        }
        return Ok(parts);
    };
    parts.iter().map(|part| user_part(part, i)).collect()
}

fn user_part(part: &Value, i: usize) -> Result<Value, OpenAiError> {
    match part.get("type").and_then(Value::as_str) {
        Some("text") => match part.get("text") {
            Some(Value::String(text)) => Ok(json!({ "text": text })),
            _ => Err(bad(format!(
                "messages[{i}].content: a text part needs 'text'."
            ))),
        },
        Some("image_url") => {
            let url = part
                .get("image_url")
                .and_then(|u| u.get("url").or(Some(u)))
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    bad(format!(
                        "messages[{i}].content: an image_url part needs 'image_url.url'."
                    ))
                })?;
            image(url, i)
        }
        Some("input_audio") => {
            let audio = part.get("input_audio");
            let data = audio.and_then(|a| a.get("data")).and_then(Value::as_str);
            let format = audio.and_then(|a| a.get("format")).and_then(Value::as_str);
            match (data, format) {
                (Some(data), Some(format)) => Ok(json!({
                    "inlineData": { "mimeType": format!("audio/{format}"), "data": data }
                })),
                _ => Err(bad(format!(
                    "messages[{i}].content: an input_audio part needs 'data' and 'format'."
                ))),
            }
        }
        other => Err(bad(format!(
            "messages[{i}].content: part type {other:?} is not supported by the Gemini backend (text, image_url, input_audio)."
        ))),
    }
}

/// A `data:` URL becomes `inlineData`; an `http(s)` URL becomes `fileData`, with the MIME
/// type guessed from the file extension (`image/jpeg` when there is none known).
fn image(url: &str, i: usize) -> Result<Value, OpenAiError> {
    if let Some(rest) = url.strip_prefix("data:") {
        let (meta, data) = rest.split_once(',').unwrap_or(("", ""));
        let mime = meta.strip_suffix(";base64").filter(|m| !m.is_empty());
        return match mime {
            Some(mime) if !data.is_empty() => {
                Ok(json!({ "inlineData": { "mimeType": mime, "data": data } }))
            }
            _ => Err(bad(format!(
                "messages[{i}].content: an image data URL must look like data:<mime>;base64,<data>."
            ))),
        };
    }
    if url.starts_with("https://") || url.starts_with("http://") || url.starts_with("gs://") {
        return Ok(json!({ "fileData": { "mimeType": mime_from_url(url), "fileUri": url } }));
    }
    Err(bad(format!(
        "messages[{i}].content: an image URL must be a data:, https:// or gs:// URL."
    )))
}

fn mime_from_url(url: &str) -> &'static str {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("png") => "image/png",
        Some("webp") => "image/webp",
        Some("gif") => "image/gif",
        Some("heic") => "image/heic",
        Some("heif") => "image/heif",
        Some("pdf") => "application/pdf",
        _ => "image/jpeg",
    }
}

fn assistant_parts(
    message: &Value,
    content: &Value,
    i: usize,
    call_names: &mut HashMap<String, String>,
) -> Result<Vec<Value>, OpenAiError> {
    let mut parts = text_parts(content, i)?;
    let Some(calls) = message.get("tool_calls").filter(|c| !c.is_null()) else {
        return Ok(parts);
    };
    let calls = calls
        .as_array()
        .ok_or_else(|| bad(format!("messages[{i}].tool_calls must be an array.")))?;
    for call in calls {
        let function = call.get("function");
        let name = function.and_then(|f| f.get("name")).and_then(Value::as_str);
        let Some(name) = name else {
            return Err(bad(format!(
                "messages[{i}].tool_calls: each call needs 'function.name'."
            )));
        };
        let arguments = function
            .and_then(|f| f.get("arguments"))
            .and_then(Value::as_str)
            .unwrap_or("{}");
        let args: Value = match serde_json::from_str(if arguments.is_empty() {
            "{}"
        } else {
            arguments
        }) {
            Ok(Value::Object(args)) => Value::Object(args),
            _ => {
                return Err(bad(format!(
                    "messages[{i}].tool_calls: the arguments of {name:?} must be a JSON object."
                )));
            }
        };
        if let Some(id) = call.get("id").and_then(Value::as_str) {
            call_names.insert(id.to_string(), name.to_string());
        }
        let mut part = json!({ "functionCall": { "name": name, "args": args } });
        let signature = call
            .pointer("/extra_content/google/thought_signature")
            .and_then(Value::as_str);
        if let Some(signature) = signature {
            part["thoughtSignature"] = json!(signature);
        }
        parts.push(part);
    }
    Ok(parts)
}

/// A tool result: a JSON-object result is passed as the response, anything else is
/// wrapped as `{"content": <text>}` (Gemini needs an object).
fn function_response(
    message: &Value,
    content: &Value,
    i: usize,
    call_names: &HashMap<String, String>,
) -> Result<Value, OpenAiError> {
    let id = message
        .get("tool_call_id")
        .and_then(Value::as_str)
        .unwrap_or("");
    let name = call_names.get(id).ok_or_else(|| {
        bad(format!(
            "messages[{i}].tool_call_id {id:?} answers no tool call of an earlier assistant message."
        ))
    })?;
    let text: String = text_parts(content, i)?
        .iter()
        .filter_map(|p| p.get("text").and_then(Value::as_str))
        .collect();
    let response = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(object)) => Value::Object(object),
        _ => {
            let mut wrapped = Map::new();
            wrapped.insert("content".into(), Value::String(text));
            Value::Object(wrapped)
        }
    };
    Ok(json!({ "functionResponse": { "name": name, "response": response } }))
}
