//! Strict checks of Gemini request bodies, as the real API rejects them: unknown fields,
//! empty `contents`, bad roles, parts that are not exactly one known kind, tool schemas with
//! JSON Schema members outside Gemini's OpenAPI subset.

use serde_json::{Map, Value};

use super::error::GoogleError;

/// A declared function: its name and its required parameters with their types.
pub type Function = (String, Vec<(String, String)>);

/// What the answer depends on in a `generateContent` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generate {
    /// Text of the last `user` turn's text parts.
    pub last_user: String,
    /// The last turn answers function calls: the names and responses, as JSON text.
    pub function_responses: Vec<String>,
    /// The first declared function and the required parameters of its schema, with types.
    pub first_function: Option<Function>,
    /// Function calling is not switched off (`toolConfig` mode other than `NONE`).
    pub calling_allowed: bool,
    /// `generationConfig.candidateCount` (1 when absent).
    pub candidates: u64,
    /// `generationConfig.thinkingConfig`: the model thinks (a budget above 0 or dynamic).
    pub thinks: bool,
    /// `generationConfig.thinkingConfig.includeThoughts`: thought summaries are returned.
    pub include_thoughts: bool,
    /// Words in all text parts plus 3 per turn.
    pub prompt_tokens: u64,
}

const TOP_LEVEL: [&str; 7] = [
    "contents",
    "systemInstruction",
    "tools",
    "toolConfig",
    "generationConfig",
    "safetySettings",
    "cachedContent",
];

const GENERATION: [&str; 14] = [
    "stopSequences",
    "responseMimeType",
    "responseSchema",
    "candidateCount",
    "maxOutputTokens",
    "temperature",
    "topP",
    "topK",
    "seed",
    "presencePenalty",
    "frequencyPenalty",
    "responseLogprobs",
    "logprobs",
    "thinkingConfig",
];

const SCHEMA: [&str; 22] = [
    "type",
    "format",
    "title",
    "description",
    "nullable",
    "enum",
    "maxItems",
    "minItems",
    "properties",
    "required",
    "minProperties",
    "maxProperties",
    "minLength",
    "maxLength",
    "pattern",
    "example",
    "anyOf",
    "propertyOrdering",
    "default",
    "items",
    "minimum",
    "maximum",
];

const TYPES: [&str; 6] = ["STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT"];

fn unknown(at: &str, name: &str) -> GoogleError {
    GoogleError::invalid(format!(
        "Invalid JSON payload received. Unknown name \"{name}\" at '{at}': Cannot find field."
    ))
}

fn check_known(obj: &Map<String, Value>, known: &[&str], at: &str) -> Result<(), GoogleError> {
    match obj.keys().find(|k| !known.contains(&k.as_str())) {
        Some(name) => Err(unknown(at, name)),
        None => Ok(()),
    }
}

fn object<'v>(value: &'v Value, at: &str) -> Result<&'v Map<String, Value>, GoogleError> {
    value
        .as_object()
        .ok_or_else(|| GoogleError::invalid(format!("Invalid value at '{at}': expected an object")))
}

/// Parses a request body as a JSON object.
pub fn body_object(body: &[u8]) -> Result<Map<String, Value>, GoogleError> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(obj)) => Ok(obj),
        _ => Err(GoogleError::invalid(
            "Invalid JSON payload received: the body must be a JSON object.",
        )),
    }
}

