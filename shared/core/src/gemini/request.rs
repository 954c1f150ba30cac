//! An OpenAI chat completions request to a Gemini `generateContent` /
//! `streamGenerateContent?alt=sse` request.

use super::content::conversation;
use super::path::{GeminiApi, model_id};
use super::schema::to_gemini_schema;
use super::tools::{function_declarations, tool_config};
use crate::openai::error::OpenAiError;
use crate::openai::request::json_object;
use serde_json::{Map, Value};

/// A translated chat request and what the response translation needs to know about it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    /// The upstream `:path`.
    pub path: String,
    /// The Gemini request body.
    pub body: Vec<u8>,
    /// The client asked for a stream.
    pub stream: bool,
    /// The client asked for a usage chunk at the end of the stream.
    pub include_usage: bool,
    /// The model sent to Gemini (the response's `model` when Gemini names none).
    pub model: String,
}

/// OpenAI generation parameters copied as numbers: (OpenAI name, Gemini name).
/// `max_completion_tokens` comes after `max_tokens`, so it wins when both are set.
const NUMBERS: [(&str, &str); 8] = [
    ("temperature", "temperature"),
    ("top_p", "topP"),
    ("max_tokens", "maxOutputTokens"),
    ("max_completion_tokens", "maxOutputTokens"),
    ("n", "candidateCount"),
    ("seed", "seed"),
    ("presence_penalty", "presencePenalty"),
    ("frequency_penalty", "frequencyPenalty"),
];

/// Translates an OpenAI chat request body for the Gemini API; `model_override` replaces the
/// body's model.
pub fn chat_request(body: &[u8], model_override: Option<&str>) -> Result<ChatRequest, OpenAiError> {
    chat_request_for(GeminiApi::Gemini, body, model_override)
}

/// Translates an OpenAI chat request body for `api` (the bodies are the same, the paths
/// differ); `model_override` replaces the body's model.
pub fn chat_request_for(
    api: GeminiApi,
    body: &[u8],
    model_override: Option<&str>,
) -> Result<ChatRequest, OpenAiError> {
    let request = json_object(body)?;
    let null = Value::Null;
    let field = |name: &str| request.get(name).unwrap_or(&null);
    let model = match model_override {
        Some(model) => model,
        None => field("model").as_str().ok_or_else(|| {
            OpenAiError::bad_request("you must provide a model parameter", Some("model"))
        })?,
    };
    let id = model_id(model)?;
    let messages = field("messages").as_array().ok_or_else(|| {
        OpenAiError::bad_request("'messages' must be a non-empty array.", Some("messages"))
    })?;
    let stream = field("stream").as_bool().unwrap_or(false);
    let include_usage = field("stream_options")
        .get("include_usage")
        .and_then(Value::as_bool)
        .unwrap_or(false);

    let conversation = conversation(messages)?;
    let mut out = Map::new();
    out.insert("contents".into(), Value::Array(conversation.contents));
    if let Some(system) = conversation.system {
        out.insert("systemInstruction".into(), system);
    }
    if let Some(tools) = function_declarations(field("tools"))? {
        out.insert("tools".into(), tools);
    }
    if let Some(config) = tool_config(field("tool_choice"))? {
        out.insert("toolConfig".into(), config);
    }
    let generation = generation_config(&request)?;
    if !generation.is_empty() {
        out.insert("generationConfig".into(), Value::Object(generation));
    }
    let body = serde_json::to_vec(&Value::Object(out)).map_err(|e| {
        OpenAiError::bad_request(format!("The request cannot be encoded: {e}"), None)
    })?;
    Ok(ChatRequest {
        path: api.generate_path(id, stream),
        body,
        stream,
        include_usage,
        model: id.to_string(),
    })
}

fn generation_config(request: &Map<String, Value>) -> Result<Map<String, Value>, OpenAiError> {
    let mut config = Map::new();
    for (openai, gemini) in NUMBERS {
        match request.get(openai) {
            None | Some(Value::Null) => {}
            Some(Value::Number(n)) => {
                config.insert(gemini.into(), Value::Number(n.clone()));
            }
            Some(_) => {
                return Err(OpenAiError::bad_request(
                    format!("'{openai}' must be a number."),
                    Some(openai),
                ));
            }
        }
    }
    match request.get("stop") {
        None | Some(Value::Null) => {}
        Some(Value::String(stop)) => {
            config.insert(
                "stopSequences".into(),
                Value::Array(vec![stop.clone().into()]),
            );
        }
        Some(Value::Array(stops)) if stops.iter().all(Value::is_string) => {
            config.insert("stopSequences".into(), Value::Array(stops.clone()));
        }
        Some(_) => {
            return Err(OpenAiError::bad_request(
                "'stop' must be a string or an array of strings.",
                Some("stop"),
            ));
        }
    }
    response_format(request.get("response_format"), &mut config)?;
    if let Some(thinking) = thinking_config(request)? {
        config.insert("thinkingConfig".into(), thinking);
    }
    Ok(config)
}

