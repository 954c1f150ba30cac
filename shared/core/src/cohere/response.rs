//! A Cohere v2 chat response to an OpenAI `chat.completion`, and the pieces the streaming
//! translation shares with it.

use super::finish::finish_reason;
use super::usage::openai_usage;
use serde_json::{Value, json};

/// What the response translation needs from the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseContext {
    /// The model sent to Cohere, reported as the response `model`.
    pub model: String,
    /// The `created` timestamp (Unix seconds) to report.
    pub created: u64,
}

/// The response id: `chatcmpl-<id>`, or `chatcmpl-cohere` without one.
pub(crate) fn response_id(id: Option<&str>) -> String {
    match id {
        Some(id) => format!("chatcmpl-{id}"),
        None => "chatcmpl-cohere".to_string(),
    }
}

/// An OpenAI `tool_calls` entry of a Cohere tool call (`id`, `function.name`,
/// `function.arguments` are the same in both); a streamed one adds its `index`.
pub(crate) fn tool_call(call: &Value) -> Value {
    let function = call.get("function");
    let field = |name: &str| {
        function
            .and_then(|f| f.get(name))
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    json!({
        "id": call.get("id").and_then(Value::as_str).unwrap_or_default(),
        "type": "function",
        "function": { "name": field("name"), "arguments": field("arguments") },
    })
}

/// Translates a buffered `/v2/chat` response body. A response that finished with `ERROR`
/// is an `Err` (the caller answers 502 with its reason).
pub fn chat_response(body: &[u8], context: &ResponseContext) -> Result<Vec<u8>, String> {
    let response: Value =
        serde_json::from_slice(body).map_err(|e| format!("Cohere response is not JSON: {e}"))?;
    let message = response
        .get("message")
        .filter(|m| m.is_object())
        .ok_or("Cohere response has no 'message' object")?;
    let finish = response
        .get("finish_reason")
        .and_then(Value::as_str)
        .unwrap_or("COMPLETE");
    if finish == "ERROR" {
        let reason = response
            .get("error_message")
            .and_then(Value::as_str)
            .unwrap_or("no reason given");
        return Err(format!(
            "Cohere ended the generation with an error ({reason})"
        ));
    }
    let text: String = message
        .get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|c| c.get("type").and_then(Value::as_str) == Some("text"))
        .filter_map(|c| c.get("text").and_then(Value::as_str))
        .collect();
    let calls: Vec<Value> = message
        .get("tool_calls")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(tool_call)
        .collect();
    let mut out_message = json!({
        "role": "assistant",
        "content": if text.is_empty() && !calls.is_empty() { Value::Null } else { Value::String(text) },
    });
    let called_tools = !calls.is_empty();
    if called_tools {
        out_message["tool_calls"] = Value::Array(calls);
    }
    let mut out = json!({
        "id": response_id(response.get("id").and_then(Value::as_str)),
        "object": "chat.completion",
        "created": context.created,
        "model": context.model,
        "choices": [{
            "index": 0,
            "message": out_message,
            "finish_reason": finish_reason(finish, called_tools),
            "logprobs": null,
        }],
    });
    if let Some(usage) = response.get("usage") {
        out["usage"] = openai_usage(usage);
    }
    serde_json::to_vec(&out).map_err(|e| e.to_string())
}
