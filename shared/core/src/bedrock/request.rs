//! OpenAI chat completion request -> Converse / ConverseStream request (path and body).
//!
//! - `max_completion_tokens` (else `max_tokens`), `temperature`, `top_p` and `stop` become
//!   `inferenceConfig`; nothing is sent when none is set (the model's defaults apply). With
//!   stop sequences, Claude models (ids with `anthropic.`) are also asked for
//!   `additionalModelResponseFieldPaths: ["/stop_sequence"]`, so the answer names the one
//!   that matched.
//! - Tools keep the client's order; `tool_choice` `auto`/`required`/named become
//!   `{auto}`/`{any}`/`{tool}`. `none` sends no tools, unless the conversation already holds
//!   tool calls (Converse then requires `toolConfig`) and the tools go without a choice.
//! - `reasoning_effort` `minimal`/`low` 1,024, `medium` 8,192, `high` 24,576 thinking tokens
//!   (Claude's `thinking` in `additionalModelRequestFields`); `none` sends nothing. The vendor
//!   field `thinking` (`{"type":"enabled","budget_tokens":N}`, as the Anthropic Messages
//!   chain sends it) gives the budget exactly and wins over `reasoning_effort`.

use super::content::{
    Blocks, assistant_blocks, cache_point, text_blocks, tool_result_block, user_blocks,
};
use super::converse_path;
use crate::anthropic::openai_in::{ChatRequest, Message, Stop, Tool, ToolChoice};
use crate::anthropic::turns::Turns;
use crate::openai::error::OpenAiError;
use serde_json::{Map, Value, json};

/// A translated request and what the response translation needs to know about it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConverseRequest {
    /// The upstream path (`/model/{modelId}/converse[-stream]`).
    pub path: String,
    /// The Converse request body.
    pub body: Vec<u8>,
    /// The model sent (after the override), reported as the response `model`.
    pub model: String,
    /// The client asked for a stream.
    pub stream: bool,
    /// The client asked for a final usage chunk (`stream_options.include_usage`).
    pub include_usage: bool,
}

/// Translates an OpenAI chat completion body; `model_override` replaces the model.
pub fn translate_request(
    body: &[u8],
    model_override: Option<&str>,
) -> Result<ConverseRequest, OpenAiError> {
    let req = ChatRequest::parse_single_choice(body, "Bedrock Converse")?;
    let (stream, include_usage) = req.stream_and_usage();
    let model = model_override.unwrap_or(&req.model).to_string();
    if model.is_empty() {
        return Err(OpenAiError::bad_request(
            "'model' must name a Bedrock model id or ARN.",
            Some("model"),
        ));
    }
    let mut out = Map::new();
    let (system, messages, has_tool_blocks) = convert_messages(req.messages)?;
    out.insert("messages".into(), Value::Array(messages));
    if !system.is_empty() {
        out.insert("system".into(), Value::Array(system));
    }
    let max_tokens = req.max_completion_tokens.or(req.max_tokens);
    let has_stops = match &req.stop {
        Some(Stop::One(s)) => !s.is_empty(),
        Some(Stop::Many(v)) => !v.is_empty(),
        None => false,
    };
    if has_stops && model.contains("anthropic.") {
        out.insert(
            "additionalModelResponseFieldPaths".into(),
            json!(["/stop_sequence"]),
        );
    }
    let inference = inference_config(max_tokens, req.temperature, req.top_p, req.stop);
    if !inference.is_empty() {
        out.insert("inferenceConfig".into(), Value::Object(inference));
    }
    if let Some(config) = tool_config(
        req.tools.unwrap_or_default(),
        req.tool_choice,
        has_tool_blocks,
    )? {
        out.insert("toolConfig".into(), config);
    }
    let budget = match &req.thinking {
        Some(thinking) => vendor_thinking_budget(thinking)?,
        None => thinking_budget(req.reasoning_effort.as_deref())?,
    };
    if let Some(budget) = budget {
        if max_tokens.is_some_and(|m| m <= budget) {
            return Err(OpenAiError::bad_request(
                format!(
                    "'max_completion_tokens' (or 'max_tokens') must be above the {budget} thinking tokens of this 'reasoning_effort' (or 'thinking')."
                ),
                Some(if req.thinking.is_some() {
                    "thinking"
                } else {
                    "reasoning_effort"
                }),
            ));
        }
        out.insert(
            "additionalModelRequestFields".into(),
            json!({ "thinking": { "type": "enabled", "budget_tokens": budget } }),
        );
    }
    Ok(ConverseRequest {
        path: converse_path(&model, stream),
        body: Value::Object(out).to_string().into_bytes(),
        model,
        stream,
        include_usage,
    })
}

