//! Prompt-token estimate of an OpenAI chat request before it is sent, with the model's BPE
//! encoding (crate `tiktoken-rs`) and OpenAI's chat overhead: 3 tokens per message, 1 more
//! per `name`, 3 to prime the reply, and the function-definition overhead for `tools`.
//!
//! The encoding is chosen by model family ([`Encoding::for_model`]); the counts are exact
//! tokenizer counts of the texts, and the overhead is OpenAI's published accounting, so the
//! result is an estimate of `usage.prompt_tokens` (checked against Python `tiktoken` counts in
//! `testdata/token_estimate/`).

use serde_json::Value;
use tiktoken_rs::CoreBPE;

/// A BPE encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// `o200k_base`: gpt-4o, gpt-4.1, gpt-4.5, gpt-5, o1, o3, o4 families; also the default for
    /// any model not recognised as OpenAI (an approximation for other providers' tokenizers).
    O200kBase,
    /// `cl100k_base`: gpt-4 (not 4o/4.1/4.5), gpt-3.5, text-embedding-3 and ada-002.
    Cl100kBase,
}

/// Model name prefixes of the `cl100k_base` families. Checked after the `o200k_base` ones,
/// since `gpt-4` is a prefix of `gpt-4o` and `gpt-4.1`.
const CL100K_PREFIXES: [&str; 4] = [
    "gpt-4",
    "gpt-3.5",
    "text-embedding-3",
    "text-embedding-ada-002",
];
/// Model name prefixes of the `o200k_base` families.
const O200K_PREFIXES: [&str; 8] = [
    "gpt-4o",
    "gpt-4.1",
    "gpt-4.5",
    "gpt-5",
    "o1",
    "o3",
    "o4",
    "chatgpt-4o",
];

impl Encoding {
    /// The encoding of `model`; a provider prefix (`openai/gpt-4`) is ignored.
    pub fn for_model(model: &str) -> Self {
        let name = model.rsplit('/').next().unwrap_or(model);
        if O200K_PREFIXES.iter().any(|p| name.starts_with(p)) {
            Self::O200kBase
        } else if CL100K_PREFIXES.iter().any(|p| name.starts_with(p)) {
            Self::Cl100kBase
        } else {
            Self::O200kBase
        }
    }

    /// The encoding's name as tiktoken spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::O200kBase => "o200k_base",
            Self::Cl100kBase => "cl100k_base",
        }
    }

    fn bpe(self) -> &'static CoreBPE {
        match self {
            Self::O200kBase => tiktoken_rs::o200k_base_singleton(),
            Self::Cl100kBase => tiktoken_rs::cl100k_base_singleton(),
        }
    }

    /// Tokens of `text` (special-token text counts as ordinary text).
    pub fn count(self, text: &str) -> u64 {
        self.bpe().encode_ordinary(text).len() as u64
    }
}

/// Tokens every message costs besides its fields.
const PER_MESSAGE: u64 = 3;
/// Extra token of a message's `name`.
const PER_NAME: u64 = 1;
/// Tokens that prime the assistant's reply.
const REPLY_PRIMING: u64 = 3;
/// Function-definition overhead (OpenAI cookbook values for the o200k and cl100k chat models).
const FUNC_END: u64 = 12;
const PROP_INIT: u64 = 3;
const PROP_KEY: u64 = 3;
const ENUM_ITEM: u64 = 3;

/// Estimates the prompt tokens of a chat completions request body. `None` when the body is
/// not a JSON object with a `messages` array.
pub fn estimate_chat_request(body: &[u8]) -> Option<u64> {
    let request: Value = serde_json::from_slice(body).ok()?;
    let encoding = Encoding::for_model(request.get("model")?.as_str().unwrap_or_default());
    let messages = request.get("messages")?.as_array()?;
    let mut total = REPLY_PRIMING;
    for message in messages {
        total += message_tokens(encoding, message);
    }
    if let Some(tools) = request.get("tools").and_then(Value::as_array) {
        let functions: Vec<&Value> = tools.iter().filter_map(|t| t.get("function")).collect();
        total += functions_tokens(encoding, &functions);
    }
    Some(total)
}

/// Estimates the prompt tokens of an Anthropic Messages request body (`system` as a string
/// or text blocks, then the messages counted as chat messages) and returns them with its
/// `max_tokens`. `None` when the body is not a JSON object with a `messages` array. Claude's
/// own tokenizer is not public, so this is the `o200k_base` count (an approximation).
pub fn estimate_anthropic_request(body: &[u8]) -> Option<(u64, Option<u64>)> {
    let request: Value = serde_json::from_slice(body).ok()?;
    let encoding = Encoding::for_model(request.get("model")?.as_str().unwrap_or_default());
    let messages = request.get("messages")?.as_array()?;
    let mut total = REPLY_PRIMING;
    if let Some(system) = request.get("system") {
        total += PER_MESSAGE + value_text_tokens(encoding, system);
    }
    for message in messages {
        total += message_tokens(encoding, message);
    }
    let max_tokens = request.get("max_tokens").and_then(Value::as_u64);
    Some((total, max_tokens))
}

