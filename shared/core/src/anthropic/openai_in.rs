//! The parts of an OpenAI chat completion request the Anthropic (and Bedrock) translations read.
//! Fields the translation does not use are ignored, as OpenAI-compatible servers do.

use crate::openai::error::OpenAiError;
use serde::Deserialize;
use serde_json::{Value, json};

/// An OpenAI chat completion request.
#[derive(Deserialize)]
pub struct ChatRequest {
    pub model: String,
    pub messages: Vec<Message>,
    #[serde(default)]
    pub max_tokens: Option<u64>,
    #[serde(default)]
    pub max_completion_tokens: Option<u64>,
    #[serde(default)]
    pub temperature: Option<f64>,
    #[serde(default)]
    pub top_p: Option<f64>,
    #[serde(default)]
    pub stop: Option<Stop>,
    #[serde(default)]
    pub stream: Option<bool>,
    #[serde(default)]
    pub stream_options: Option<StreamOptions>,
    #[serde(default)]
    pub tools: Option<Vec<Tool>>,
    #[serde(default)]
    pub tool_choice: Option<ToolChoice>,
    #[serde(default)]
    pub parallel_tool_calls: Option<bool>,
    #[serde(default)]
    pub n: Option<u64>,
    #[serde(default)]
    pub user: Option<String>,
    /// Anthropic extended thinking (`{"type":"enabled","budget_tokens":N}`), a vendor field.
    #[serde(default)]
    pub thinking: Option<Value>,
    /// `none`, `minimal`, `low`, `medium` or `high` (read by the Bedrock translation).
    #[serde(default)]
    pub reasoning_effort: Option<String>,
}

impl ChatRequest {
    /// Reads an OpenAI chat completion body for `provider`, which answers with one choice
    /// (`n` must be 1).
    pub fn parse_single_choice(body: &[u8], provider: &str) -> Result<Self, OpenAiError> {
        let request: Self = serde_json::from_slice(body).map_err(|e| {
            OpenAiError::bad_request(format!("Invalid chat completion request: {e}"), None)
        })?;
        if request.n.is_some_and(|n| n != 1) {
            return Err(OpenAiError::bad_request(
                format!("'n' must be 1: {provider} returns one choice per request."),
                Some("n"),
            ));
        }
        Ok(request)
    }

    /// Whether the client asked for a stream, and for a final usage chunk in it
    /// (`stream_options.include_usage`).
    pub fn stream_and_usage(&self) -> (bool, bool) {
        let stream = self.stream.unwrap_or(false);
        let include_usage = stream
            && self
                .stream_options
                .as_ref()
                .and_then(|o| o.include_usage)
                .unwrap_or(false);
        (stream, include_usage)
    }
}

/// `stream_options`.
#[derive(Deserialize)]
pub struct StreamOptions {
    #[serde(default)]
    pub include_usage: Option<bool>,
}

/// `stop`: one sequence or several.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum Stop {
    One(String),
    Many(Vec<String>),
}

impl Stop {
    /// The stop sequences to send: the one, or the several when there are any.
    pub fn into_sequences(self) -> Option<Vec<String>> {
        match self {
            Self::One(s) => Some(vec![s]),
            Self::Many(v) if !v.is_empty() => Some(v),
            Self::Many(_) => None,
        }
    }
}

/// One message, by role.
#[derive(Deserialize)]
#[serde(tag = "role", rename_all = "lowercase")]
pub enum Message {
    System {
        content: Content,
    },
    Developer {
        content: Content,
    },
    User {
        content: Content,
    },
    Assistant {
        #[serde(default)]
        content: Option<Content>,
        #[serde(default)]
        tool_calls: Option<Vec<ToolCall>>,
    },
    Tool {
        content: Content,
        tool_call_id: String,
    },
}

/// Message content: a string or typed parts.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum Content {
    Text(String),
    Parts(Vec<Part>),
}

/// A content part.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Part {
    Text {
        text: String,
        #[serde(default)]
        cache_control: Option<Value>,
    },
    ImageUrl {
        image_url: ImageUrl,
        #[serde(default)]
        cache_control: Option<Value>,
    },
    Refusal {
        refusal: String,
    },
    InputAudio {},
    File {},
}

