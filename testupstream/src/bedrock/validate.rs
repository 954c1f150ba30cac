//! Converse request checks, as strict as Bedrock: a body or member of the wrong JSON type
//! is a `SerializationException`, a value breaking a constraint a `ValidationException`.
//! Unknown members are refused.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};
use std::collections::HashSet;

use super::error::AwsError;

type Obj = Map<String, Value>;

/// What the answer needs from a valid request.
#[derive(Debug, Default)]
pub struct Converse {
    /// Text of the last user message (tool results excluded).
    pub last_user_text: String,
    /// Text of the tool results of the last user message, if it holds any.
    pub tool_results: Vec<String>,
    /// Words of `system` and every text block.
    pub input_words: usize,
    /// Declared tool names, in order.
    pub tools: Vec<String>,
    /// The tool `toolChoice` forces (`any`: the first tool; `tool`: that one).
    pub forced_tool: Option<String>,
    /// `inferenceConfig.stopSequences`.
    pub stop_sequences: Vec<String>,
    /// `additionalModelResponseFieldPaths` asks for `/stop_sequence`.
    pub wants_stop_sequence: bool,
}

const TOP: [&str; 10] = [
    "messages",
    "system",
    "inferenceConfig",
    "toolConfig",
    "guardrailConfig",
    "additionalModelRequestFields",
    "additionalModelResponseFieldPaths",
    "promptVariables",
    "requestMetadata",
    "performanceConfig",
];

fn ser(path: &str, expected: &str) -> AwsError {
    AwsError::serialization(format!("{path}: expected {expected}"))
}

fn invalid(message: impl Into<String>) -> AwsError {
    AwsError::validation(message)
}

fn object<'a>(v: &'a Value, path: &str) -> Result<&'a Obj, AwsError> {
    v.as_object().ok_or_else(|| ser(path, "a structure"))
}

fn array<'a>(v: &'a Value, path: &str) -> Result<&'a Vec<Value>, AwsError> {
    v.as_array().ok_or_else(|| ser(path, "a list"))
}

fn string<'a>(v: &'a Value, path: &str) -> Result<&'a str, AwsError> {
    v.as_str().ok_or_else(|| ser(path, "a string"))
}

fn only(obj: &Obj, allowed: &[&str], path: &str) -> Result<(), AwsError> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(invalid(format!(
            "Unknown member '{k}' in {path}: expected one of {allowed:?}"
        ))),
        None => Ok(()),
    }
}

/// The one member of a union (content block, tool choice).
fn union_member<'a>(v: &'a Value, path: &str) -> Result<(&'a str, &'a Value), AwsError> {
    let obj = object(v, path)?;
    if obj.len() != 1 {
        return Err(invalid(format!(
            "{path} must set exactly one member, got {}",
            obj.len()
        )));
    }
    let (k, v) = obj.iter().next().ok_or_else(|| ser(path, "a member"))?;
    Ok((k.as_str(), v))
}

fn words(text: &str) -> usize {
    text.split_whitespace().count()
}

/// Validates a Converse request body.
pub fn converse(body: &[u8]) -> Result<Converse, AwsError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| AwsError::serialization(format!("Could not parse the request body: {e}")))?;
    let top = object(&value, "request")?;
    only(top, &TOP, "the request")?;
    let mut out = Converse::default();
    let messages = top.get("messages").ok_or_else(|| {
        invalid("1 validation error detected: Value null at 'messages' failed to satisfy constraint: Member must not be null")
    })?;
    if let Some(system) = top.get("system") {
        for (i, block) in array(system, "system")?.iter().enumerate() {
            let path = format!("system[{i}]");
            let (kind, v) = union_member(block, &path)?;
            match kind {
                "text" => out.input_words += words(non_blank(v, &path)?),
                "cachePoint" => cache_point(v, &path)?,
                "guardContent" => {
                    object(v, &path)?;
                }
                other => return Err(invalid(format!("Unknown member '{other}' in {path}"))),
            }
        }
    }
    if let Some(config) = top.get("inferenceConfig") {
        out.stop_sequences = inference_config(config)?;
    }
    if let Some(paths) = top.get("additionalModelResponseFieldPaths") {
        for (i, p) in array(paths, "additionalModelResponseFieldPaths")?
            .iter()
            .enumerate()
        {
            let path = string(p, &format!("additionalModelResponseFieldPaths[{i}]"))?;
            if !path.starts_with('/') {
                return Err(invalid(format!(
                    "additionalModelResponseFieldPaths[{i}] must be a JSON pointer starting with '/'"
                )));
            }
            out.wants_stop_sequence |= path == "/stop_sequence";
        }
    }
    if let Some(fields) = top.get("additionalModelRequestFields") {
        object(fields, "additionalModelRequestFields")?;
    }
    let tool_config = top.get("toolConfig").map(tool_config).transpose()?;
    let has_tool_blocks = conversation(array(messages, "messages")?, &mut out)?;
    if has_tool_blocks && tool_config.is_none() {
        return Err(invalid(
            "The toolConfig field must be defined when using toolUse and toolResult content blocks.",
        ));
    }
    if let Some((tools, forced)) = tool_config {
        out.tools = tools;
        out.forced_tool = forced;
    }
    Ok(out)
}

