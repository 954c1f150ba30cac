//! A buffered Anthropic message -> OpenAI `chat.completion`.
//!
//! Text blocks are joined into `message.content`, `tool_use` blocks become `tool_calls` with
//! the input as JSON text, `thinking` blocks become `message.reasoning_content` (the field
//! OpenAI-compatible reasoning APIs use); `redacted_thinking` is dropped.

use super::assistant_message::AssistantMessage;
use super::finish_reason;
use super::usage::Usage;
use crate::openai::error::OpenAiError;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
struct Message {
    id: String,
    model: String,
    content: Vec<Block>,
    #[serde(default)]
    stop_reason: Option<String>,
    #[serde(default)]
    usage: Usage,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Block {
    Text {
        text: String,
    },
    ToolUse {
        id: String,
        name: String,
        input: Value,
    },
    Thinking {
        thinking: String,
    },
    #[serde(other)]
    Other,
}

/// Translates an Anthropic message body; `created` is the Unix time to report. An
/// unreadable body is a 502 (the provider answered something that is not a message).
pub fn translate_response(body: &[u8], created: u64) -> Result<Vec<u8>, OpenAiError> {
    let message: Message = serde_json::from_slice(body).map_err(|e| OpenAiError {
        status: 502,
        message: format!("The Anthropic backend sent an unreadable message: {e}"),
        param: None,
    })?;
    let mut msg = AssistantMessage::default();
    for block in message.content {
        match block {
            Block::Text { text } => msg.text(&text),
            Block::Thinking { thinking } => msg.reasoning(&thinking),
            Block::ToolUse { id, name, input } => msg.tool_use(id, name, &input),
            Block::Other => {}
        }
    }
    let msg = msg.into_value();
    let finish = message.stop_reason.as_deref().map(finish_reason);
    let out = json!({
        "id": message.id,
        "object": "chat.completion",
        "created": created,
        "model": message.model,
        "choices": [{ "index": 0, "message": msg, "logprobs": null, "finish_reason": finish }],
        "usage": message.usage.to_openai(),
    });
    Ok(out.to_string().into_bytes())
}
