//! The OpenAI `chat.completion.chunk` written by the stream translation, serialized straight
//! into the output buffer from borrowed data (no intermediate JSON tree per event).

use crate::openai::chunk_sink::ChunkSink;
use serde::Serialize;

/// One `chat.completion.chunk` with a single choice.
#[derive(Serialize)]
pub struct Chunk<'a> {
    pub id: &'a str,
    pub object: &'static str,
    pub created: u64,
    pub model: &'a str,
    pub choices: [Choice<'a>; 1],
}

/// The final `chat.completion.chunk` with no choice and the stream's `usage`.
#[derive(Serialize)]
pub struct UsageChunk<'a> {
    pub id: &'a str,
    pub object: &'static str,
    pub created: u64,
    pub model: &'a str,
    pub choices: [(); 0],
    pub usage: serde_json::Value,
}

/// What every chunk of one stream repeats: its id, `created` time and model.
#[derive(Clone, Copy)]
pub struct ChunkHead<'a> {
    /// The `chatcmpl-...` id.
    pub id: &'a str,
    /// The Unix time reported as `created`.
    pub created: u64,
    /// The model reported as `model`.
    pub model: &'a str,
}

impl ChunkHead<'_> {
    /// Writes a chunk whose one choice adds `delta`; `finish_reason` ends the choice and
    /// `stop_reason` names the stop string that matched.
    pub fn write_chunk(
        self,
        delta: Delta<'_>,
        finish_reason: Option<&str>,
        stop_reason: Option<&str>,
        out: &mut dyn ChunkSink,
    ) {
        let chunk = Chunk {
            id: self.id,
            object: "chat.completion.chunk",
            created: self.created,
            model: self.model,
            choices: [Choice {
                index: 0,
                delta,
                logprobs: None,
                finish_reason,
                stop_reason,
            }],
        };
        out.chunk(&chunk);
    }

    /// Writes a chunk that adds one streamed tool call (or part of its arguments).
    pub fn write_tool_call(self, call: ToolCall<'_>, out: &mut dyn ChunkSink) {
        let delta = Delta {
            tool_calls: Some([call]),
            ..Delta::default()
        };
        self.write_chunk(delta, None, None, out);
    }

    /// Writes the final usage chunk (`choices: []`) reporting `usage`.
    pub fn write_usage(self, usage: serde_json::Value, out: &mut dyn ChunkSink) {
        let chunk = UsageChunk {
            id: self.id,
            object: "chat.completion.chunk",
            created: self.created,
            model: self.model,
            choices: [],
            usage,
        };
        out.usage(&chunk);
    }
}

/// The choice of a chunk.
#[derive(Serialize)]
pub struct Choice<'a> {
    pub index: u32,
    pub delta: Delta<'a>,
    pub logprobs: Option<()>,
    pub finish_reason: Option<&'a str>,
    /// The stop string that ended the output, when the provider names it (the vLLM
    /// extension the Anthropic Messages translation reads as `stop_sequence`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_reason: Option<&'a str>,
}

/// What a chunk adds to the message; absent members are left out.
#[derive(Serialize, Default)]
pub struct Delta<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_calls: Option<[ToolCall<'a>; 1]>,
}

/// A streamed tool call: the first chunk carries `id`, `type` and the name.
#[derive(Serialize)]
pub struct ToolCall<'a> {
    pub index: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'a str>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    pub function: Function<'a>,
}

/// The function part of a streamed tool call.
#[derive(Serialize)]
pub struct Function<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    pub arguments: &'a str,
}

/// Writes `value` as one SSE `data:` event.
pub fn write_data<T: Serialize>(out: &mut Vec<u8>, value: &T) {
    out.extend_from_slice(b"data: ");
    // Serializing these plain structs into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
    out.extend_from_slice(b"\n\n");
}
