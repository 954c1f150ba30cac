//! `GET /v1/models`: the list of models the gateway's routes accept, in OpenAI's shape.

use serde::{Deserialize, Serialize};

use super::error::OpenAiError;

/// The client path of the model list.
pub const MODELS_PATH: &str = "/v1/models";

/// One listed model.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ModelEntry {
    /// The model name clients send.
    pub id: String,
    /// Who serves it (the gateway reports the backend name).
    pub owned_by: String,
}

/// Whether `path` (query ignored) is the model list.
pub fn is_models_path(path: &str) -> bool {
    path.split_once('?').map_or(path, |(p, _)| p) == MODELS_PATH
}

/// The reply body `{"object":"list","data":[{"id","object":"model","created","owned_by"}]}`,
/// every entry with the same `created` (Unix seconds).
pub fn list_body(models: &[ModelEntry], created: u64) -> Vec<u8> {
    let data: Vec<serde_json::Value> = models
        .iter()
        .map(|m| {
            serde_json::json!({
                "id": m.id,
                "object": "model",
                "created": created,
                "owned_by": m.owned_by,
            })
        })
        .collect();
    serde_json::json!({"object": "list", "data": data})
        .to_string()
        .into_bytes()
}

/// The `405` for a method other than GET on the model list.
pub fn method_not_allowed(method: &str) -> OpenAiError {
    OpenAiError {
        status: 405,
        message: format!("Method {method} is not allowed on {MODELS_PATH}; use GET."),
        param: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_has_openai_shape() {
        let models = [ModelEntry {
            id: "gpt-4o".into(),
            owned_by: "openai".into(),
        }];
        let v: serde_json::Value = serde_json::from_slice(&list_body(&models, 7)).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"object": "list", "data": [
                {"id": "gpt-4o", "object": "model", "created": 7, "owned_by": "openai"}
            ]})
        );
        let empty: serde_json::Value = serde_json::from_slice(&list_body(&[], 7)).unwrap();
        assert_eq!(empty, serde_json::json!({"object": "list", "data": []}));
    }

    #[test]
    fn path_and_method() {
        assert!(is_models_path("/v1/models"));
        assert!(is_models_path("/v1/models?limit=2"));
        assert!(!is_models_path("/v1/models/gpt-4o"));
        assert!(!is_models_path("/v1/model"));
        let e = method_not_allowed("POST");
        assert_eq!(e.status, 405);
        assert_eq!(
            e.message,
            "Method POST is not allowed on /v1/models; use GET."
        );
    }
}
