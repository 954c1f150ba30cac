//! Direct 404s in Anthropic's error schema for the client-facing Anthropic endpoints
//! (`/anthropic/v1/messages`, `.../count_tokens`) when no route serves the request's model;
//! they follow the model routes, like the OpenAI paths' 404s.

use aigw_core::anthropic::messages::error::AnthropicError;
use aigw_core::anthropic::messages::{COUNT_TOKENS_CLIENT_PATH, MESSAGES_CLIENT_PATH};
use serde_json::{Value, json};

/// One direct-response route per Anthropic endpoint.
pub fn unknown_model_routes() -> Vec<Value> {
    let error =
        AnthropicError::not_found("The model named in the request is not served by this gateway.");
    let body = String::from_utf8_lossy(&error.body()).into_owned();
    [MESSAGES_CLIENT_PATH, COUNT_TOKENS_CLIENT_PATH]
        .iter()
        .map(|path| {
            json!({
                "name": format!("unknown-model{path}"),
                "match": {"path": path},
                "direct_response": {"status": 404, "body": {"inline_string": body}},
                "response_headers_to_add": [{
                    "header": {"key": "content-type", "value": "application/json"},
                    "append_action": "OVERWRITE_IF_EXISTS_OR_ADD",
                }],
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anthropic_paths_get_anthropic_404s() {
        let routes = unknown_model_routes();
        assert_eq!(routes.len(), 2);
        assert_eq!(routes[0]["match"]["path"], "/anthropic/v1/messages");
        assert_eq!(
            routes[1]["match"]["path"],
            "/anthropic/v1/messages/count_tokens"
        );
        let body = routes[0]["direct_response"]["body"]["inline_string"]
            .as_str()
            .unwrap();
        let body: Value = serde_json::from_str(body).unwrap();
        assert_eq!(body["type"], "error");
        assert_eq!(body["error"]["type"], "not_found_error");
    }
}
