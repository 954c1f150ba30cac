//! Anthropic Messages request -> OpenAI chat completion request, for OpenAI-schema backends
//! (OpenAI, the OpenAI-compatible presets, Azure OpenAI).
//!
//! - `system` (a string or text blocks) becomes a leading `system` message.
//! - User text blocks become the message's content (one string when all blocks are text,
//!   else text and `image_url` parts; base64 images become data URLs); each `tool_result`
//!   block becomes a `tool` message (its text; images in it follow in a user message).
//! - Assistant text becomes `content`, `tool_use` blocks `tool_calls` (input as JSON text);
//!   `thinking` blocks are dropped (OpenAI has no field for them).
//! - `tools` become functions (`input_schema` as `parameters`); `tool_choice` `auto`, `any`,
//!   `tool`, `none` become `auto`, `required`, the named function, `none`, and
//!   `disable_parallel_tool_use` becomes `parallel_tool_calls: false`.
//! - `max_tokens`, `temperature`, `top_p` keep their names, `stop_sequences` becomes `stop`,
//!   `metadata.user_id` `user`; streams ask for usage (`stream_options.include_usage`).
//!   `top_k` and `cache_control` have no OpenAI equivalent and are dropped.
//! - `thinking: {type: enabled, budget_tokens}` becomes `reasoning_effort` by the budget
//!   ([`reasoning_effort`]), and `max_tokens` is sent as `max_completion_tokens` (the name
//!   OpenAI reasoning models accept). The exact setting is also kept in
//!   [`ChatRequest::thinking`], for the chain to schemas with a native thinking budget.
//!   `disabled` is Anthropic's default and sends nothing.

use super::error::AnthropicError;
use super::messages_in::{
    Block, Content, ImageSource, Message, MessagesRequest, Role, Thinking, Tool, ToolChoice,
};
use serde_json::{Map, Value, json};

/// A translated request.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    /// The OpenAI chat completion body.
    pub body: Vec<u8>,
    /// The client asked for a stream.
    pub stream: bool,
    /// The enabled thinking setting as the vendor field `thinking`
    /// (`{"type":"enabled","budget_tokens":N}`), which the Gemini and Bedrock Converse chat
    /// translations read; OpenAI would reject it, so it is not in [`Self::body`].
    pub thinking: Option<Value>,
}

/// Translates an Anthropic Messages body; `model_override` replaces the model.
pub fn translate_request(
    body: &[u8],
    model_override: Option<&str>,
) -> Result<ChatRequest, AnthropicError> {
    let req: MessagesRequest = serde_json::from_slice(body)
        .map_err(|e| AnthropicError::bad_request(format!("Invalid Messages request: {e}")))?;
    let mut out = Map::new();
    out.insert("model".into(), json!(model_override.unwrap_or(&req.model)));
    let mut messages = Vec::new();
    if let Some(system) = req.system {
        messages.push(json!({"role": "system", "content": system_text(system)?}));
    }
    for (i, message) in req.messages.into_iter().enumerate() {
        convert_message(i, message, &mut messages)?;
    }
    out.insert("messages".into(), Value::Array(messages));
    let thinking = match req.thinking {
        Some(Thinking::Enabled { budget_tokens }) => {
            check_budget(budget_tokens, req.max_tokens)?;
            out.insert(
                "reasoning_effort".into(),
                json!(reasoning_effort(budget_tokens)),
            );
            out.insert("max_completion_tokens".into(), json!(req.max_tokens));
            Some(json!({"type": "enabled", "budget_tokens": budget_tokens}))
        }
        Some(Thinking::Disabled) | None => {
            out.insert("max_tokens".into(), json!(req.max_tokens));
            None
        }
    };
    if let Some(t) = req.temperature {
        out.insert("temperature".into(), json!(t));
    }
    if let Some(p) = req.top_p {
        out.insert("top_p".into(), json!(p));
    }
    if let Some(stop) = req.stop_sequences.filter(|s| !s.is_empty()) {
        out.insert("stop".into(), json!(stop));
    }
    let has_tools = req.tools.as_ref().is_some_and(|t| !t.is_empty());
    if let Some(tools) = req.tools.filter(|t| !t.is_empty()) {
        let tools = tools
            .into_iter()
            .map(convert_tool)
            .collect::<Result<Vec<_>, _>>()?;
        out.insert("tools".into(), Value::Array(tools));
    }
    if let Some(choice) = req.tool_choice {
        let (choice, no_parallel) = convert_tool_choice(choice);
        out.insert("tool_choice".into(), choice);
        if no_parallel && has_tools {
            out.insert("parallel_tool_calls".into(), json!(false));
        }
    }
    if let Some(user) = req.metadata.and_then(|m| m.user_id) {
        out.insert("user".into(), json!(user));
    }
    let stream = req.stream.unwrap_or(false);
    if stream {
        out.insert("stream".into(), json!(true));
        out.insert("stream_options".into(), json!({"include_usage": true}));
    }
    Ok(ChatRequest {
        body: Value::Object(out).to_string().into_bytes(),
        stream,
        thinking,
    })
}

