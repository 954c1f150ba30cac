//! OpenAI `tools` and `tool_choice` to Cohere v2 `tools` and `tool_choice`.

use crate::openai::error::OpenAiError;
use crate::openai::tool_choice::{ToolChoice, read_tool_choice};
use serde_json::{Map, Value, json};

/// The Cohere tool settings of a request.
pub(crate) struct Tools {
    /// `tools`, in the client's order (only the named one for a named `tool_choice`).
    pub tools: Option<Value>,
    /// `tool_choice`: `NONE` or `REQUIRED` (absent means Cohere's default, auto).
    pub choice: Option<&'static str>,
    /// Some function asked for `strict` schemas (Cohere's `strict_tools`).
    pub strict: bool,
}

fn bad(message: String, param: &'static str) -> OpenAiError {
    OpenAiError::bad_request(message, Some(param))
}

/// Converts `tools` and `tool_choice`.
pub(crate) fn tools(tools: &Value, choice: &Value) -> Result<Tools, OpenAiError> {
    let list = match tools {
        Value::Null => &[][..],
        Value::Array(tools) => tools.as_slice(),
        _ => return Err(bad("'tools' must be an array.".into(), "tools")),
    };
    let mut declared = Vec::with_capacity(list.len());
    let mut strict = false;
    for (i, tool) in list.iter().enumerate() {
        if tool.get("type").and_then(Value::as_str) != Some("function") {
            return Err(bad(
                format!(
                    "tools[{i}].type: only 'function' tools are supported by the Cohere backend."
                ),
                "tools",
            ));
        }
        let function = tool.get("function");
        let Some(name) = function.and_then(|f| f.get("name")).and_then(Value::as_str) else {
            return Err(bad(
                format!("tools[{i}].function.name is required."),
                "tools",
            ));
        };
        let mut out = Map::new();
        out.insert("name".into(), name.into());
        if let Some(Value::String(description)) = function.and_then(|f| f.get("description")) {
            out.insert("description".into(), description.clone().into());
        }
        let parameters = function
            .and_then(|f| f.get("parameters"))
            .filter(|p| !p.is_null())
            .cloned()
            .unwrap_or_else(|| json!({ "type": "object", "properties": {} }));
        out.insert("parameters".into(), parameters);
        strict |= function
            .and_then(|f| f.get("strict"))
            .and_then(Value::as_bool)
            == Some(true);
        declared.push((name, json!({ "type": "function", "function": out })));
    }
    let mut mode = None;
    match read_tool_choice(choice)? {
        None | Some(ToolChoice::Auto) => {}
        Some(ToolChoice::None) => mode = Some("NONE"),
        Some(ToolChoice::Required) => mode = Some("REQUIRED"),
        Some(ToolChoice::Function(name)) => {
            if !declared.iter().any(|(n, _)| *n == name) {
                return Err(bad(
                    format!("tool_choice names the function {name:?}, which is not in 'tools'."),
                    "tool_choice",
                ));
            }
            declared.retain(|(n, _)| *n == name);
            mode = Some("REQUIRED");
        }
    }
    if declared.is_empty() {
        if mode == Some("REQUIRED") {
            return Err(bad(
                "tool_choice 'required' needs 'tools'.".into(),
                "tool_choice",
            ));
        }
        mode = None;
    }
    let tools = (!declared.is_empty())
        .then(|| Value::Array(declared.into_iter().map(|(_, t)| t).collect()));
    Ok(Tools {
        tools,
        choice: mode,
        strict,
    })
}
