//! Tool calling in the OpenAI flavour: strict checks of `tools`, `tool_choice`,
//! `parallel_tool_calls`, assistant `tool_calls` and tool results, and the tool knob: when
//! tools are defined (and `tool_choice` is not `none`), the last message is the user's and
//! its text names a defined tool as a word, the answer calls that tool with
//! `{"text": <the user's text>}`.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use crate::error::ApiError;

/// Checks the tool members of a chat request; returns the tool to call, if any.
pub fn check(obj: &Map<String, Value>, last_user: &str) -> Result<Option<String>, ApiError> {
    let names = tool_names(obj)?;
    let choice = tool_choice(obj, &names)?;
    if obj.contains_key("parallel_tool_calls") {
        if names.is_empty() {
            return Err(ApiError::invalid(
                "parallel_tool_calls",
                "parallel_tool_calls is only allowed when 'tools' are specified.",
            ));
        }
        if !obj["parallel_tool_calls"].is_boolean() {
            return Err(ApiError::invalid(
                "parallel_tool_calls",
                "must be a boolean",
            ));
        }
    }
    let messages = obj.get("messages").and_then(Value::as_array);
    let messages = messages.map_or(&[][..], Vec::as_slice);
    check_calls_and_results(messages)?;
    let last_is_user = messages
        .last()
        .is_some_and(|m| m.get("role").and_then(Value::as_str) == Some("user"));
    if names.is_empty() || choice == "none" || !last_is_user {
        return Ok(None);
    }
    Ok(last_user
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .find(|word| names.contains(*word))
        .map(str::to_string))
}

fn tool_names(obj: &Map<String, Value>) -> Result<HashSet<String>, ApiError> {
    let tools = match obj.get("tools") {
        None => return Ok(HashSet::new()),
        Some(Value::Array(tools)) => tools,
        Some(_) => return Err(ApiError::invalid("tools", "tools must be an array")),
    };
    let mut names = HashSet::new();
    for (i, tool) in tools.iter().enumerate() {
        let at = format!("tools[{i}]");
        if tool.get("type").and_then(Value::as_str) != Some("function") {
            return Err(ApiError::invalid(
                &at,
                format!("{at}.type must be 'function'"),
            ));
        }
        let function = tool.get("function").and_then(Value::as_object);
        let name = function.and_then(|f| f.get("name")).and_then(Value::as_str);
        let valid = name.is_some_and(|n| {
            (1..=64).contains(&n.len())
                && n.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        });
        let Some(name) = name.filter(|_| valid) else {
            return Err(ApiError::invalid(
                &format!("{at}.function.name"),
                format!("{at}.function.name must match ^[a-zA-Z0-9_-]{{1,64}}$"),
            ));
        };
        if let Some(params) = function.and_then(|f| f.get("parameters"))
            && !params.is_object()
        {
            return Err(ApiError::invalid(
                &format!("{at}.function.parameters"),
                "parameters must be a JSON Schema object",
            ));
        }
        if !names.insert(name.to_string()) {
            return Err(ApiError::invalid(
                &at,
                format!("duplicate tool name {name:?}"),
            ));
        }
    }
    Ok(names)
}

fn tool_choice(obj: &Map<String, Value>, names: &HashSet<String>) -> Result<String, ApiError> {
    let invalid = |m: &str| Err(ApiError::invalid("tool_choice", m.to_string()));
    match obj.get("tool_choice") {
        None => Ok("auto".into()),
        Some(_) if names.is_empty() => {
            invalid("tool_choice is only allowed when 'tools' are specified.")
        }
        Some(Value::String(s)) if matches!(s.as_str(), "auto" | "none" | "required") => {
            Ok(s.clone())
        }
        Some(Value::Object(o)) if o.get("type").and_then(Value::as_str) == Some("function") => {
            let name = o
                .get("function")
                .and_then(|f| f.get("name"))
                .and_then(Value::as_str);
            match name {
                Some(n) if names.contains(n) => Ok("function".into()),
                _ => invalid("tool_choice names a function that is not in 'tools'"),
            }
        }
        Some(_) => invalid("tool_choice must be auto, none, required or a named function"),
    }
}