/// The OpenAI `reasoning_effort` nearest a thinking budget, against the budgets the Gemini
/// and Bedrock translations give each effort (1,024, 8,192, 24,576): below 4,096 tokens
/// `low`, below 16,384 `medium`, else `high`.
pub fn reasoning_effort(budget_tokens: u64) -> &'static str {
    match budget_tokens {
        0..4096 => "low",
        4096..16384 => "medium",
        _ => "high",
    }
}

/// Anthropic's own limits: at least 1,024 thinking tokens, and fewer than `max_tokens`.
fn check_budget(budget_tokens: u64, max_tokens: u64) -> Result<(), AnthropicError> {
    if budget_tokens < 1024 {
        return Err(AnthropicError::bad_request(
            "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024",
        ));
    }
    if max_tokens <= budget_tokens {
        return Err(AnthropicError::bad_request(
            "`max_tokens` must be greater than `thinking.budget_tokens`",
        ));
    }
    Ok(())
}

fn system_text(system: Content) -> Result<String, AnthropicError> {
    match system {
        Content::Text(text) => Ok(text),
        Content::Blocks(blocks) => {
            let mut texts = Vec::with_capacity(blocks.len());
            for block in blocks {
                match block {
                    Block::Text { text } => texts.push(text),
                    _ => {
                        return Err(AnthropicError::bad_request(
                            "system: only text blocks are allowed",
                        ));
                    }
                }
            }
            Ok(texts.join("\n"))
        }
    }
}

fn convert_message(i: usize, message: Message, out: &mut Vec<Value>) -> Result<(), AnthropicError> {
    let blocks = match message.content {
        Content::Text(text) => {
            let role = match message.role {
                Role::User => "user",
                Role::Assistant => "assistant",
            };
            out.push(json!({"role": role, "content": text}));
            return Ok(());
        }
        Content::Blocks(blocks) => blocks,
    };
    match message.role {
        Role::User => convert_user(i, blocks, out),
        Role::Assistant => convert_assistant(i, blocks, out),
    }
}

fn convert_user(i: usize, blocks: Vec<Block>, out: &mut Vec<Value>) -> Result<(), AnthropicError> {
    let mut parts = Vec::new();
    for (j, block) in blocks.into_iter().enumerate() {
        match block {
            Block::Text { text } => parts.push(json!({"type": "text", "text": text})),
            Block::Image { source } => parts.push(image_part(source, i, j)?),
            Block::ToolResult {
                tool_use_id,
                content,
            } => {
                let (text, images) = tool_result_content(content, i, j)?;
                out.push(json!({"role": "tool", "tool_call_id": tool_use_id, "content": text}));
                parts.extend(images);
            }
            Block::Thinking {} | Block::RedactedThinking {} => {}
            Block::ToolUse { .. } | Block::Unsupported => {
                return Err(unsupported_block(i, j, "user"));
            }
        }
    }
    if !parts.is_empty() {
        out.push(json!({"role": "user", "content": user_content(parts)}));
    }
    Ok(())
}

/// One string when every part is text (what every OpenAI-compatible server accepts), else
/// the parts.
fn user_content(parts: Vec<Value>) -> Value {
    if parts.iter().all(|p| p["type"] == "text") {
        let texts: Vec<&str> = parts.iter().filter_map(|p| p["text"].as_str()).collect();
        return json!(texts.join("\n"));
    }
    Value::Array(parts)
}