/// Checks a `generateContent` / `streamGenerateContent` body.
pub fn generate(body: &[u8]) -> Result<Generate, GoogleError> {
    let obj = body_object(body)?;
    check_known(&obj, &TOP_LEVEL, "")?;
    let contents = match obj.get("contents") {
        Some(Value::Array(c)) if !c.is_empty() => c,
        _ => {
            return Err(GoogleError::invalid(
                "* GenerateContentRequest.contents: contents is not specified",
            ));
        }
    };
    let mut prompt_tokens = 0;
    let mut last_user = String::new();
    let mut function_responses = Vec::new();
    let mut unsigned_calls = 0;
    for (i, content) in contents.iter().enumerate() {
        let at = format!("contents[{i}]");
        let content = object(content, &at)?;
        check_known(content, &["role", "parts"], &at)?;
        let role = match content.get("role") {
            None => "user",
            Some(Value::String(r)) if r == "user" || r == "model" => r.as_str(),
            Some(other) => {
                return Err(GoogleError::invalid(format!(
                    "Please use a valid role: user, model. Got {other} at '{at}.role'"
                )));
            }
        };
        let turn = parts(content.get("parts"), &at)?;
        prompt_tokens += turn.words + 3;
        function_responses = turn.responses;
        unsigned_calls += turn.unsigned_calls;
        if role == "user" && !turn.text.is_empty() {
            last_user = turn.text;
        }
    }
    if let Some(system) = obj.get("systemInstruction") {
        let system = object(system, "systemInstruction")?;
        check_known(system, &["role", "parts"], "systemInstruction")?;
        prompt_tokens += parts(system.get("parts"), "systemInstruction")?.words;
    }
    let first_function = tools(obj.get("tools"))?;
    let calling_allowed = tool_config(obj.get("toolConfig"))?;
    let (candidates, (thinks, include_thoughts)) = generation(obj.get("generationConfig"))?;
    if thinks && unsigned_calls > 0 {
        // As Gemini 3 does: a thinking model needs its calls back with their signatures.
        return Err(GoogleError::invalid(
            "Function call is missing a thought_signature in functionCall parts.",
        ));
    }
    Ok(Generate {
        thinks,
        include_thoughts,
        last_user,
        function_responses,
        first_function,
        calling_allowed,
        candidates,
        prompt_tokens,
    })
}

/// Checks the parts of a turn.
fn parts(parts: Option<&Value>, at: &str) -> Result<Parts, GoogleError> {
    let Some(Value::Array(parts)) = parts.filter(|p| p.as_array().is_some_and(|a| !a.is_empty()))
    else {
        return Err(GoogleError::invalid(format!(
            "* {at}.parts: contents.parts must not be empty."
        )));
    };
    let mut words = 0;
    let mut text = String::new();
    let mut responses = Vec::new();
    let mut unsigned_calls = 0;
    for (j, part) in parts.iter().enumerate() {
        let at = format!("{at}.parts[{j}]");
        let part = object(part, &at)?;
        check_known(
            part,
            &[
                "text",
                "inlineData",
                "fileData",
                "functionCall",
                "functionResponse",
                "thought",
                "thoughtSignature",
            ],
            &at,
        )?;
        match part.get("thoughtSignature") {
            None => {
                if part.contains_key("functionCall") {
                    unsigned_calls += 1;
                }
            }
            Some(Value::String(_)) => {}
            Some(_) => {
                return Err(GoogleError::invalid(format!(
                    "Invalid value at '{at}.thought_signature' (TYPE_BYTES)"
                )));
            }
        }
        let kinds: Vec<&String> = part
            .keys()
            .filter(|k| *k != "thought" && *k != "thoughtSignature")
            .collect();
        if kinds.len() != 1 {
            return Err(GoogleError::invalid(format!(
                "* {at}: a part must hold exactly one of text, inlineData, fileData, functionCall, functionResponse"
            )));
        }
        let value = &part[kinds[0].as_str()];
        match kinds[0].as_str() {
            "text" => {
                let t = value.as_str().ok_or_else(|| {
                    GoogleError::invalid(format!("Invalid value at '{at}.text': expected a string"))
                })?;
                words += crate::validate::word_count(t);
                text.push_str(t);
            }
            "inlineData" => require_strings(value, &["mimeType", "data"], &at)?,
            "fileData" => require_strings(value, &["fileUri"], &at)?,
            "functionCall" => require_strings(value, &["name"], &at)?,
            _ => {
                require_strings(value, &["name"], &at)?;
                if !value.get("response").is_some_and(Value::is_object) {
                    return Err(GoogleError::invalid(format!(
                        "* {at}.functionResponse.response: must be an object"
                    )));
                }
                responses.push(value.to_string());
            }
        }
    }
    Ok(Parts {
        words,
        text,
        responses,
        unsigned_calls,
    })
}

/// What [`parts`] reads from the parts of a turn.
struct Parts {
    /// Words in the text parts.
    words: u64,
    /// The text parts joined.
    text: String,
    /// The function responses, as JSON text.
    responses: Vec<String>,
    /// `functionCall` parts without a `thoughtSignature`.
    unsigned_calls: usize,
}