/// Assistant `tool_calls` are well formed; every tool message answers a call of an earlier
/// assistant message.
fn check_calls_and_results(messages: &[Value]) -> Result<(), ApiError> {
    let mut calls = HashSet::new();
    for (i, m) in messages.iter().enumerate() {
        match m.get("role").and_then(Value::as_str) {
            Some("assistant") => {
                let Some(tool_calls) = m.get("tool_calls") else {
                    continue;
                };
                let at = format!("messages[{i}].tool_calls");
                let Some(list) = tool_calls.as_array().filter(|l| !l.is_empty()) else {
                    return Err(ApiError::invalid(
                        &at,
                        format!("{at} must be a non-empty array"),
                    ));
                };
                for (j, call) in list.iter().enumerate() {
                    let id = call.get("id").and_then(Value::as_str);
                    let kind = call.get("type").and_then(Value::as_str);
                    let function = call.get("function");
                    let name = function.and_then(|f| f.get("name")).and_then(Value::as_str);
                    let args = function
                        .and_then(|f| f.get("arguments"))
                        .and_then(Value::as_str);
                    match (id, kind, name, args) {
                        (Some(id), Some("function"), Some(_), Some(_)) => {
                            calls.insert(id.to_string());
                        }
                        _ => {
                            return Err(ApiError::invalid(
                                &format!("{at}[{j}]"),
                                format!(
                                    "{at}[{j}] needs id, type 'function', function.name and function.arguments (a string)"
                                ),
                            ));
                        }
                    }
                }
            }
            Some("tool") => {
                let id = m.get("tool_call_id").and_then(Value::as_str).unwrap_or("");
                if !calls.contains(id) {
                    return Err(ApiError::invalid(
                        &format!("messages[{i}].tool_call_id"),
                        format!(
                            "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls' (tool_call_id {id:?})."
                        ),
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The call's id, derived from the response id.
pub fn call_id(response_id: &str) -> String {
    let hash = response_id.rsplit('-').next().unwrap_or(response_id);
    format!("call_{hash}")
}

/// The arguments of the knob's call: `{"text": <last user text>}` as JSON text.
pub fn arguments(last_user: &str) -> String {
    json!({ "text": last_user }).to_string()
}

/// The assistant message of a tool-call answer.
pub fn message(name: &str, id: &str, last_user: &str) -> Value {
    json!({
        "role": "assistant",
        "content": null,
        "refusal": null,
        "tool_calls": [{
            "id": id,
            "type": "function",
            "function": {"name": name, "arguments": arguments(last_user)},
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    const TOOLS: &str =
        r#"[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]"#;

    #[test]
    fn knob_calls_a_named_tool_once() {
        let tools: Value = serde_json::from_str(TOOLS).unwrap();
        let req = obj(
            json!({"tools": tools, "messages": [{"role": "user", "content": "use get_weather now"}]}),
        );
        assert_eq!(
            check(&req, "use get_weather now").unwrap().as_deref(),
            Some("get_weather")
        );
        let req = obj(
            json!({"tools": tools, "tool_choice": "none", "messages": [{"role": "user", "content": "get_weather"}]}),
        );
        assert_eq!(check(&req, "get_weather").unwrap(), None);
        let req = obj(json!({"tools": tools, "messages": [
            {"role": "user", "content": "get_weather"},
            {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "c1", "content": "sunny"}]}));
        assert_eq!(check(&req, "get_weather").unwrap(), None);
    }

    #[test]
    fn refuses_what_openai_refuses() {
        let cases = [
            json!({"tools": [{"type": "function", "function": {"name": "bad name"}}]}),
            json!({"tool_choice": "auto"}),
            json!({"parallel_tool_calls": false}),
            json!({"tools": serde_json::from_str::<Value>(TOOLS).unwrap(), "tool_choice": {"type": "function", "function": {"name": "other"}}}),
            json!({"messages": [{"role": "tool", "tool_call_id": "nope", "content": "x"}]}),
            json!({"messages": [{"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f"}}]}]}),
        ];
        for case in cases {
            assert!(check(&obj(case.clone()), "").is_err(), "{case}");
        }
    }
}
