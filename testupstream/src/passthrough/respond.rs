//! Deterministic answers of the passthrough endpoints.

use base64::Engine;
use bytes::Bytes;
use serde_json::{Value, json};
use xxhash_rust::xxh3::xxh3_64;

use super::Endpoint;
use super::multipart::Upload;
use super::validate::{ImagesRequest, ResponsesRequest, SPEECH_FORMATS, SpeechRequest};
use crate::respond::CREATED;
use crate::validate::{Input, word_count};

fn reply(backend: &str, last_user: &str) -> String {
    let input = Input::Chat {
        last_user: last_user.to_string(),
    };
    crate::respond::reply_text(backend, &input)
}

/// The Responses API object, `status` and output text given.
fn response_object(id: &str, r: &ResponsesRequest, status: &str, text: &str) -> Value {
    let output_tokens = word_count(text);
    let output = if status == "completed" {
        json!([{
            "type": "message", "id": format!("msg_{id}"), "status": "completed", "role": "assistant",
            "content": [{"type": "output_text", "text": text, "annotations": []}],
        }])
    } else {
        json!([])
    };
    let usage = if status == "completed" {
        json!({
            "input_tokens": r.input_tokens, "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": output_tokens, "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": r.input_tokens + output_tokens,
        })
    } else {
        Value::Null
    };
    json!({
        "id": format!("resp_{id}"), "object": "response", "created_at": CREATED,
        "status": status, "error": null, "incomplete_details": null, "instructions": null,
        "model": r.model, "output": output, "parallel_tool_calls": true, "temperature": 1.0,
        "tool_choice": "auto", "tools": [], "top_p": 1.0, "usage": usage,
    })
}

/// A whole Responses API answer.
pub fn response(backend: &str, r: &ResponsesRequest, body: &[u8]) -> Bytes {
    let id = format!("{:016x}", xxh3_64(body));
    let text = reply(backend, &r.last_user);
    Bytes::from(response_object(&id, r, "completed", &text).to_string())
}

/// A streamed Responses API answer: created, the output item and part, one text delta per
/// word, the done events and `response.completed`.
pub fn response_events(backend: &str, r: &ResponsesRequest, body: &[u8]) -> Vec<Bytes> {
    let id = format!("{:016x}", xxh3_64(body));
    let text = reply(backend, &r.last_user);
    let item_id = format!("msg_{id}");
    let item = |status: &str, content: Value| json!({"type": "message", "id": item_id, "status": status, "role": "assistant", "content": content});
    let part = |t: &str| json!({"type": "output_text", "text": t, "annotations": []});
    let mut events = vec![
        json!({"type": "response.created", "response": response_object(&id, r, "in_progress", "")}),
        json!({"type": "response.output_item.added", "output_index": 0, "item": item("in_progress", json!([]))}),
        json!({"type": "response.content_part.added", "item_id": item_id, "output_index": 0, "content_index": 0, "part": part("")}),
    ];
    for (i, word) in text.split(' ').enumerate() {
        let delta = if i == 0 {
            word.to_string()
        } else {
            format!(" {word}")
        };
        events.push(json!({"type": "response.output_text.delta", "item_id": item_id, "output_index": 0, "content_index": 0, "delta": delta}));
    }
    events.extend([
        json!({"type": "response.output_text.done", "item_id": item_id, "output_index": 0, "content_index": 0, "text": text}),
        json!({"type": "response.content_part.done", "item_id": item_id, "output_index": 0, "content_index": 0, "part": part(&text)}),
        json!({"type": "response.output_item.done", "output_index": 0, "item": item("completed", json!([part(&text)]))}),
        json!({"type": "response.completed", "response": response_object(&id, r, "completed", &text)}),
    ]);
    events
        .into_iter()
        .enumerate()
        .map(|(seq, mut event)| {
            event["sequence_number"] = json!(seq);
            let name = event["type"].as_str().unwrap_or_default().to_string();
            Bytes::from(format!("event: {name}\ndata: {event}\n\n"))
        })
        .collect()
}

/// Image generation: `n` fake PNG images (base64 or URL) derived from the prompt.
pub fn images(r: &ImagesRequest) -> Bytes {
    let data: Vec<Value> = (0..r.n)
        .map(|i| {
            let hash = xxh3_64(format!("{}:{}:{i}", r.model, r.prompt).as_bytes());
            if r.url {
                json!({"url": format!("https://testupstream.invalid/images/{hash:016x}.png"), "revised_prompt": r.prompt})
            } else {
                let png = [b"\x89PNG\r\n\x1a\n".as_slice(), &hash.to_le_bytes()].concat();
                let b64 = base64::engine::general_purpose::STANDARD.encode(png);
                json!({"b64_json": b64, "revised_prompt": r.prompt})
            }
        })
        .collect();
    Bytes::from(json!({"created": CREATED, "data": data}).to_string())
}

/// Speech: the content type of the format and fake audio naming backend, voice and input.
pub fn speech(backend: &str, r: &SpeechRequest) -> (&'static str, Bytes) {
    let content_type = SPEECH_FORMATS
        .iter()
        .find(|(f, _)| *f == r.format)
        .map_or("audio/mpeg", |(_, ct)| ct);
    let audio = format!("FAKEAUDIO {backend} {} {}: {}", r.format, r.voice, r.input);
    (content_type, Bytes::from(audio))
}

/// Transcription or translation text naming the backend, the model and the upload.
pub fn transcription(backend: &str, endpoint: Endpoint, u: &Upload) -> (&'static str, Bytes) {
    let verb = if endpoint == Endpoint::Translations {
        "translated"
    } else {
        "transcribed"
    };
    let text = format!(
        "Hello from {backend}! {} {verb} {} bytes of {}",
        u.model, u.size, u.filename
    );
    match u.format.as_str() {
        "json" | "verbose_json" => (
            "application/json",
            Bytes::from(json!({"text": text}).to_string()),
        ),
        _ => ("text/plain", Bytes::from(text)),
    }
}
