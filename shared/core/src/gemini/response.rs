//! A Gemini `GenerateContentResponse` to an OpenAI `chat.completion`, and the pieces the
//! streaming translation shares with it.

use super::finish::finish_reason;
use super::usage::openai_usage;
use serde_json::{Value, json};

/// What the response translation needs from the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseContext {
    /// The model sent to Gemini; the response `model` when Gemini gives no `modelVersion`.
    pub model: String,
    /// The `created` timestamp (Unix seconds) to report.
    pub created: u64,
}

/// The text and function calls of one candidate.
pub(crate) struct CandidateParts {
    /// The candidate's index (`index`, else its position).
    pub index: u64,
    /// The concatenated non-thought text.
    pub text: String,
    /// The concatenated text of the thought parts (`"thought": true`, sent when the request
    /// asked for `includeThoughts`).
    pub reasoning: String,
    /// Each `functionCall` part, in order.
    pub calls: Vec<FunctionCall>,
    /// The Gemini `finishReason`, when present.
    pub finish: Option<String>,
}

/// A `functionCall` part.
pub(crate) struct FunctionCall {
    /// The function name.
    pub name: String,
    /// The arguments as JSON text.
    pub arguments: String,
    /// The part's `thoughtSignature` (thinking models sign their calls and need the
    /// signature back with the call in the next turn).
    pub signature: Option<String>,
}

/// Splits the candidates of a response; a response blocked by `promptFeedback.blockReason`
/// yields one empty candidate finishing with `SAFETY`.
pub(crate) fn candidates(response: &Value) -> Vec<CandidateParts> {
    let list = response.get("candidates").and_then(Value::as_array);
    let Some(list) = list.filter(|l| !l.is_empty()) else {
        let blocked = response
            .get("promptFeedback")
            .and_then(|f| f.get("blockReason"))
            .is_some();
        return if blocked {
            vec![CandidateParts {
                index: 0,
                text: String::new(),
                reasoning: String::new(),
                calls: Vec::new(),
                finish: Some("SAFETY".into()),
            }]
        } else {
            Vec::new()
        };
    };
    list.iter()
        .enumerate()
        .map(|(position, candidate)| {
            let mut text = String::new();
            let mut reasoning = String::new();
            let mut calls = Vec::new();
            let parts = candidate
                .get("content")
                .and_then(|c| c.get("parts"))
                .and_then(Value::as_array);
            for part in parts.into_iter().flatten() {
                let thought = part.get("thought").and_then(Value::as_bool) == Some(true);
                if let Some(t) = part.get("text").and_then(Value::as_str) {
                    if thought { &mut reasoning } else { &mut text }.push_str(t);
                }
                if let Some(call) = part.get("functionCall") {
                    let name = call.get("name").and_then(Value::as_str).unwrap_or_default();
                    let args = call.get("args").cloned().unwrap_or_else(|| json!({}));
                    calls.push(FunctionCall {
                        name: name.to_string(),
                        arguments: args.to_string(),
                        signature: part
                            .get("thoughtSignature")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                    });
                }
            }
            CandidateParts {
                index: candidate
                    .get("index")
                    .and_then(Value::as_u64)
                    .unwrap_or(position as u64),
                text,
                reasoning,
                calls,
                finish: candidate
                    .get("finishReason")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            }
        })
        .collect()
}

/// An OpenAI `tool_calls` entry; `n` counts the calls of the choice from 0. A thought
/// signature goes where Google's own OpenAI-compatible endpoint puts it,
/// `extra_content.google.thought_signature`, which clients send back with the call.
pub(crate) fn tool_call(choice: u64, n: usize, call: &FunctionCall) -> Value {
    let mut out = json!({
        "id": format!("call_{choice}_{n}"),
        "type": "function",
        "function": { "name": call.name, "arguments": call.arguments },
    });
    if let Some(signature) = &call.signature {
        out["extra_content"] = json!({ "google": { "thought_signature": signature } });
    }
    out
}

/// The response id: `chatcmpl-<responseId>`, or `chatcmpl-gemini` without one.
pub(crate) fn response_id(response: &Value) -> String {
    match response.get("responseId").and_then(Value::as_str) {
        Some(id) => format!("chatcmpl-{id}"),
        None => "chatcmpl-gemini".to_string(),
    }
}

/// The response model: `modelVersion`, else the requested model.
pub(crate) fn response_model(response: &Value, context: &ResponseContext) -> String {
    response
        .get("modelVersion")
        .and_then(Value::as_str)
        .unwrap_or(&context.model)
        .to_string()
}

/// Translates a buffered `generateContent` response body.
pub fn chat_response(body: &[u8], context: &ResponseContext) -> Result<Vec<u8>, String> {
    let response: Value =
        serde_json::from_slice(body).map_err(|e| format!("Gemini response is not JSON: {e}"))?;
    if !response.is_object() {
        return Err("Gemini response is not a JSON object".into());
    }
    let choices: Vec<Value> = candidates(&response)
        .into_iter()
        .map(|c| {
            let mut message = json!({
                "role": "assistant",
                "content": if c.text.is_empty() { Value::Null } else { Value::String(c.text) },
            });
            if !c.reasoning.is_empty() {
                message["reasoning_content"] = Value::String(c.reasoning);
            }
            if !c.calls.is_empty() {
                let calls = c
                    .calls
                    .iter()
                    .enumerate()
                    .map(|(n, call)| tool_call(c.index, n, call))
                    .collect();
                message["tool_calls"] = Value::Array(calls);
            }
            let finish = finish_reason(c.finish.as_deref().unwrap_or("STOP"), !c.calls.is_empty());
            json!({ "index": c.index, "message": message, "finish_reason": finish, "logprobs": null })
        })
        .collect();
    let mut out = json!({
        "id": response_id(&response),
        "object": "chat.completion",
        "created": context.created,
        "model": response_model(&response, context),
        "choices": choices,
    });
    if let Some(meta) = response.get("usageMetadata") {
        out["usage"] = openai_usage(meta);
    }
    serde_json::to_vec(&out).map_err(|e| e.to_string())
}