fn convert_assistant(
    i: usize,
    blocks: Vec<Block>,
    out: &mut Vec<Value>,
) -> Result<(), AnthropicError> {
    let mut texts = Vec::new();
    let mut tool_calls = Vec::new();
    for (j, block) in blocks.into_iter().enumerate() {
        match block {
            Block::Text { text } => texts.push(text),
            Block::ToolUse { id, name, input } => tool_calls.push(json!({
                "id": id,
                "type": "function",
                "function": {"name": name, "arguments": input.to_string()},
            })),
            Block::Thinking {} | Block::RedactedThinking {} => {}
            Block::Image { .. } | Block::ToolResult { .. } | Block::Unsupported => {
                return Err(unsupported_block(i, j, "assistant"));
            }
        }
    }
    if texts.is_empty() && tool_calls.is_empty() {
        return Ok(());
    }
    let content = if texts.is_empty() {
        Value::Null
    } else {
        json!(texts.join("\n"))
    };
    let mut message = json!({"role": "assistant", "content": content});
    if !tool_calls.is_empty() {
        message["tool_calls"] = Value::Array(tool_calls);
    }
    out.push(message);
    Ok(())
}

fn image_part(source: ImageSource, i: usize, j: usize) -> Result<Value, AnthropicError> {
    let url = match source {
        ImageSource::Base64 { media_type, data } => format!("data:{media_type};base64,{data}"),
        ImageSource::Url { url } => url,
        ImageSource::Unsupported => {
            return Err(AnthropicError::bad_request(format!(
                "messages.{i}.content.{j}.source: only base64 and url image sources can be sent to an OpenAI-schema backend"
            )));
        }
    };
    Ok(json!({"type": "image_url", "image_url": {"url": url}}))
}

/// A tool result's text, and its images as user parts.
fn tool_result_content(
    content: Option<Content>,
    i: usize,
    j: usize,
) -> Result<(String, Vec<Value>), AnthropicError> {
    match content {
        None => Ok((String::new(), Vec::new())),
        Some(Content::Text(text)) => Ok((text, Vec::new())),
        Some(Content::Blocks(blocks)) => {
            let mut texts = Vec::new();
            let mut images = Vec::new();
            for block in blocks {
                match block {
                    Block::Text { text } => texts.push(text),
                    Block::Image { source } => images.push(image_part(source, i, j)?),
                    _ => {
                        return Err(AnthropicError::bad_request(format!(
                            "messages.{i}.content.{j}.content: a tool result may hold only text and image blocks"
                        )));
                    }
                }
            }
            Ok((texts.join("\n"), images))
        }
    }
}

fn unsupported_block(i: usize, j: usize, role: &str) -> AnthropicError {
    AnthropicError::bad_request(format!(
        "messages.{i}.content.{j}: this block type cannot be sent in a {role} message to an OpenAI-schema backend (supported: text, image, tool_use, tool_result, thinking)"
    ))
}

fn convert_tool(tool: Tool) -> Result<Value, AnthropicError> {
    if let Some(kind) = tool.kind.as_deref().filter(|k| *k != "custom") {
        return Err(AnthropicError::bad_request(format!(
            "tools: the server tool '{kind}' ({}) cannot be run by an OpenAI-schema backend",
            tool.name
        )));
    }
    let parameters = tool.input_schema.ok_or_else(|| {
        AnthropicError::bad_request(format!("tools: '{}' needs an input_schema", tool.name))
    })?;
    let mut function = json!({"name": tool.name, "parameters": parameters});
    if let Some(description) = tool.description {
        function["description"] = json!(description);
    }
    Ok(json!({"type": "function", "function": function}))
}

/// The OpenAI `tool_choice`, and whether parallel tool calls are disabled.
fn convert_tool_choice(choice: ToolChoice) -> (Value, bool) {
    match choice {
        ToolChoice::Auto {
            disable_parallel_tool_use,
        } => (json!("auto"), disable_parallel_tool_use == Some(true)),
        ToolChoice::Any {
            disable_parallel_tool_use,
        } => (json!("required"), disable_parallel_tool_use == Some(true)),
        ToolChoice::Tool {
            name,
            disable_parallel_tool_use,
        } => (
            json!({"type": "function", "function": {"name": name}}),
            disable_parallel_tool_use == Some(true),
        ),
        ToolChoice::None => (json!("none"), false),
    }
}
