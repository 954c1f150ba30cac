//! The Anthropic and Gemini translators, requests and responses, buffered and streamed.

use crate::streams::Translation;
use crate::{Chunks, assert_openai_sse};
use aigw_core::anthropic::error::translate_error as anthropic_error;
use aigw_core::anthropic::request::translate_request;
use aigw_core::anthropic::response::translate_response;
use aigw_core::anthropic::stream::StreamTranslator;
use aigw_core::gemini::embeddings::{embeddings_request, embeddings_response};
use aigw_core::gemini::error::error_response as gemini_error;
use aigw_core::gemini::request::chat_request;
use aigw_core::gemini::response::{ResponseContext, chat_response};
use aigw_core::gemini::stream::ChatStream;
use serde_json::Value;

const CREATED: u64 = 1_700_000_000;

fn assert_json_object(bytes: &[u8], what: &str) -> Value {
    let value: Value = serde_json::from_slice(bytes).unwrap_or_else(|e| {
        panic!(
            "{what} is not JSON ({e}): {:?}",
            String::from_utf8_lossy(bytes)
        )
    });
    assert!(value.is_object(), "{what} is not a JSON object");
    value
}

fn override_for(flag: u8) -> Option<&'static str> {
    (flag & 1 != 0).then_some("claude-override")
}

/// An OpenAI chat request to an Anthropic Messages body (the first byte picks a model
/// override): a translation is a JSON object with the model, `max_tokens` and messages.
pub fn anthropic_request(input: &[u8]) {
    let Some((flag, body)) = input.split_first() else {
        return;
    };
    if let Ok(request) = translate_request(body, override_for(*flag)) {
        let value = assert_json_object(&request.body, "Anthropic request");
        assert!(value["model"].is_string(), "no model");
        assert!(value["max_tokens"].is_u64(), "no max_tokens");
        assert!(value["messages"].is_array(), "no messages");
        assert_eq!(value["stream"].as_bool().unwrap_or(false), request.stream);
    }
}

/// An Anthropic message or error body to OpenAI: the translation, and the error
/// translation for any status, are JSON objects.
pub fn anthropic_response(input: &[u8]) {
    let Some((status, body)) = input.split_first() else {
        return;
    };
    if let Ok(out) = translate_response(body, CREATED) {
        let value = assert_json_object(&out, "chat.completion");
        assert_eq!(value["object"], "chat.completion");
    }
    let error = assert_json_object(&anthropic_error(400 + u16::from(*status), body), "error");
    assert!(
        error["error"]["message"].is_string(),
        "error without message"
    );
}

/// An Anthropic SSE stream to OpenAI chunks, cut at the points the first byte selects: the
/// output is well-formed OpenAI SSE ending with `[DONE]`, and the same as for the whole
/// stream in one piece.
pub fn anthropic_stream(input: &[u8]) {
    let (seed, data) = Chunks::split_seed(input);
    let translation = Translation {
        new: |include_usage| StreamTranslator::new(CREATED, include_usage),
        feed: StreamTranslator::feed,
        finish: StreamTranslator::finish,
    };
    assert_openai_sse(&translation.same_when_chunked(seed, data), true);
}

/// An OpenAI chat or embeddings request to Gemini (the first byte picks which, and a model
/// override): a translation is a JSON object sent to a `/v1beta/models/` path.
pub fn gemini_request(input: &[u8]) {
    let Some((flag, body)) = input.split_first() else {
        return;
    };
    let model_override = override_for(*flag).map(|_| "gemini-override");
    if flag & 2 == 0 {
        if let Ok(request) = chat_request(body, model_override) {
            let value = assert_json_object(&request.body, "Gemini request");
            assert!(value["contents"].is_array(), "no contents");
            assert!(
                request.path.starts_with("/v1beta/models/"),
                "path {}",
                request.path
            );
        }
    } else if let Ok(request) = embeddings_request(body, model_override) {
        let value = assert_json_object(&request.body, "Gemini embeddings request");
        assert!(value["requests"].is_array(), "no requests");
        assert!(
            request.path.starts_with("/v1beta/models/"),
            "path {}",
            request.path
        );
    }
}

/// A Gemini chat, embeddings or error body to OpenAI: every translation is a JSON object.
pub fn gemini_response(input: &[u8]) {
    let Some((flag, body)) = input.split_first() else {
        return;
    };
    let context = ResponseContext {
        model: "gemini-fuzz".to_string(),
        created: CREATED,
    };
    if let Ok(out) = chat_response(body, &context) {
        let value = assert_json_object(&out, "chat.completion");
        assert_eq!(value["object"], "chat.completion");
    }
    if let Ok(out) = embeddings_response(body, "gemini-fuzz", flag & 1 != 0) {
        let value = assert_json_object(&out, "embeddings");
        assert_eq!(value["object"], "list");
    }
    let error = assert_json_object(&gemini_error(400 + u16::from(*flag), body), "error");
    assert!(
        error["error"]["message"].is_string(),
        "error without message"
    );
}

/// A Gemini SSE stream to OpenAI chunks, cut at the points the first byte selects: the
/// output is well-formed OpenAI SSE ending with `[DONE]`, and the same as for the whole
/// stream in one piece.
pub fn gemini_stream(input: &[u8]) {
    let (seed, data) = Chunks::split_seed(input);
    let translation = Translation {
        new: |include_usage| {
            let context = ResponseContext {
                model: "gemini-fuzz".to_string(),
                created: CREATED,
            };
            ChatStream::new(context, include_usage)
        },
        feed: ChatStream::feed,
        finish: ChatStream::finish,
    };
    assert_openai_sse(&translation.same_when_chunked(seed, data), true);
}
