//! An OpenAI `tool_choice` read from a request's JSON, for the translations that map it to a
//! provider's tool settings (Gemini, Cohere).

use super::error::OpenAiError;
use serde_json::Value;

/// What the client's `tool_choice` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ToolChoice<'a> {
    /// `none`: no tool calls.
    None,
    /// `auto`: the model decides.
    Auto,
    /// `required`: some tool call.
    Required,
    /// `{"type":"function","function":{"name":...}}`: a call of this function.
    Function(&'a str),
}

/// Reads `tool_choice` (`null` when absent: `None`); anything else than the three modes or
/// an object naming a function is a 400 on `tool_choice`.
pub(crate) fn read_tool_choice(choice: &Value) -> Result<Option<ToolChoice<'_>>, OpenAiError> {
    let bad = |message: String| OpenAiError::bad_request(message, Some("tool_choice"));
    Ok(Some(match choice {
        Value::Null => return Ok(None),
        Value::String(mode) => match mode.as_str() {
            "none" => ToolChoice::None,
            "auto" => ToolChoice::Auto,
            "required" => ToolChoice::Required,
            other => {
                return Err(bad(format!(
                    "tool_choice {other:?} must be none, auto, required or a function."
                )));
            }
        },
        Value::Object(_) => choice
            .get("function")
            .and_then(|f| f.get("name"))
            .and_then(Value::as_str)
            .map(ToolChoice::Function)
            .ok_or_else(|| bad("tool_choice.function.name is required.".into()))?,
        _ => return Err(bad("tool_choice must be a string or an object.".into())),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_modes_and_named_functions() {
        assert_eq!(read_tool_choice(&Value::Null).unwrap(), None);
        assert_eq!(
            read_tool_choice(&json!("none")).unwrap(),
            Some(ToolChoice::None)
        );
        assert_eq!(
            read_tool_choice(&json!("auto")).unwrap(),
            Some(ToolChoice::Auto)
        );
        assert_eq!(
            read_tool_choice(&json!("required")).unwrap(),
            Some(ToolChoice::Required)
        );
        let named = json!({"type": "function", "function": {"name": "get_weather"}});
        assert_eq!(
            read_tool_choice(&named).unwrap(),
            Some(ToolChoice::Function("get_weather"))
        );
    }

    #[test]
    fn refuses_anything_else_on_tool_choice() {
        for (choice, message) in [
            (
                json!("any"),
                "tool_choice \"any\" must be none, auto, required or a function.",
            ),
            (
                json!({"type": "function"}),
                "tool_choice.function.name is required.",
            ),
            (json!(1), "tool_choice must be a string or an object."),
        ] {
            let error = read_tool_choice(&choice).unwrap_err();
            assert_eq!(
                error,
                OpenAiError::bad_request(message, Some("tool_choice"))
            );
        }
    }
}
