//! A buffered Converse answer -> OpenAI `chat.completion`.
//!
//! Text blocks are joined into `message.content`, `toolUse` blocks become `tool_calls`
//! (input as JSON text), `reasoningContent.reasoningText` becomes `message.reasoning_content`;
//! redacted reasoning and other block kinds are dropped. A matched stop sequence that Claude
//! names in `additionalModelResponseFields.stop_sequence` becomes the choice's `stop_reason`
//! (the vLLM extension the Anthropic Messages translation reads).

use super::usage::Usage;
use super::{ResponseContext, finish_reason};
use crate::anthropic::assistant_message::AssistantMessage;
use crate::openai::error::OpenAiError;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConverseResponse {
    output: Output,
    #[serde(default)]
    stop_reason: Option<String>,
    #[serde(default)]
    usage: Usage,
    #[serde(default)]
    additional_model_response_fields: Option<Value>,
}

/// The stop sequence a Converse answer names (Claude, when asked for `/stop_sequence`).
pub(crate) fn matched_stop_sequence(fields: Option<&Value>) -> Option<&str> {
    fields?.get("stop_sequence")?.as_str()
}

#[derive(Deserialize)]
struct Output {
    message: Message,
}

#[derive(Deserialize)]
struct Message {
    content: Vec<Block>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Block {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    tool_use: Option<ToolUse>,
    #[serde(default)]
    reasoning_content: Option<Reasoning>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ToolUse {
    tool_use_id: String,
    name: String,
    input: Value,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Reasoning {
    #[serde(default)]
    reasoning_text: Option<ReasoningText>,
}

#[derive(Deserialize)]
struct ReasoningText {
    text: String,
}

/// Translates a Converse answer. An unreadable body is a 502 (the provider answered
/// something that is not a Converse response).
pub fn translate_response(body: &[u8], context: &ResponseContext) -> Result<Vec<u8>, OpenAiError> {
    let response: ConverseResponse = serde_json::from_slice(body).map_err(|e| OpenAiError {
        status: 502,
        message: format!("The Bedrock backend sent an unreadable Converse response: {e}"),
        param: None,
    })?;
    let mut message = AssistantMessage::default();
    for block in response.output.message.content {
        if let Some(text) = block.text {
            message.text(&text);
        }
        if let Some(r) = block.reasoning_content.and_then(|r| r.reasoning_text) {
            message.reasoning(&r.text);
        }
        if let Some(call) = block.tool_use {
            message.tool_use(call.tool_use_id, call.name, &call.input);
        }
    }
    let message = message.into_value();
    let finish = response.stop_reason.as_deref().map(finish_reason);
    let mut choice =
        json!({ "index": 0, "message": message, "logprobs": null, "finish_reason": finish });
    if response.stop_reason.as_deref() == Some("stop_sequence")
        && let Some(sequence) =
            matched_stop_sequence(response.additional_model_response_fields.as_ref())
    {
        choice["stop_reason"] = json!(sequence);
    }
    let out = json!({
        "id": context.id,
        "object": "chat.completion",
        "created": context.created,
        "model": context.model,
        "choices": [choice],
        "usage": response.usage.to_openai(),
    });
    Ok(out.to_string().into_bytes())
}