fn require_strings(value: &Value, names: &[&str], at: &str) -> Result<(), GoogleError> {
    for name in names {
        if value
            .get(*name)
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            return Err(GoogleError::invalid(format!("* {at}: {name} is required")));
        }
    }
    Ok(())
}

/// Checks `tools`; returns the first function and its required parameters with types.
fn tools(tools: Option<&Value>) -> Result<Option<Function>, GoogleError> {
    let Some(tools) = tools else { return Ok(None) };
    let tools = tools
        .as_array()
        .ok_or_else(|| GoogleError::invalid("Invalid value at 'tools': expected an array"))?;
    let mut first = None;
    for (i, tool) in tools.iter().enumerate() {
        let at = format!("tools[{i}]");
        let tool = object(tool, &at)?;
        check_known(tool, &["functionDeclarations"], &at)?;
        let declarations = tool
            .get("functionDeclarations")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                GoogleError::invalid(format!("* {at}.functionDeclarations: required"))
            })?;
        for (j, declaration) in declarations.iter().enumerate() {
            let at = format!("{at}.functionDeclarations[{j}]");
            let declaration = object(declaration, &at)?;
            check_known(declaration, &["name", "description", "parameters"], &at)?;
            let name = declaration
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("");
            let valid = !name.is_empty()
                && name.len() <= 64
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
            if !valid {
                return Err(GoogleError::invalid(format!(
                    "* {at}.name: invalid function name {name:?}"
                )));
            }
            let mut required = Vec::new();
            if let Some(parameters) = declaration.get("parameters") {
                schema(parameters, &format!("{at}.parameters"))?;
                for r in parameters
                    .get("required")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let r = r.as_str().unwrap_or_default();
                    let ty = parameters["properties"][r]["type"]
                        .as_str()
                        .unwrap_or("STRING");
                    required.push((r.to_string(), ty.to_string()));
                }
            }
            first.get_or_insert((name.to_string(), required));
        }
    }
    Ok(first)
}

/// Checks a schema against Gemini's OpenAPI subset, recursively.
fn schema(value: &Value, at: &str) -> Result<(), GoogleError> {
    let obj = object(value, at)?;
    check_known(obj, &SCHEMA, at)?;
    if let Some(ty) = obj.get("type")
        && !ty.as_str().is_some_and(|t| TYPES.contains(&t))
    {
        return Err(GoogleError::invalid(format!(
            "Invalid value at '{at}.type': {ty}"
        )));
    }
    if let Some(Value::Object(props)) = obj.get("properties") {
        for (name, prop) in props {
            schema(prop, &format!("{at}.properties[{name}]"))?;
        }
    }
    if let Some(items) = obj.get("items") {
        schema(items, &format!("{at}.items"))?;
    }
    for (k, alt) in obj
        .get("anyOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        schema(alt, &format!("{at}.anyOf[{k}]"))?;
    }
    Ok(())
}

/// Checks `toolConfig`; returns whether function calling is allowed.
fn tool_config(config: Option<&Value>) -> Result<bool, GoogleError> {
    let Some(config) = config else {
        return Ok(true);
    };
    let config = object(config, "toolConfig")?;
    check_known(config, &["functionCallingConfig"], "toolConfig")?;
    let Some(calling) = config.get("functionCallingConfig") else {
        return Ok(true);
    };
    let calling = object(calling, "toolConfig.functionCallingConfig")?;
    check_known(
        calling,
        &["mode", "allowedFunctionNames"],
        "toolConfig.functionCallingConfig",
    )?;
    match calling.get("mode").and_then(Value::as_str) {
        None | Some("AUTO" | "ANY" | "VALIDATED") => Ok(true),
        Some("NONE") => Ok(false),
        Some(other) => Err(GoogleError::invalid(format!(
            "Invalid value at 'toolConfig.functionCallingConfig.mode': {other:?}"
        ))),
    }
}

