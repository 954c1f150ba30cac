//! The router's OpenAI request view and the edits it makes to client bodies.

use aigw_core::api_kind::ApiKind;
use aigw_core::openai::limits::RequestLimits;
use aigw_core::openai::model_override::model_override_edit;
use aigw_core::openai::routing::prepare_request;
use serde_json::Value;

const KINDS: [ApiKind; 3] = [
    ApiKind::ChatCompletions,
    ApiKind::Completions,
    ApiKind::Embeddings,
];
const OVERRIDE: &str = "fuzz-override\u{e9}\"model";

/// Validates the body as each API kind would (the first byte picks the kind, whether usage
/// is forced and small message/tool limits); an accepted body keeps its model, an edited body is valid JSON that asks for
/// usage, and a model override always yields a body naming the new model.
pub fn openai_request(input: &[u8]) {
    let Some((mode, body)) = input.split_first() else {
        return;
    };
    let kind = KINDS[usize::from(mode % 3)];
    let force = mode & 4 != 0;
    let limits = RequestLimits {
        max_messages: usize::from(mode >> 4) + 1,
        max_tools: usize::from(mode >> 4),
    };
    // serde_json's `Value` refuses numbers beyond f64 (`1e400`), valid JSON the gateway
    // passes on: such bodies are only checked to stay valid JSON.
    let Ok(parsed) = serde_json::from_slice::<Value>(body) else {
        if let Ok(prepared) = prepare_request(kind, body, force, &limits) {
            assert_json(prepared.body.as_deref().unwrap_or(body));
        }
        if let Ok(Some(edit)) = model_override_edit(body, OVERRIDE) {
            assert_json(&edit.apply(body));
        }
        return;
    };
    if let Ok(prepared) = prepare_request(kind, body, force, &limits) {
        assert_eq!(
            parsed["model"].as_str(),
            Some(&*prepared.model),
            "model differs"
        );
        if let Some(edited) = &prepared.body {
            let value: Value = serde_json::from_slice(edited).expect("edited body is not JSON");
            assert_eq!(
                value["stream_options"]["include_usage"], true,
                "usage not forced"
            );
            assert_eq!(value["model"], parsed["model"], "edit changed the model");
            let again = prepare_request(kind, edited, force, &limits).expect("edited body refused");
            assert_eq!(again.body, None, "forcing usage twice edits again");
        }
    }
    if let Ok(Some(edit)) = model_override_edit(body, OVERRIDE) {
        let edited = edit.apply(body);
        let value: Value = serde_json::from_slice(&edited).expect("overridden body is not JSON");
        assert_eq!(value["model"], OVERRIDE, "override not applied");
    }
}

fn assert_json(body: &[u8]) {
    serde_json::from_slice::<serde::de::IgnoredAny>(body).expect("edited body is not JSON");
}
