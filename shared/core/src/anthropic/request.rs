//! OpenAI chat completion request -> Anthropic Messages request.
//!
//! - `system` and `developer` messages, wherever they appear, become the top-level `system`
//!   (text blocks, in order, `cache_control` kept).
//! - Every other message becomes content blocks; consecutive messages that end up with the same
//!   role are merged (Anthropic requires alternating roles): tool results are `user` blocks.
//! - `max_tokens` is `max_completion_tokens`, else `max_tokens`, else [`DEFAULT_MAX_TOKENS`].

use super::DEFAULT_MAX_TOKENS;
use super::openai_in::{ChatRequest, Content, Message, Part, Stop, Tool, ToolCall, ToolChoice};
use super::turns::Turns;
use crate::openai::error::OpenAiError;
use serde_json::{Map, Value, json};

/// A translated request and what the response translation needs to know about it.
#[derive(Debug, Clone, PartialEq)]
pub struct MessagesRequest {
    /// The Anthropic request body.
    pub body: Vec<u8>,
    /// The client asked for a stream.
    pub stream: bool,
    /// The client asked for a final usage chunk (`stream_options.include_usage`).
    pub include_usage: bool,
    /// The model the request is for (the override, else the client's).
    pub model: String,
}

/// Where the translated request names its model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelPlacement {
    /// In the body's `model` (the Anthropic API).
    Body,
    /// In the URL path, with this `anthropic_version` in the body instead (Anthropic on
    /// Vertex AI and on AWS Bedrock, which refuse a `model` member).
    Path {
        /// The body's `anthropic_version`.
        anthropic_version: &'static str,
        /// Whether a stream is asked for in the body (`stream: true`; Vertex AI) rather than
        /// by the path alone (Bedrock, which refuses the member).
        stream_in_body: bool,
    },
}

/// Translates an OpenAI chat completion body for the Anthropic API; `model_override`
/// replaces the model.
pub fn translate_request(
    body: &[u8],
    model_override: Option<&str>,
) -> Result<MessagesRequest, OpenAiError> {
    translate_request_for(ModelPlacement::Body, body, model_override)
}

/// A translated OpenAI chat request to Claude on a cloud that names the model in the URL
/// path (Vertex AI, Bedrock InvokeModel), and its upstream path.
#[derive(Debug, Clone, PartialEq)]
pub struct PathChatRequest {
    /// The upstream `:path`, without the backend's path prefix (on Vertex AI, the project
    /// and location).
    pub path: String,
    /// The body and what the response translation needs.
    pub messages: MessagesRequest,
}

/// Translates an OpenAI chat completion body for a [`ModelPlacement::Path`] cloud whose
/// `model_path(model, stream)` is the upstream path; `model_override` replaces the model. A
/// model the path cannot hold (`model_path`'s `Err`) is a 400 on `model`.
pub fn translate_path_request(
    placement: ModelPlacement,
    model_path: fn(&str, bool) -> Result<String, String>,
    body: &[u8],
    model_override: Option<&str>,
) -> Result<PathChatRequest, OpenAiError> {
    let messages = translate_request_for(placement, body, model_override)?;
    let path = model_path(&messages.model, messages.stream)
        .map_err(|message| OpenAiError::bad_request(message, Some("model")))?;
    Ok(PathChatRequest { path, messages })
}