/// `image_url` of an image part.
#[derive(Deserialize)]
pub struct ImageUrl {
    pub url: String,
}

/// An assistant's tool call.
#[derive(Deserialize)]
pub struct ToolCall {
    pub id: String,
    pub function: FunctionCall,
}

impl ToolCall {
    /// The call's `arguments` as the JSON object a tool-use block holds (`{}` when empty).
    pub fn input(&self) -> Result<Value, OpenAiError> {
        let bad = |message: String| OpenAiError::bad_request(message, Some("messages"));
        let input: Value = if self.function.arguments.trim().is_empty() {
            json!({})
        } else {
            serde_json::from_str(&self.function.arguments).map_err(|e| {
                bad(format!(
                    "The arguments of tool call '{}' are not valid JSON: {e}",
                    self.id
                ))
            })?
        };
        if !input.is_object() {
            return Err(bad(format!(
                "The arguments of tool call '{}' must be a JSON object.",
                self.id
            )));
        }
        Ok(input)
    }
}

/// The function of a tool call; `arguments` is JSON text.
#[derive(Deserialize)]
pub struct FunctionCall {
    pub name: String,
    pub arguments: String,
}

/// A tool definition.
#[derive(Deserialize)]
pub struct Tool {
    #[serde(rename = "type")]
    pub kind: String,
    pub function: FunctionDef,
    #[serde(default)]
    pub cache_control: Option<Value>,
}

/// A function definition.
#[derive(Deserialize)]
pub struct FunctionDef {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub parameters: Option<Value>,
}

/// `tool_choice`: a mode or a named function.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum ToolChoice {
    Mode(String),
    Named { function: NamedFunction },
}

/// The function a `tool_choice` names.
#[derive(Deserialize)]
pub struct NamedFunction {
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(arguments: &str) -> ToolCall {
        ToolCall {
            id: "call_1".into(),
            function: FunctionCall {
                name: "get_weather".into(),
                arguments: arguments.into(),
            },
        }
    }

    #[test]
    fn tool_call_input_is_a_json_object() {
        assert_eq!(call(" ").input().unwrap(), json!({}));
        assert_eq!(
            call(r#"{"city":"Paris"}"#).input().unwrap(),
            json!({"city": "Paris"})
        );
        let error = call("[1]").input().unwrap_err();
        assert_eq!(
            error,
            OpenAiError::bad_request(
                "The arguments of tool call 'call_1' must be a JSON object.",
                Some("messages")
            )
        );
        let error = call("{").input().unwrap_err();
        assert!(
            error
                .message
                .starts_with("The arguments of tool call 'call_1' are not valid JSON: "),
            "{}",
            error.message
        );
        assert_eq!(error.param, Some("messages"));
    }

    #[test]
    fn stop_sequences_and_stream_flags() {
        assert_eq!(
            Stop::One("x".into()).into_sequences(),
            Some(vec!["x".into()])
        );
        assert_eq!(Stop::Many(Vec::new()).into_sequences(), None);
        let request = |body: &str| {
            ChatRequest::parse_single_choice(body.as_bytes(), "Anthropic")
                .map(|r| r.stream_and_usage())
        };
        let messages = r#""model":"m","messages":[]"#;
        assert_eq!(request(&format!("{{{messages}}}")).unwrap(), (false, false));
        assert_eq!(
            request(&format!(
                r#"{{{messages},"stream_options":{{"include_usage":true}}}}"#
            ))
            .unwrap(),
            (false, false)
        );
        assert_eq!(
            request(&format!(
                r#"{{{messages},"stream":true,"stream_options":{{"include_usage":true}}}}"#
            ))
            .unwrap(),
            (true, true)
        );
        assert_eq!(
            request(&format!(r#"{{{messages},"n":2}}"#))
                .unwrap_err()
                .message,
            "'n' must be 1: Anthropic returns one choice per request."
        );
    }
}