/// The `thinkingConfig`: the vendor field `thinking` (Anthropic's shape, as the Anthropic
/// Messages chain sends it) gives the exact budget, else `reasoning_effort` a fixed one.
/// Any budget above 0 also sets `includeThoughts`, so the thought summaries come back as
/// `reasoning_content`; a budget of 0 turns thinking off.
fn thinking_config(request: &Map<String, Value>) -> Result<Option<Value>, OpenAiError> {
    let budget = match request.get("thinking") {
        None | Some(Value::Null) => thinking_budget(request.get("reasoning_effort"))?,
        Some(thinking) => Some(vendor_thinking_budget(thinking)?),
    };
    Ok(budget.map(|budget| match budget {
        0 => serde_json::json!({ "thinkingBudget": 0 }),
        _ => serde_json::json!({ "thinkingBudget": budget, "includeThoughts": true }),
    }))
}

/// `{"type":"enabled","budget_tokens":N}` -> N; `{"type":"disabled"}` -> 0.
fn vendor_thinking_budget(thinking: &Value) -> Result<u64, OpenAiError> {
    match thinking.get("type").and_then(Value::as_str) {
        Some("disabled") => Ok(0),
        Some("enabled") => thinking
            .get("budget_tokens")
            .and_then(Value::as_u64)
            .filter(|b| *b > 0)
            .ok_or_else(|| {
                OpenAiError::bad_request(
                    "'thinking.budget_tokens' must be a positive integer.",
                    Some("thinking"),
                )
            }),
        _ => Err(OpenAiError::bad_request(
            "'thinking' must be {\"type\":\"enabled\",\"budget_tokens\":N} or {\"type\":\"disabled\"}.",
            Some("thinking"),
        )),
    }
}

/// `reasoning_effort` to a thinking budget in tokens, as Google's own OpenAI-compatible
/// endpoint maps it: `none` -> 0 (no thinking), `minimal` and `low` -> 1,024, `medium` ->
/// 8,192, `high` -> 24,576.
fn thinking_budget(effort: Option<&Value>) -> Result<Option<u64>, OpenAiError> {
    let budget = match effort {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(effort)) => match effort.as_str() {
            "none" => 0,
            "minimal" | "low" => 1024,
            "medium" => 8192,
            "high" => 24576,
            _ => return Err(bad_effort()),
        },
        Some(_) => return Err(bad_effort()),
    };
    Ok(Some(budget))
}

fn bad_effort() -> OpenAiError {
    OpenAiError::bad_request(
        "'reasoning_effort' must be none, minimal, low, medium or high.",
        Some("reasoning_effort"),
    )
}

/// `json_object` -> `responseMimeType: application/json`; `json_schema` adds
/// `responseSchema` (reduced as for tools); `text` sets nothing.
fn response_format(
    format: Option<&Value>,
    config: &mut Map<String, Value>,
) -> Result<(), OpenAiError> {
    let Some(format) = format.filter(|f| !f.is_null()) else {
        return Ok(());
    };
    let json = Value::String("application/json".into());
    match format.get("type").and_then(Value::as_str) {
        Some("text") => {}
        Some("json_object") => {
            config.insert("responseMimeType".into(), json);
        }
        Some("json_schema") => {
            let schema = format
                .get("json_schema")
                .and_then(|s| s.get("schema"))
                .ok_or_else(|| {
                    OpenAiError::bad_request(
                        "response_format.json_schema.schema is required.",
                        Some("response_format"),
                    )
                })?;
            config.insert("responseMimeType".into(), json);
            config.insert("responseSchema".into(), to_gemini_schema(schema));
        }
        _ => {
            return Err(OpenAiError::bad_request(
                "response_format.type must be text, json_object or json_schema.",
                Some("response_format"),
            ));
        }
    }
    Ok(())
}
