//! The OpenAI assistant `message` of a buffered completion, gathered block by block from an
//! answer made of content blocks (Anthropic messages, Bedrock Converse answers).

use serde_json::{Value, json};

/// The blocks read so far: text and reasoning joined, tool uses as OpenAI `tool_calls`.
#[derive(Default)]
pub(crate) struct AssistantMessage {
    text: String,
    reasoning: String,
    tool_calls: Vec<Value>,
}

impl AssistantMessage {
    /// Adds a text block.
    pub fn text(&mut self, text: &str) {
        self.text.push_str(text);
    }

    /// Adds a reasoning (thinking) block.
    pub fn reasoning(&mut self, reasoning: &str) {
        self.reasoning.push_str(reasoning);
    }

    /// Adds a tool use: a function call whose `arguments` are its `input` as JSON text.
    pub fn tool_use(&mut self, id: String, name: String, input: &Value) {
        self.tool_calls.push(json!({
            "id": id,
            "type": "function",
            "function": { "name": name, "arguments": input.to_string() },
        }));
    }

    /// The `message`: `content` is null when the answer is only tool calls; `tool_calls` and
    /// `reasoning_content` are there when not empty.
    pub fn into_value(self) -> Value {
        let only_calls = self.text.is_empty() && !self.tool_calls.is_empty();
        let mut message = json!({
            "role": "assistant",
            "content": if only_calls { Value::Null } else { json!(self.text) },
            "refusal": null,
        });
        if !self.tool_calls.is_empty() {
            message["tool_calls"] = Value::Array(self.tool_calls);
        }
        if !self.reasoning.is_empty() {
            message["reasoning_content"] = json!(self.reasoning);
        }
        message
    }
}
