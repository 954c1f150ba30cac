//! OpenAI `tools` and `tool_choice` to Gemini `tools` and `toolConfig`.

use super::schema::to_gemini_schema;
use crate::openai::error::OpenAiError;
use crate::openai::tool_choice::{ToolChoice, read_tool_choice};
use serde_json::{Map, Value, json};

/// `tools: [{type: function, function: {name, description, parameters}}]` to one Gemini
/// tool holding the `functionDeclarations`, in the client's order.
pub(crate) fn function_declarations(tools: &Value) -> Result<Option<Value>, OpenAiError> {
    let bad = |m: String| OpenAiError::bad_request(m, Some("tools"));
    let tools = match tools {
        Value::Null => return Ok(None),
        Value::Array(tools) if tools.is_empty() => return Ok(None),
        Value::Array(tools) => tools,
        _ => return Err(bad("'tools' must be an array.".into())),
    };
    let mut declarations = Vec::with_capacity(tools.len());
    for (i, tool) in tools.iter().enumerate() {
        if tool.get("type").and_then(Value::as_str) != Some("function") {
            return Err(bad(format!(
                "tools[{i}].type: only 'function' tools are supported by the Gemini backend."
            )));
        }
        let function = tool.get("function");
        let Some(name) = function.and_then(|f| f.get("name")).and_then(Value::as_str) else {
            return Err(bad(format!("tools[{i}].function.name is required.")));
        };
        let mut declaration = Map::new();
        declaration.insert("name".into(), Value::String(name.to_string()));
        if let Some(Value::String(description)) = function.and_then(|f| f.get("description")) {
            declaration.insert("description".into(), Value::String(description.clone()));
        }
        if let Some(parameters) = function.and_then(|f| f.get("parameters")) {
            let schema = to_gemini_schema(parameters);
            // A parameterless function is declared without `parameters`.
            let empty_object = schema
                .get("properties")
                .is_none_or(|p| p.as_object().is_some_and(Map::is_empty));
            if !empty_object {
                declaration.insert("parameters".into(), schema);
            }
        }
        declarations.push(Value::Object(declaration));
    }
    Ok(Some(json!([{ "functionDeclarations": declarations }])))
}

/// `tool_choice` to `toolConfig.functionCallingConfig`: `none` -> `NONE`, `auto` -> `AUTO`,
/// `required` -> `ANY`, a named function -> `ANY` restricted to that function.
pub(crate) fn tool_config(choice: &Value) -> Result<Option<Value>, OpenAiError> {
    let config = match read_tool_choice(choice)? {
        None => return Ok(None),
        Some(ToolChoice::None) => json!({ "mode": "NONE" }),
        Some(ToolChoice::Auto) => json!({ "mode": "AUTO" }),
        Some(ToolChoice::Required) => json!({ "mode": "ANY" }),
        Some(ToolChoice::Function(name)) => {
            json!({ "mode": "ANY", "allowedFunctionNames": [name] })
        }
    };
    Ok(Some(json!({ "functionCallingConfig": config })))
}
