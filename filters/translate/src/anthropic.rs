//! The backend role for an Anthropic backend (the Anthropic API, or Claude on Vertex AI):
//! chat completions are translated to the Messages API on the way up and back to OpenAI chat
//! completions on the way down, so the response leaves this filter in the OpenAI schema
//! (token-usage reads it unchanged). Other API paths are refused; non-API paths keep their
//! `/v1/...` under the path prefix (Anthropic API) or pass untouched (Vertex AI).

use crate::exchange::{ClientError, Front, Request, Translate, Translated, Upstream};
use aigw_core::anthropic::ANTHROPIC_VERSION;
use aigw_core::api_kind::ApiKind;
use aigw_core::chat_schema::{AnthropicChat, ChatSchema};

/// Claude's Messages API for OpenAI chat clients, on the Anthropic API or Vertex AI.
pub struct Anthropic(pub AnthropicChat);

impl Translate for Anthropic {
    fn translate(&self, req: &Request<'_>) -> Result<Upstream, ClientError> {
        Ok(self
            .0
            .request(req.body, req.model_override, req.created)?
            .into())
    }

    fn request_headers(&self) -> &'static [(&'static str, &'static str)] {
        match self.0 {
            AnthropicChat::Anthropic => &[("anthropic-version", ANTHROPIC_VERSION)],
            AnthropicChat::Vertex | AnthropicChat::Bedrock => &[],
        }
    }
}

impl Translated for Anthropic {
    fn front(&self) -> &'static Front {
        const CHAT_ONLY: &[ApiKind] = &[ApiKind::ChatCompletions];
        const NO_BODY: &str = "A chat completion request needs a body.";
        match self.0 {
            AnthropicChat::Bedrock => &Front {
                serves: CHAT_ONLY,
                name: "Claude on AWS Bedrock",
                no_body: NO_BODY,
            },
            AnthropicChat::Anthropic | AnthropicChat::Vertex => &Front {
                serves: CHAT_ONLY,
                name: "An Anthropic backend",
                no_body: NO_BODY,
            },
        }
    }

    fn other_path(&self, path_prefix: &str, path: &str) -> Option<String> {
        let prefixed = self.0 == AnthropicChat::Anthropic && !path_prefix.is_empty();
        prefixed.then(|| format!("{path_prefix}{path}"))
    }
}

#[cfg(test)]
#[path = "anthropic_tests.rs"]
mod tests;