fn non_blank<'a>(v: &'a Value, path: &str) -> Result<&'a str, AwsError> {
    let text = string(v, path)?;
    if text.trim().is_empty() {
        return Err(invalid(format!(
            "The text field in the ContentBlock object at {path} is blank. Add text to the text field, and try again."
        )));
    }
    Ok(text)
}

fn cache_point(v: &Value, path: &str) -> Result<(), AwsError> {
    let obj = object(v, path)?;
    only(obj, &["type"], path)?;
    match obj.get("type").map(|t| string(t, &format!("{path}.type"))) {
        Some(Ok("default")) => Ok(()),
        Some(Err(e)) => Err(e),
        _ => Err(invalid(format!("{path}.type must be 'default'"))),
    }
}

/// Checks `inferenceConfig`; returns its stop sequences.
fn inference_config(v: &Value) -> Result<Vec<String>, AwsError> {
    let obj = object(v, "inferenceConfig")?;
    only(
        obj,
        &["maxTokens", "temperature", "topP", "stopSequences"],
        "inferenceConfig",
    )?;
    if let Some(m) = obj.get("maxTokens") {
        let m = m
            .as_u64()
            .ok_or_else(|| ser("inferenceConfig.maxTokens", "an integer"))?;
        if m < 1 {
            return Err(invalid(
                "inferenceConfig.maxTokens failed to satisfy constraint: Member must have value greater than or equal to 1",
            ));
        }
    }
    for name in ["temperature", "topP"] {
        if let Some(v) = obj.get(name) {
            let x = v
                .as_f64()
                .ok_or_else(|| ser(&format!("inferenceConfig.{name}"), "a number"))?;
            if !(0.0..=1.0).contains(&x) {
                return Err(invalid(format!(
                    "inferenceConfig.{name} failed to satisfy constraint: Member must have value between 0 and 1"
                )));
            }
        }
    }
    let mut stop_sequences = Vec::new();
    if let Some(stops) = obj.get("stopSequences") {
        for (i, s) in array(stops, "inferenceConfig.stopSequences")?
            .iter()
            .enumerate()
        {
            stop_sequences
                .push(string(s, &format!("inferenceConfig.stopSequences[{i}]"))?.to_string());
        }
    }
    Ok(stop_sequences)
}