/// Estimates the prompt tokens of a Responses API request body (`POST /v1/responses`) and
/// returns them with its `max_output_tokens`: `instructions` counted as a system message,
/// `input` as one user message when it is a string or as chat messages when it is a list
/// of input items (text content parts, function calls and their outputs), and the
/// definitions of function tools. `None` when the body is not a JSON object with `model` and
/// `input`.
pub fn estimate_responses_request(body: &[u8]) -> Option<(u64, Option<u64>)> {
    let request: Value = serde_json::from_slice(body).ok()?;
    let encoding = Encoding::for_model(request.get("model")?.as_str().unwrap_or_default());
    let mut total = REPLY_PRIMING;
    if let Some(instructions) = request.get("instructions").and_then(Value::as_str) {
        total += PER_MESSAGE + encoding.count(instructions);
    }
    match request.get("input")? {
        Value::String(text) => total += PER_MESSAGE + encoding.count(text),
        Value::Array(items) => {
            for item in items {
                total += message_tokens(encoding, item);
            }
        }
        _ => {}
    }
    if let Some(tools) = request.get("tools").and_then(Value::as_array) {
        let functions: Vec<&Value> = tools
            .iter()
            .filter(|t| t.get("type").and_then(Value::as_str) == Some("function"))
            .collect();
        total += functions_tokens(encoding, &functions);
    }
    let max_output_tokens = request.get("max_output_tokens").and_then(Value::as_u64);
    Some((total, max_output_tokens))
}

/// Tokens of a request's function definitions (none: zero).
fn functions_tokens(encoding: Encoding, functions: &[&Value]) -> u64 {
    if functions.is_empty() {
        return 0;
    }
    let func_init = if encoding == Encoding::O200kBase {
        7
    } else {
        10
    };
    let defined: u64 = functions
        .iter()
        .map(|f| func_init + function_tokens(encoding, f))
        .sum();
    defined + FUNC_END
}

/// One message: the overhead plus every string field, text parts and tool calls.
fn message_tokens(encoding: Encoding, message: &Value) -> u64 {
    let Some(fields) = message.as_object() else {
        return 0;
    };
    let mut total = PER_MESSAGE;
    for (key, value) in fields {
        total += value_text_tokens(encoding, value);
        if key == "name" {
            total += PER_NAME;
        }
    }
    total
}

/// Tokens of the text a field holds: a string, the `text` of content parts, or the function
/// name and arguments of tool calls.
fn value_text_tokens(encoding: Encoding, value: &Value) -> u64 {
    match value {
        Value::String(s) => encoding.count(s),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                let text = item.get("text").and_then(Value::as_str);
                let function = item.get("function");
                let name = function.and_then(|f| f.get("name")).and_then(Value::as_str);
                let args = function
                    .and_then(|f| f.get("arguments"))
                    .and_then(Value::as_str);
                [text, name, args]
                    .into_iter()
                    .flatten()
                    .map(|t| encoding.count(t))
                    .sum::<u64>()
            })
            .sum(),
        _ => 0,
    }
}

/// The string `v` holds, or "".
fn text(v: Option<&Value>) -> &str {
    v.and_then(Value::as_str).unwrap_or_default()
}

/// One function definition: `name:description`, then `key:type:description` per property
/// and the enum values.
fn function_tokens(encoding: Encoding, function: &Value) -> u64 {
    let name = text(function.get("name"));
    let description = text(function.get("description"));
    let description = description.strip_suffix('.').unwrap_or(description);
    let mut total = encoding.count(&format!("{name}:{description}"));
    let properties = function
        .get("parameters")
        .and_then(|p| p.get("properties"))
        .and_then(Value::as_object);
    if let Some(properties) = properties
        && !properties.is_empty()
    {
        total += PROP_INIT;
        for (key, property) in properties {
            total += PROP_KEY;
            if let Some(values) = property.get("enum").and_then(Value::as_array) {
                // The cookbook's enum_init is -3: the first item's overhead is free.
                total = total.saturating_sub(ENUM_ITEM);
                for v in values {
                    total += ENUM_ITEM + encoding.count(v.as_str().unwrap_or_default());
                }
            }
            let kind = text(property.get("type"));
            let desc = text(property.get("description"));
            let desc = desc.strip_suffix('.').unwrap_or(desc);
            total += encoding.count(&format!("{key}:{kind}:{desc}"));
        }
    }
    total
}

#[cfg(test)]
#[path = "token_estimate_tests.rs"]
mod tests;
