//! Deterministic non-streaming response bodies.

use base64::Engine;
use bytes::Bytes;
use serde_json::{Value, json};
use xxhash_rust::xxh3::xxh3_64;

use crate::route::Api;
use crate::tools;
use crate::validate::{Input, Parsed, word_count};

/// The fixed `created` timestamp of every response.
pub const CREATED: u64 = 1_700_000_000;

/// Number of dimensions of each fake embedding.
pub const EMBEDDING_DIMS: usize = 8;

/// Completion tokens reported for a tool-call answer.
pub const TOOL_CALL_TOKENS: u64 = 5;

/// How many words of the user's text the reply echoes.
const ECHO_WORDS: usize = 5;

/// The response id: a prefix plus a hash of the request body.
pub fn response_id(api: Api, body: &[u8]) -> String {
    let prefix = match api {
        Api::Chat => "chatcmpl",
        Api::Completions => "cmpl",
        Api::Embeddings => "emb",
    };
    format!("{prefix}-{:016x}", xxh3_64(body))
}

/// The assistant's reply: names the backend and echoes the first words of the user's text.
pub fn reply_text(backend: &str, input: &Input) -> String {
    let source = match input {
        Input::Chat { last_user } => last_user.as_str(),
        Input::Completion { prompt } => prompt.as_str(),
        Input::Embeddings { .. } => "",
    };
    let echo: Vec<&str> = source.split_whitespace().take(ECHO_WORDS).collect();
    let echo = if echo.is_empty() {
        "nothing".to_string()
    } else {
        echo.join(" ")
    };
    format!("Hello from {backend}! You said: {echo}")
}

/// The `usage` object for chat and completions.
pub fn usage(prompt_tokens: u64, completion_tokens: u64) -> Value {
    json!({
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0
        }
    })
}

/// The full JSON body of a non-streaming response.
pub fn complete(api: Api, backend: &str, parsed: &Parsed, body: &[u8]) -> Bytes {
    let id = response_id(api, body);
    let value = match (&parsed.input, api) {
        (Input::Embeddings { items, base64 }, _) => embeddings(parsed, items, *base64),
        (_, Api::Completions) => {
            let text = reply_text(backend, &parsed.input);
            let out = word_count(&text);
            json!({
                "id": id,
                "object": "text_completion",
                "created": CREATED,
                "model": parsed.model,
                "choices": [{"text": text, "index": 0, "logprobs": null, "finish_reason": "stop"}],
                "usage": usage(parsed.prompt_tokens, out),
            })
        }
        (Input::Chat { last_user }, _) if parsed.tool_call.is_some() => {
            let name = parsed.tool_call.as_deref().unwrap_or_default();
            json!({
                "id": id,
                "object": "chat.completion",
                "created": CREATED,
                "model": parsed.model,
                "choices": [{
                    "index": 0,
                    "message": tools::message(name, &tools::call_id(&id), last_user),
                    "logprobs": null,
                    "finish_reason": "tool_calls"
                }],
                "usage": usage(parsed.prompt_tokens, TOOL_CALL_TOKENS),
                "system_fingerprint": "fp_testupstream",
            })
        }
        _ => {
            let text = reply_text(backend, &parsed.input);
            let out = word_count(&text);
            json!({
                "id": id,
                "object": "chat.completion",
                "created": CREATED,
                "model": parsed.model,
                "choices": [{
                    "index": 0,
                    "message": {"role": "assistant", "content": text, "refusal": null},
                    "logprobs": null,
                    "finish_reason": "stop"
                }],
                "usage": usage(parsed.prompt_tokens, out),
                "system_fingerprint": "fp_testupstream",
            })
        }
    };
    Bytes::from(value.to_string())
}

