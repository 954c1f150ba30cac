//! OpenAI message content -> Converse content blocks (`text`, `image`, `toolUse`,
//! `toolResult`, `cachePoint`).

use crate::anthropic::openai_in::{Content, Part, ToolCall};
use crate::openai::error::OpenAiError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

/// Converse content blocks.
pub type Blocks = Vec<Value>;

fn bad(message: impl Into<String>) -> OpenAiError {
    OpenAiError::bad_request(message, Some("messages"))
}

/// The block that marks a prompt-cache checkpoint after the blocks before it.
pub fn cache_point() -> Value {
    json!({ "cachePoint": { "type": "default" } })
}

/// A text block, followed by a cache point when the part asked for caching.
fn push_text(blocks: &mut Blocks, text: String, cache_control: Option<Value>) {
    if !text.is_empty() {
        blocks.push(json!({ "text": text }));
    }
    if cache_control.is_some() {
        blocks.push(cache_point());
    }
}

/// Content that may only hold text (system, developer and tool messages).
pub fn text_blocks(content: Content, role: &str) -> Result<Blocks, OpenAiError> {
    let mut blocks = Vec::new();
    match content {
        Content::Text(text) => push_text(&mut blocks, text, None),
        Content::Parts(parts) => {
            for part in parts {
                let Part::Text {
                    text,
                    cache_control,
                } = part
                else {
                    return Err(bad(format!("A {role} message may only hold text parts.")));
                };
                push_text(&mut blocks, text, cache_control);
            }
        }
    }
    Ok(blocks)
}

/// A user message: text and base64 images.
pub fn user_blocks(content: Content) -> Result<Blocks, OpenAiError> {
    let parts = match content {
        Content::Parts(parts) => parts,
        text => return text_blocks(text, "user"),
    };
    let mut blocks = Vec::new();
    for part in parts {
        match part {
            Part::Text {
                text,
                cache_control,
            } => push_text(&mut blocks, text, cache_control),
            Part::ImageUrl {
                image_url,
                cache_control,
            } => {
                blocks.push(image_block(&image_url.url)?);
                if cache_control.is_some() {
                    blocks.push(cache_point());
                }
            }
            Part::Refusal { .. } | Part::InputAudio {} | Part::File {} => {
                return Err(bad(
                    "User content parts must be 'text' or 'image_url' for a Bedrock backend.",
                ));
            }
        }
    }
    Ok(blocks)
}

/// A `data:image/<png|jpeg|gif|webp>;base64,<data>` URL becomes an image block with its
/// bytes; any other URL is refused (Converse takes image bytes only).
fn image_block(url: &str) -> Result<Value, OpenAiError> {
    let Some(rest) = url.strip_prefix("data:") else {
        return Err(bad(
            "A Bedrock backend needs images as base64 data URLs (data:image/png;base64,...): the Converse API takes image bytes, not URLs.",
        ));
    };
    let (media_type, data) = rest
        .split_once(";base64,")
        .ok_or_else(|| bad("An image data URL must look like data:image/<type>;base64,<data>."))?;
    let format = match media_type {
        "image/png" => "png",
        "image/jpeg" | "image/jpg" => "jpeg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        other => {
            return Err(bad(format!(
                "Image type {other:?} is not supported by Bedrock: use png, jpeg, gif or webp."
            )));
        }
    };
    if data.is_empty() || STANDARD.decode(data).is_err() {
        return Err(bad("The image data URL does not hold valid base64 data."));
    }
    Ok(json!({ "image": { "format": format, "source": { "bytes": data } } }))
}

/// An assistant message: text (refusals as text) and `toolUse` blocks.
pub fn assistant_blocks(
    content: Option<Content>,
    tool_calls: Option<Vec<ToolCall>>,
) -> Result<Blocks, OpenAiError> {
    let mut blocks = Vec::new();
    match content {
        None => {}
        Some(Content::Text(text)) => push_text(&mut blocks, text, None),
        Some(Content::Parts(parts)) => {
            for part in parts {
                match part {
                    Part::Text {
                        text,
                        cache_control,
                    } => push_text(&mut blocks, text, cache_control),
                    Part::Refusal { refusal } => push_text(&mut blocks, refusal, None),
                    _ => return Err(bad("Assistant content parts must be 'text' or 'refusal'.")),
                }
            }
        }
    }
    for call in tool_calls.unwrap_or_default() {
        let input = call.input()?;
        blocks.push(json!({
            "toolUse": { "toolUseId": call.id, "name": call.function.name, "input": input },
        }));
    }
    Ok(blocks)
}

/// A tool message: one `toolResult` block holding its text.
pub fn tool_result_block(content: Content, tool_call_id: String) -> Result<Value, OpenAiError> {
    let text: Vec<Value> = text_blocks(content, "tool")?
        .into_iter()
        .filter(|b| b.get("text").is_some())
        .collect();
    let text = if text.is_empty() {
        vec![json!({ "text": "" })]
    } else {
        text
    };
    Ok(json!({ "toolResult": { "toolUseId": tool_call_id, "content": text } }))
}
