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
    if let Ok(prepared) = prepare_request(kind, body, force, &limits) {
        let parsed: Value = serde_json::from_slice(body).expect("accepted body is not JSON");
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