/// Translates an OpenAI chat completion body, naming the model as `placement` says;
/// `model_override` replaces the model.
pub fn translate_request_for(
    placement: ModelPlacement,
    body: &[u8],
    model_override: Option<&str>,
) -> Result<MessagesRequest, OpenAiError> {
    let req = ChatRequest::parse_single_choice(body, "Anthropic")?;
    let (stream, include_usage) = req.stream_and_usage();
    let mut out = Map::new();
    let model = model_override.unwrap_or(&req.model).to_string();
    match placement {
        ModelPlacement::Body => out.insert("model".into(), json!(model)),
        ModelPlacement::Path {
            anthropic_version, ..
        } => out.insert("anthropic_version".into(), json!(anthropic_version)),
    };
    let max_tokens = req
        .max_completion_tokens
        .or(req.max_tokens)
        .unwrap_or(DEFAULT_MAX_TOKENS);
    out.insert("max_tokens".into(), json!(max_tokens));
    let (system, messages) = convert_messages(req.messages)?;
    if !system.is_empty() {
        out.insert("system".into(), Value::Array(system));
    }
    out.insert("messages".into(), Value::Array(messages));
    if let Some(t) = req.temperature {
        out.insert("temperature".into(), json!(t));
    }
    if let Some(p) = req.top_p {
        out.insert("top_p".into(), json!(p));
    }
    if let Some(stops) = req.stop.and_then(Stop::into_sequences) {
        out.insert("stop_sequences".into(), json!(stops));
    }
    let stream_in_body = match placement {
        ModelPlacement::Body => true,
        ModelPlacement::Path { stream_in_body, .. } => stream_in_body,
    };
    if stream && stream_in_body {
        out.insert("stream".into(), json!(true));
    }
    if let Some(tools) = req.tools
        && !tools.is_empty()
    {
        out.insert("tools".into(), convert_tools(tools)?);
    }
    if let Some(choice) = tool_choice(req.tool_choice, req.parallel_tool_calls)? {
        out.insert("tool_choice".into(), choice);
    }
    if let Some(thinking) = req.thinking {
        if !thinking.is_object() {
            return Err(OpenAiError::bad_request(
                "'thinking' must be an object such as {\"type\":\"enabled\",\"budget_tokens\":2048}.",
                Some("thinking"),
            ));
        }
        out.insert("thinking".into(), thinking);
    }
    if let Some(user) = req.user {
        out.insert("metadata".into(), json!({ "user_id": user }));
    }
    Ok(MessagesRequest {
        body: Value::Object(out).to_string().into_bytes(),
        stream,
        include_usage,
        model,
    })
}

type Blocks = Vec<Value>;

/// Splits the messages into `system` blocks and alternating `messages`.
fn convert_messages(messages: Vec<Message>) -> Result<(Blocks, Blocks), OpenAiError> {
    let mut system = Vec::new();
    let mut turns = Turns::default();
    for message in messages {
        let (role, blocks) = match message {
            Message::System { content } | Message::Developer { content } => {
                system.extend(text_blocks(content, "system")?);
                continue;
            }
            Message::User { content } => ("user", user_blocks(content)?),
            Message::Assistant {
                content,
                tool_calls,
            } => ("assistant", assistant_blocks(content, tool_calls)?),
            Message::Tool {
                content,
                tool_call_id,
            } => {
                let text = text_blocks(content, "tool")?;
                let result = json!({
                    "type": "tool_result",
                    "tool_use_id": tool_call_id,
                    "content": text,
                });
                ("user", vec![result])
            }
        };
        turns.push(role, blocks);
    }
    Ok((system, turns.into_messages()))
}

fn text_block(text: String, cache_control: Option<Value>) -> Value {
    let mut block = json!({ "type": "text", "text": text });
    if let Some(cc) = cache_control {
        block["cache_control"] = cc;
    }
    block
}

/// Content that may only hold text (system, developer and tool messages).
fn text_blocks(content: Content, role: &str) -> Result<Blocks, OpenAiError> {
    match content {
        Content::Text(text) if text.is_empty() => Ok(Vec::new()),
        Content::Text(text) => Ok(vec![text_block(text, None)]),
        Content::Parts(parts) => parts
            .into_iter()
            .map(|part| match part {
                Part::Text {
                    text,
                    cache_control,
                } => Ok(text_block(text, cache_control)),
                _ => Err(OpenAiError::bad_request(
                    format!("A {role} message may only hold text parts."),
                    Some("messages"),
                )),
            })
            .collect(),
    }
}

fn user_blocks(content: Content) -> Result<Blocks, OpenAiError> {
    let parts = match content {
        Content::Parts(parts) => parts,
        text => return text_blocks(text, "user"),
    };
    parts
        .into_iter()
        .map(|part| match part {
            Part::Text {
                text,
                cache_control,
            } => Ok(text_block(text, cache_control)),
            Part::ImageUrl {
                image_url,
                cache_control,
            } => {
                let mut block = json!({ "type": "image", "source": image_source(&image_url.url)? });
                if let Some(cc) = cache_control {
                    block["cache_control"] = cc;
                }
                Ok(block)
            }
            Part::Refusal { .. } | Part::InputAudio {} | Part::File {} => {
                Err(OpenAiError::bad_request(
                    "User content parts must be 'text' or 'image_url' for an Anthropic backend.",
                    Some("messages"),
                ))
            }
        })
        .collect()
}

