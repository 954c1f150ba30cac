//! Strict checks of the JSON passthrough bodies, as OpenAI checks them.

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::validate::word_count;

const RESPONSES_FIELDS: [&str; 24] = [
    "model",
    "input",
    "instructions",
    "stream",
    "stream_options",
    "max_output_tokens",
    "temperature",
    "top_p",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "store",
    "metadata",
    "previous_response_id",
    "reasoning",
    "text",
    "truncation",
    "user",
    "include",
    "background",
    "service_tier",
    "prompt_cache_key",
    "safety_identifier",
    "max_tool_calls",
];
const IMAGE_FIELDS: [&str; 12] = [
    "model",
    "prompt",
    "n",
    "size",
    "quality",
    "response_format",
    "style",
    "user",
    "background",
    "moderation",
    "output_compression",
    "output_format",
];
const IMAGE_SIZES: [&str; 8] = [
    "256x256",
    "512x512",
    "1024x1024",
    "1792x1024",
    "1024x1792",
    "1536x1024",
    "1024x1536",
    "auto",
];
const SPEECH_FIELDS: [&str; 7] = [
    "model",
    "input",
    "voice",
    "instructions",
    "response_format",
    "speed",
    "stream_format",
];
/// Audio formats of speech, with their content types.
pub const SPEECH_FORMATS: [(&str, &str); 6] = [
    ("mp3", "audio/mpeg"),
    ("opus", "audio/ogg"),
    ("aac", "audio/aac"),
    ("flac", "audio/flac"),
    ("wav", "audio/wav"),
    ("pcm", "audio/pcm"),
];

/// A checked Responses request.
pub struct ResponsesRequest {
    /// `model`.
    pub model: String,
    /// `stream: true`.
    pub stream: bool,
    /// The text the reply echoes: `input`, or its last user message's text.
    pub last_user: String,
    /// Words of `instructions` and every input text.
    pub input_tokens: u64,
}

/// A checked image generation request.
pub struct ImagesRequest {
    /// `model` (Azure: the deployment).
    pub model: String,
    /// `prompt`.
    pub prompt: String,
    /// `n`.
    pub n: u64,
    /// `response_format: url`.
    pub url: bool,
}

/// A checked speech request.
pub struct SpeechRequest {
    /// `input`.
    pub input: String,
    /// `voice`.
    pub voice: String,
    /// Audio format.
    pub format: &'static str,
}

fn object(body: &[u8], fields: &[&str]) -> Result<Map<String, Value>, ApiError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_json(format!(
            "We could not parse the JSON body of your request: {e}"
        ))
    })?;
    let Value::Object(obj) = value else {
        return Err(ApiError::bad_json("The request body must be a JSON object"));
    };
    if let Some(extra) = obj.keys().find(|k| !fields.contains(&k.as_str())) {
        return Err(ApiError::invalid(
            extra,
            format!("Unknown parameter: '{extra}'."),
        ));
    }
    Ok(obj)
}

fn required_string(obj: &Map<String, Value>, field: &str) -> Result<String, ApiError> {
    match obj.get(field) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(Value::String(_)) => Err(ApiError::invalid(
            field,
            format!("'{field}' must not be empty."),
        )),
        None => Err(ApiError::invalid(
            field,
            format!("Missing required parameter: '{field}'."),
        )),
        Some(_) => Err(ApiError::invalid(
            field,
            format!("Invalid type for '{field}': expected a string."),
        )),
    }
}

fn model(obj: &Map<String, Value>, deployment: Option<&str>) -> Result<String, ApiError> {
    match deployment {
        Some(d) => Ok(d.to_string()),
        None => required_string(obj, "model"),
    }
}

fn stream(obj: &Map<String, Value>) -> Result<bool, ApiError> {
    match obj.get("stream") {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(ApiError::invalid("stream", "stream must be a boolean")),
    }
}