/// Checks `toolConfig`; returns the tool names and the tool a `toolChoice` forces.
fn tool_config(v: &Value) -> Result<(Vec<String>, Option<String>), AwsError> {
    let obj = object(v, "toolConfig")?;
    only(obj, &["tools", "toolChoice"], "toolConfig")?;
    let tools = obj
        .get("tools")
        .ok_or_else(|| invalid("toolConfig.tools: Member must not be null"))?;
    let tools = array(tools, "toolConfig.tools")?;
    let mut names = Vec::new();
    for (i, tool) in tools.iter().enumerate() {
        let path = format!("toolConfig.tools[{i}]");
        let (kind, v) = union_member(tool, &path)?;
        match kind {
            "toolSpec" => {
                let spec = object(v, &path)?;
                only(spec, &["name", "description", "inputSchema"], &path)?;
                let name = string(
                    spec.get("name").unwrap_or(&Value::Null),
                    &format!("{path}.toolSpec.name"),
                )?;
                let valid = (1..=64).contains(&name.len())
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
                if !valid {
                    return Err(invalid(format!(
                        "{path}.toolSpec.name failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+"
                    )));
                }
                if names.iter().any(|n| n == name) {
                    return Err(invalid(format!("The tool name {name} is defined twice.")));
                }
                if let Some(d) = spec.get("description") {
                    string(d, &format!("{path}.toolSpec.description"))?;
                }
                let schema = spec.get("inputSchema").ok_or_else(|| {
                    invalid(format!(
                        "{path}.toolSpec.inputSchema: Member must not be null"
                    ))
                })?;
                let (member, json) = union_member(schema, &format!("{path}.toolSpec.inputSchema"))?;
                if member != "json" || !json.is_object() {
                    return Err(invalid(format!(
                        "{path}.toolSpec.inputSchema must be {{\"json\": <JSON schema object>}}"
                    )));
                }
                names.push(name.to_string());
            }
            "cachePoint" => cache_point(v, &path)?,
            other => return Err(invalid(format!("Unknown member '{other}' in {path}"))),
        }
    }
    if names.is_empty() {
        return Err(invalid(
            "toolConfig.tools failed to satisfy constraint: Member must have length greater than or equal to 1",
        ));
    }
    let forced = match obj.get("toolChoice") {
        None => None,
        Some(choice) => match union_member(choice, "toolConfig.toolChoice")? {
            ("auto", v) if v.as_object().is_some_and(Map::is_empty) => None,
            ("any", v) if v.as_object().is_some_and(Map::is_empty) => names.first().cloned(),
            ("tool", v) => {
                let name = string(
                    object(v, "toolConfig.toolChoice.tool")?
                        .get("name")
                        .unwrap_or(&Value::Null),
                    "toolConfig.toolChoice.tool.name",
                )?;
                if !names.iter().any(|n| n == name) {
                    return Err(invalid(format!(
                        "toolConfig.toolChoice.tool.name: {name} is not a defined tool."
                    )));
                }
                Some(name.to_string())
            }
            _ => {
                return Err(invalid(
                    "toolConfig.toolChoice must be {\"auto\":{}}, {\"any\":{}} or {\"tool\":{\"name\":...}}",
                ));
            }
        },
    };
    Ok((names, forced))
}

