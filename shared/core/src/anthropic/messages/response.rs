//! A buffered OpenAI `chat.completion` -> an Anthropic `message`.
//!
//! The first choice is read: `reasoning_content` becomes a `thinking` block, `content` (or
//! a `refusal`) a `text` block, `tool_calls` `tool_use` blocks (arguments parsed into the
//! `input` object); `finish_reason` (and a matched stop string) becomes `stop_reason` and
//! `stop_sequence` ([`super::stop_reason_and_sequence`]); usage as in
//! [`super::openai_out::Usage::to_anthropic`]. The id becomes a `msg_` id
//! ([`super::message_id`]); the model is kept.

use super::error::AnthropicError;
use super::openai_out::Completion;
use super::{message_id, stop_reason_and_sequence};
use serde_json::{Value, json};

/// Translates a chat completion body. A body that is not one, or a tool call whose
/// arguments are not a JSON object, is a 502.
pub fn translate_response(body: &[u8]) -> Result<Vec<u8>, AnthropicError> {
    let completion: Completion = serde_json::from_slice(body).map_err(|e| bad_gateway(&e))?;
    let mut content = Vec::new();
    let mut stop = (None, None);
    if let Some(choice) = completion.choices.into_iter().next() {
        if let Some(finish) = choice.finish_reason.as_deref() {
            let (reason, sequence) = stop_reason_and_sequence(finish, choice.stop_reason.as_ref());
            stop = (Some(reason), sequence);
        }
        let message = choice.message;
        if let Some(thinking) = message.reasoning_content.filter(|t| !t.is_empty()) {
            content.push(json!({"type": "thinking", "thinking": thinking, "signature": ""}));
        }
        let text = message
            .content
            .filter(|t| !t.is_empty())
            .or(message.refusal.filter(|t| !t.is_empty()));
        if let Some(text) = text {
            content.push(json!({"type": "text", "text": text}));
        }
        for call in message.tool_calls.unwrap_or_default() {
            content.push(json!({
                "type": "tool_use",
                "id": call.id,
                "name": call.function.name,
                "input": tool_input(&call.function.arguments)?,
            }));
        }
    }
    let message = json!({
        "id": message_id(&completion.id),
        "type": "message",
        "role": "assistant",
        "model": completion.model,
        "content": content,
        "stop_reason": stop.0,
        "stop_sequence": stop.1,
        "usage": completion.usage.unwrap_or_default().to_anthropic(),
    });
    Ok(message.to_string().into_bytes())
}

/// Tool call arguments as the `input` object (empty arguments are `{}`).
fn tool_input(arguments: &str) -> Result<Value, AnthropicError> {
    if arguments.trim().is_empty() {
        return Ok(json!({}));
    }
    match serde_json::from_str::<Value>(arguments) {
        Ok(input @ Value::Object(_)) => Ok(input),
        _ => Err(AnthropicError {
            status: 502,
            message: format!(
                "The backend sent tool call arguments that are not a JSON object: {arguments}"
            ),
        }),
    }
}

fn bad_gateway(e: &serde_json::Error) -> AnthropicError {
    AnthropicError {
        status: 502,
        message: format!("The backend sent an unreadable chat completion: {e}"),
    }
}