/// Checks a Responses request (`model` required; `input` a string or a non-empty list).
pub fn responses(body: &[u8]) -> Result<ResponsesRequest, ApiError> {
    let obj = object(body, &RESPONSES_FIELDS)?;
    let model = required_string(&obj, "model")?;
    let stream = stream(&obj)?;
    if obj.contains_key("stream_options") && !stream {
        return Err(ApiError::invalid(
            "stream_options",
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
        ));
    }
    if let Some(n) = obj.get("max_output_tokens")
        && n.as_u64().is_none_or(|n| n < 16)
    {
        return Err(ApiError::invalid(
            "max_output_tokens",
            "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16.",
        ));
    }
    let mut tokens = match obj.get("instructions") {
        None | Some(Value::Null) => 0,
        Some(Value::String(s)) => word_count(s),
        Some(_) => {
            return Err(ApiError::invalid(
                "instructions",
                "instructions must be a string",
            ));
        }
    };
    let last_user = match obj.get("input") {
        Some(Value::String(s)) if !s.is_empty() => {
            tokens += word_count(s);
            s.clone()
        }
        Some(Value::Array(items)) if !items.is_empty() => {
            let mut last = String::new();
            for (i, item) in items.iter().enumerate() {
                let text = item_text(item).ok_or_else(|| {
                    ApiError::invalid(
                        &format!("input[{i}]"),
                        format!("input[{i}] must be a message with a role and content"),
                    )
                })?;
                tokens += word_count(&text);
                if item.get("role").and_then(Value::as_str) == Some("user") {
                    last = text;
                }
            }
            last
        }
        None => {
            return Err(ApiError::invalid(
                "input",
                "Missing required parameter: 'input'.",
            ));
        }
        Some(_) => {
            return Err(ApiError::invalid(
                "input",
                "input must be a non-empty string or array",
            ));
        }
    };
    Ok(ResponsesRequest {
        model,
        stream,
        last_user,
        input_tokens: tokens,
    })
}

/// The text of an input message (`content` a string or `input_text` parts).
fn item_text(item: &Value) -> Option<String> {
    item.get("role").and_then(Value::as_str)?;
    match item.get("content")? {
        Value::String(s) => Some(s.clone()),
        Value::Array(parts) => {
            let texts: Vec<&str> = parts
                .iter()
                .filter(|p| p.get("type").and_then(Value::as_str) == Some("input_text"))
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect();
            Some(texts.join(" "))
        }
        _ => None,
    }
}

/// Checks an image generation request.
pub fn images(body: &[u8], deployment: Option<&str>) -> Result<ImagesRequest, ApiError> {
    let obj = object(body, &IMAGE_FIELDS)?;
    let model = model(&obj, deployment)?;
    let prompt = required_string(&obj, "prompt")?;
    let n = match obj.get("n") {
        None | Some(Value::Null) => 1,
        Some(v) => v.as_u64().filter(|n| (1..=10).contains(n)).ok_or_else(|| {
            ApiError::invalid("n", "Invalid 'n': expected an integer between 1 and 10.")
        })?,
    };
    if let Some(size) = obj.get("size")
        && !size.as_str().is_some_and(|s| IMAGE_SIZES.contains(&s))
    {
        return Err(ApiError::invalid(
            "size",
            format!(
                "Invalid 'size': expected one of {}.",
                IMAGE_SIZES.join(", ")
            ),
        ));
    }
    let url = match obj.get("response_format").map(|v| v.as_str()) {
        None | Some(Some("b64_json")) => false,
        Some(Some("url")) => true,
        Some(_) => {
            return Err(ApiError::invalid(
                "response_format",
                "response_format must be url or b64_json",
            ));
        }
    };
    Ok(ImagesRequest {
        model,
        prompt,
        n,
        url,
    })
}

/// Checks a speech request.
pub fn speech(body: &[u8], deployment: Option<&str>) -> Result<SpeechRequest, ApiError> {
    let obj = object(body, &SPEECH_FIELDS)?;
    model(&obj, deployment)?;
    let input = required_string(&obj, "input")?;
    if input.chars().count() > 4096 {
        return Err(ApiError::invalid(
            "input",
            "input must be at most 4096 characters",
        ));
    }
    let voice = required_string(&obj, "voice")?;
    let format = match obj.get("response_format") {
        None => "mp3",
        Some(v) => SPEECH_FORMATS
            .iter()
            .map(|(f, _)| *f)
            .find(|f| v.as_str() == Some(*f))
            .ok_or_else(|| ApiError::invalid("response_format", "unsupported response_format"))?,
    };
    if let Some(speed) = obj.get("speed")
        && !speed.as_f64().is_some_and(|s| (0.25..=4.0).contains(&s))
    {
        return Err(ApiError::invalid(
            "speed",
            "speed must be between 0.25 and 4.0",
        ));
    }
    Ok(SpeechRequest {
        input,
        voice,
        format,
    })
}