fn embeddings(parsed: &Parsed, items: &[String], base64: bool) -> Value {
    let data: Vec<Value> = items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let vector = embedding(item);
            let embedding = if base64 {
                let bytes: Vec<u8> = vector.iter().flat_map(|f| f.to_le_bytes()).collect();
                Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
            } else {
                json!(vector)
            };
            json!({"object": "embedding", "index": index, "embedding": embedding})
        })
        .collect();
    json!({
        "object": "list",
        "data": data,
        "model": parsed.model,
        "usage": {"prompt_tokens": parsed.prompt_tokens, "total_tokens": parsed.prompt_tokens},
    })
}

/// A small deterministic vector in [-1, 1] derived from the text's hash.
pub fn embedding(text: &str) -> [f32; EMBEDDING_DIMS] {
    let h = xxh3_64(text.as_bytes());
    std::array::from_fn(|i| {
        let byte = ((h >> (8 * i)) & 0xff) as f32;
        byte / 127.5 - 1.0
    })
}

/// [`embedding`] cut or repeated to `dims` values.
pub fn embedding_of_size(text: &str, dims: usize) -> Vec<f32> {
    let base = embedding(text);
    (0..dims).map(|i| base[i % EMBEDDING_DIMS]).collect()
}

/// The vectors of `texts`, each of `dims` values ([`EMBEDDING_DIMS`] when `None`).
pub fn embeddings_of(texts: &[String], dims: Option<usize>) -> Vec<Vec<f32>> {
    let dims = dims.unwrap_or(EMBEDDING_DIMS);
    texts.iter().map(|t| embedding_of_size(t, dims)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(input: Input) -> Parsed {
        Parsed {
            model: "m".into(),
            stream: false,
            include_usage: false,
            prompt_tokens: 7,
            tool_call: None,
            input,
        }
    }

    #[test]
    fn chat_response_shape_and_usage() {
        let p = parsed(Input::Chat {
            last_user: "one two three four five six".into(),
        });
        let body = complete(Api::Chat, "be1", &p, b"{}");
        let v: Value = serde_json::from_slice(&body).unwrap();
        let content = v["choices"][0]["message"]["content"].as_str().unwrap();
        assert_eq!(content, "Hello from be1! You said: one two three four five");
        assert_eq!(v["usage"]["prompt_tokens"], 7);
        assert_eq!(v["usage"]["completion_tokens"], 10);
        assert_eq!(v["usage"]["total_tokens"], 17);
        assert_eq!(v["usage"]["prompt_tokens_details"]["cached_tokens"], 0);
        assert_eq!(v["created"], CREATED);
        assert_eq!(v["model"], "m");
    }

    #[test]
    fn responses_are_deterministic() {
        let p = parsed(Input::Completion {
            prompt: "say hi".into(),
        });
        let a = complete(Api::Completions, "x", &p, b"{\"a\":1}");
        let b = complete(Api::Completions, "x", &p, b"{\"a\":1}");
        assert_eq!(a, b);
        let c = complete(Api::Completions, "x", &p, b"{\"a\":2}");
        assert_ne!(a, c, "id derives from the body");
    }

    #[test]
    fn embeddings_float_and_base64() {
        let items = vec!["a".to_string(), "b".to_string()];
        let p = parsed(Input::Embeddings {
            items: items.clone(),
            base64: false,
        });
        let v: Value = serde_json::from_slice(&complete(Api::Embeddings, "x", &p, b"")).unwrap();
        assert_eq!(v["data"][1]["index"], 1);
        assert_eq!(
            v["data"][0]["embedding"].as_array().unwrap().len(),
            EMBEDDING_DIMS
        );
        assert_eq!(v["usage"]["total_tokens"], 7);
        let p = parsed(Input::Embeddings {
            items,
            base64: true,
        });
        let v: Value = serde_json::from_slice(&complete(Api::Embeddings, "x", &p, b"")).unwrap();
        let b64 = v["data"][0]["embedding"].as_str().unwrap();
        let raw = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        assert_eq!(raw.len(), EMBEDDING_DIMS * 4);
        let first = f32::from_le_bytes(raw[..4].try_into().unwrap());
        assert_eq!(first, embedding("a")[0]);
    }
}