/// Splits the messages into `system` blocks and alternating `messages`; also says whether
/// the conversation holds tool calls or results.
fn convert_messages(messages: Vec<Message>) -> Result<(Blocks, Blocks, bool), OpenAiError> {
    let mut system = Vec::new();
    let mut turns = Turns::default();
    let mut has_tool_blocks = false;
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
            } => {
                has_tool_blocks |= tool_calls.as_ref().is_some_and(|c| !c.is_empty());
                ("assistant", assistant_blocks(content, tool_calls)?)
            }
            Message::Tool {
                content,
                tool_call_id,
            } => {
                has_tool_blocks = true;
                ("user", vec![tool_result_block(content, tool_call_id)?])
            }
        };
        turns.push(role, blocks);
    }
    if turns.is_empty() {
        return Err(OpenAiError::bad_request(
            "'messages' must hold at least one user or assistant message with content.",
            Some("messages"),
        ));
    }
    Ok((system, turns.into_messages(), has_tool_blocks))
}

fn inference_config(
    max_tokens: Option<u64>,
    temperature: Option<f64>,
    top_p: Option<f64>,
    stop: Option<Stop>,
) -> Map<String, Value> {
    let mut config = Map::new();
    if let Some(m) = max_tokens {
        config.insert("maxTokens".into(), json!(m));
    }
    if let Some(t) = temperature {
        config.insert("temperature".into(), json!(t));
    }
    if let Some(p) = top_p {
        config.insert("topP".into(), json!(p));
    }
    if let Some(stops) = stop.and_then(Stop::into_sequences) {
        config.insert("stopSequences".into(), json!(stops));
    }
    config
}

fn tool_config(
    tools: Vec<Tool>,
    choice: Option<ToolChoice>,
    has_tool_blocks: bool,
) -> Result<Option<Value>, OpenAiError> {
    let choice = match choice {
        None => None,
        Some(ToolChoice::Mode(mode)) => match mode.as_str() {
            "auto" => Some(json!({ "auto": {} })),
            "required" => Some(json!({ "any": {} })),
            "none" if has_tool_blocks => None,
            "none" => return Ok(None),
            other => {
                return Err(OpenAiError::bad_request(
                    format!(
                        "Invalid 'tool_choice' {other:?}: expected 'none', 'auto', 'required' or a named function."
                    ),
                    Some("tool_choice"),
                ));
            }
        },
        Some(ToolChoice::Named { function }) => {
            if !tools.iter().any(|t| t.function.name == function.name) {
                return Err(OpenAiError::bad_request(
                    format!(
                        "'tool_choice' names {:?}, which is not in 'tools'.",
                        function.name
                    ),
                    Some("tool_choice"),
                ));
            }
            Some(json!({ "tool": { "name": function.name } }))
        }
    };
    if tools.is_empty() {
        if choice.as_ref().is_some_and(|c| c.get("auto").is_none()) {
            return Err(OpenAiError::bad_request(
                "'tool_choice' requires 'tools'.",
                Some("tool_choice"),
            ));
        }
        return Ok(None);
    }
    let mut specs = Vec::with_capacity(tools.len());
    for tool in tools {
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
        let schema = f
            .parameters
            .unwrap_or_else(|| json!({ "type": "object", "properties": {} }));
        let mut spec = json!({ "name": f.name, "inputSchema": { "json": schema } });
        if let Some(d) = f.description {
            spec["description"] = json!(d);
        }
        specs.push(json!({ "toolSpec": spec }));
        if tool.cache_control.is_some() {
            specs.push(cache_point());
        }
    }
    let mut config = json!({ "tools": specs });
    if let Some(choice) = choice {
        config["toolChoice"] = choice;
    }
    Ok(Some(config))
}

/// `{"type":"enabled","budget_tokens":N}` -> N; `{"type":"disabled"}` -> no thinking.
fn vendor_thinking_budget(thinking: &Value) -> Result<Option<u64>, OpenAiError> {
    match thinking.get("type").and_then(Value::as_str) {
        Some("disabled") => Ok(None),
        Some("enabled") => match thinking.get("budget_tokens").and_then(Value::as_u64) {
            Some(budget) if budget > 0 => Ok(Some(budget)),
            _ => Err(OpenAiError::bad_request(
                "'thinking.budget_tokens' must be a positive integer.",
                Some("thinking"),
            )),
        },
        _ => Err(OpenAiError::bad_request(
            "'thinking' must be {\"type\":\"enabled\",\"budget_tokens\":N} or {\"type\":\"disabled\"}.",
            Some("thinking"),
        )),
    }
}

fn thinking_budget(effort: Option<&str>) -> Result<Option<u64>, OpenAiError> {
    Ok(match effort {
        None | Some("none") => None,
        Some("minimal" | "low") => Some(1024),
        Some("medium") => Some(8192),
        Some("high") => Some(24576),
        Some(_) => {
            return Err(OpenAiError::bad_request(
                "'reasoning_effort' must be none, minimal, low, medium or high.",
                Some("reasoning_effort"),
            ));
        }
    })
}