/// A `data:<media type>;base64,<data>` URL becomes a base64 source, an `https` URL a URL source.
fn image_source(url: &str) -> Result<Value, OpenAiError> {
    if let Some(rest) = url.strip_prefix("data:") {
        let (media_type, data) = rest
            .split_once(";base64,")
            .filter(|(m, d)| m.starts_with("image/") && !d.is_empty())
            .ok_or_else(|| {
                OpenAiError::bad_request(
                    "An image data URL must look like data:image/<type>;base64,<data>.",
                    Some("messages"),
                )
            })?;
        return Ok(json!({ "type": "base64", "media_type": media_type, "data": data }));
    }
    if url.starts_with("https://") || url.starts_with("http://") {
        return Ok(json!({ "type": "url", "url": url }));
    }
    Err(OpenAiError::bad_request(
        "An image URL must be an http(s) URL or a base64 data URL.",
        Some("messages"),
    ))
}

fn assistant_blocks(
    content: Option<Content>,
    tool_calls: Option<Vec<ToolCall>>,
) -> Result<Blocks, OpenAiError> {
    let mut blocks = Vec::new();
    match content {
        None => {}
        Some(Content::Text(text)) if text.is_empty() => {}
        Some(Content::Text(text)) => blocks.push(text_block(text, None)),
        Some(Content::Parts(parts)) => {
            for part in parts {
                match part {
                    Part::Text {
                        text,
                        cache_control,
                    } => blocks.push(text_block(text, cache_control)),
                    Part::Refusal { refusal } => blocks.push(text_block(refusal, None)),
                    _ => {
                        return Err(OpenAiError::bad_request(
                            "Assistant content parts must be 'text' or 'refusal'.",
                            Some("messages"),
                        ));
                    }
                }
            }
        }
    }
    for call in tool_calls.unwrap_or_default() {
        let input = call.input()?;
        blocks.push(json!({
            "type": "tool_use",
            "id": call.id,
            "name": call.function.name,
            "input": input,
        }));
    }
    Ok(blocks)
}

fn convert_tools(tools: Vec<Tool>) -> Result<Value, OpenAiError> {
    let converted = tools
        .into_iter()
        .map(|tool| {
            if tool.kind != "function" {
                return Err(OpenAiError::bad_request(
                    format!(
                        "Tool type '{}' is not supported: only 'function' tools.",
                        tool.kind
                    ),
                    Some("tools"),
                ));
            }
            let f = tool.function;
            let mut out = json!({
                "name": f.name,
                "input_schema": f.parameters.unwrap_or_else(|| json!({"type": "object", "properties": {}})),
            });
            if let Some(d) = f.description {
                out["description"] = json!(d);
            }
            if let Some(cc) = tool.cache_control {
                out["cache_control"] = cc;
            }
            Ok(out)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Value::Array(converted))
}

/// `tool_choice` and `parallel_tool_calls: false` (Anthropic's `disable_parallel_tool_use`).
fn tool_choice(
    choice: Option<ToolChoice>,
    parallel: Option<bool>,
) -> Result<Option<Value>, OpenAiError> {
    let mut out = match choice {
        None if parallel == Some(false) => json!({ "type": "auto" }),
        None => return Ok(None),
        Some(ToolChoice::Mode(mode)) => match mode.as_str() {
            "auto" => json!({ "type": "auto" }),
            "required" => json!({ "type": "any" }),
            "none" => json!({ "type": "none" }),
            other => {
                return Err(OpenAiError::bad_request(
                    format!(
                        "Invalid 'tool_choice' {other:?}: expected 'none', 'auto', 'required' or a named function."
                    ),
                    Some("tool_choice"),
                ));
            }
        },
        Some(ToolChoice::Named { function }) => json!({ "type": "tool", "name": function.name }),
    };
    if parallel == Some(false) && out["type"] != "none" {
        out["disable_parallel_tool_use"] = json!(true);
    }
    Ok(Some(out))
}