/// Checks the messages; fills `out` and says whether tool blocks were used.
fn conversation(messages: &[Value], out: &mut Converse) -> Result<bool, AwsError> {
    if messages.is_empty() {
        return Err(invalid(
            "A conversation must start with a user message. Try again with a conversation that starts with a user message.",
        ));
    }
    let mut expected_role = "user";
    let mut open_tool_uses: HashSet<String> = HashSet::new();
    let mut has_tool_blocks = false;
    for (i, message) in messages.iter().enumerate() {
        let path = format!("messages[{i}]");
        let obj = object(message, &path)?;
        only(obj, &["role", "content"], &path)?;
        let role = string(
            obj.get("role").unwrap_or(&Value::Null),
            &format!("{path}.role"),
        )?;
        if role != "user" && role != "assistant" {
            return Err(invalid(format!(
                "{path}.role failed to satisfy constraint: Member must satisfy enum value set: [user, assistant]"
            )));
        }
        if role != expected_role {
            return Err(invalid(if i == 0 {
                "A conversation must start with a user message. Try again with a conversation that starts with a user message.".to_string()
            } else {
                "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.".to_string()
            }));
        }
        expected_role = if role == "user" { "assistant" } else { "user" };
        let content = array(
            obj.get("content").unwrap_or(&Value::Null),
            &format!("{path}.content"),
        )?;
        if content.is_empty() {
            return Err(invalid(format!(
                "{path}.content failed to satisfy constraint: Member must have length greater than or equal to 1"
            )));
        }
        let mut text = String::new();
        let mut results = Vec::new();
        let mut uses = HashSet::new();
        for (j, block) in content.iter().enumerate() {
            let bpath = format!("{path}.content[{j}]");
            let (kind, v) = union_member(block, &bpath)?;
            match (kind, role) {
                ("text", _) => {
                    let t = non_blank(v, &bpath)?;
                    out.input_words += words(t);
                    text.push_str(t);
                }
                ("image", "user") => image(v, &bpath)?,
                ("cachePoint", _) => cache_point(v, &bpath)?,
                ("toolUse", "assistant") => {
                    has_tool_blocks = true;
                    let o = object(v, &bpath)?;
                    only(o, &["toolUseId", "name", "input"], &bpath)?;
                    let id = string(
                        o.get("toolUseId").unwrap_or(&Value::Null),
                        &format!("{bpath}.toolUse.toolUseId"),
                    )?;
                    string(
                        o.get("name").unwrap_or(&Value::Null),
                        &format!("{bpath}.toolUse.name"),
                    )?;
                    object(
                        o.get("input").unwrap_or(&Value::Null),
                        &format!("{bpath}.toolUse.input"),
                    )?;
                    uses.insert(id.to_string());
                }
                ("toolResult", "user") => {
                    has_tool_blocks = true;
                    let o = object(v, &bpath)?;
                    only(o, &["toolUseId", "content", "status"], &bpath)?;
                    let id = string(
                        o.get("toolUseId").unwrap_or(&Value::Null),
                        &format!("{bpath}.toolResult.toolUseId"),
                    )?;
                    if !open_tool_uses.remove(id) {
                        return Err(invalid(format!(
                            "The toolResult block {id} does not answer a toolUse block of the previous assistant turn."
                        )));
                    }
                    let parts = array(
                        o.get("content").unwrap_or(&Value::Null),
                        &format!("{bpath}.toolResult.content"),
                    )?;
                    let mut result = String::new();
                    for (k, part) in parts.iter().enumerate() {
                        match union_member(part, &format!("{bpath}.toolResult.content[{k}]"))? {
                            ("text", t) => result.push_str(string(t, &bpath)?),
                            ("json", j) => result.push_str(&j.to_string()),
                            ("image", img) => image(img, &bpath)?,
                            (other, _) => {
                                return Err(invalid(format!(
                                    "Unknown member '{other}' in {bpath}.toolResult.content[{k}]"
                                )));
                            }
                        }
                    }
                    if let Some(status) = o.get("status")
                        && !matches!(status.as_str(), Some("success" | "error"))
                    {
                        return Err(invalid(format!(
                            "{bpath}.toolResult.status must be success or error"
                        )));
                    }
                    results.push(result);
                }
                ("reasoningContent", "assistant") => {
                    object(v, &bpath)?;
                }
                (other, _) => {
                    return Err(invalid(format!(
                        "{bpath}: a {role} message cannot hold a '{other}' block"
                    )));
                }
            }
        }
        if role == "user" {
            if let Some(id) = open_tool_uses.iter().next() {
                return Err(invalid(format!(
                    "Expected toolResult blocks for every toolUse block of the previous turn; {id} is not answered."
                )));
            }
            out.last_user_text = text;
            out.tool_results = results;
        } else {
            open_tool_uses = uses;
        }
    }
    if expected_role == "user" {
        // The conversation ends with an assistant turn: Bedrock continues it (prefill).
        out.tool_results.clear();
    }
    Ok(has_tool_blocks)
}

fn image(v: &Value, path: &str) -> Result<(), AwsError> {
    let o = object(v, path)?;
    only(o, &["format", "source"], path)?;
    let format = string(
        o.get("format").unwrap_or(&Value::Null),
        &format!("{path}.image.format"),
    )?;
    if !matches!(format, "png" | "jpeg" | "gif" | "webp") {
        return Err(invalid(format!(
            "{path}.image.format failed to satisfy constraint: Member must satisfy enum value set: [png, jpeg, gif, webp]"
        )));
    }
    let source = object(
        o.get("source").unwrap_or(&Value::Null),
        &format!("{path}.image.source"),
    )?;
    let bytes = string(
        source.get("bytes").unwrap_or(&Value::Null),
        &format!("{path}.image.source.bytes"),
    )?;
    if bytes.is_empty() || STANDARD.decode(bytes).is_err() {
        return Err(AwsError::serialization(format!(
            "{path}.image.source.bytes: not valid base64"
        )));
    }
    Ok(())
}