/// Checks `generationConfig`; returns the candidate count and what
/// [`thinking_config`] returns.
fn generation(config: Option<&Value>) -> Result<(u64, (bool, bool)), GoogleError> {
    let Some(config) = config else {
        return Ok((1, (false, false)));
    };
    let config = object(config, "generationConfig")?;
    check_known(config, &GENERATION, "generationConfig")?;
    if let Some(s) = config.get("responseSchema") {
        schema(s, "generationConfig.responseSchema")?;
    }
    let thinking = thinking_config(config.get("thinkingConfig"))?;
    let candidates = match config.get("candidateCount") {
        None => 1,
        Some(n) => n.as_u64().filter(|n| (1..=8).contains(n)).ok_or_else(|| {
            GoogleError::invalid("generationConfig.candidateCount must be between 1 and 8")
        })?,
    };
    Ok((candidates, thinking))
}

/// Checks `thinkingConfig` (`thinkingBudget` -1 for dynamic or 0..=32768, or
/// `thinkingLevel`, never both; `includeThoughts` a boolean); returns whether the model
/// thinks (this fake thinks only when asked to) and whether thoughts are returned.
fn thinking_config(config: Option<&Value>) -> Result<(bool, bool), GoogleError> {
    let Some(config) = config else {
        return Ok((false, false));
    };
    let at = "generationConfig.thinkingConfig";
    let config = object(config, at)?;
    check_known(
        config,
        &["thinkingBudget", "thinkingLevel", "includeThoughts"],
        at,
    )?;
    let include = match config.get("includeThoughts") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(GoogleError::invalid(format!(
                "Invalid value at '{at}.include_thoughts' (TYPE_BOOL)"
            )));
        }
    };
    let thinks = match (config.get("thinkingBudget"), config.get("thinkingLevel")) {
        (Some(_), Some(_)) => {
            return Err(GoogleError::invalid(
                "You can only set only one of thinking budget and thinking level.",
            ));
        }
        (Some(budget), None) => match budget.as_i64() {
            Some(-1) => true,
            Some(b) if (0..=32768).contains(&b) => b > 0,
            _ => {
                return Err(GoogleError::invalid(format!(
                    "Invalid value at '{at}.thinking_budget': must be -1 or between 0 and 32768"
                )));
            }
        },
        (None, Some(level)) => match level.as_str() {
            Some("MINIMAL" | "LOW" | "MEDIUM" | "HIGH" | "minimal" | "low" | "medium" | "high") => {
                true
            }
            _ => {
                return Err(GoogleError::invalid(format!(
                    "Invalid value at '{at}.thinking_level': {level}"
                )));
            }
        },
        (None, None) => false,
    };
    if include && !thinks {
        return Err(GoogleError::invalid(
            "includeThoughts is only supported when thinking is enabled.",
        ));
    }
    Ok((thinks, include))
}

/// Checks a `batchEmbedContents` body for `model_id`; returns each text and the output
/// dimensionality asked for.
pub fn batch_embed(model_id: &str, body: &[u8]) -> Result<Vec<(String, Option<u64>)>, GoogleError> {
    let obj = body_object(body)?;
    check_known(&obj, &["requests"], "")?;
    let requests = match obj.get("requests") {
        Some(Value::Array(r)) if !r.is_empty() => r,
        _ => {
            return Err(GoogleError::invalid(
                "* BatchEmbedContentsRequest.requests: required",
            ));
        }
    };
    let expected_model = format!("models/{model_id}");
    let mut out = Vec::with_capacity(requests.len());
    for (i, request) in requests.iter().enumerate() {
        let at = format!("requests[{i}]");
        let request = object(request, &at)?;
        check_known(
            request,
            &[
                "model",
                "content",
                "taskType",
                "title",
                "outputDimensionality",
            ],
            &at,
        )?;
        if request.get("model").and_then(Value::as_str) != Some(expected_model.as_str()) {
            return Err(GoogleError::invalid(format!(
                "* {at}.model: must be {expected_model:?}, the model of the path"
            )));
        }
        let content = object(
            request.get("content").unwrap_or(&Value::Null),
            &format!("{at}.content"),
        )?;
        let text = parts(content.get("parts"), &format!("{at}.content"))?.text;
        let dims = match request.get("outputDimensionality") {
            None => None,
            Some(d) => Some(d.as_u64().filter(|d| *d > 0).ok_or_else(|| {
                GoogleError::invalid(format!("* {at}.outputDimensionality: must be positive"))
            })?),
        };
        out.push((text, dims));
    }
    Ok(out)
}
