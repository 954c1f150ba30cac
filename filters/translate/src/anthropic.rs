//! The backend role for an Anthropic backend (the Anthropic API, or Claude on Vertex AI):
//! chat completions are translated to the Messages API on the way up and back to OpenAI chat
//! completions on the way down, so the response leaves this filter in the OpenAI schema
//! (token-usage reads it unchanged). Other API paths are refused; non-API paths keep their
//! `/v1/...` under the path prefix (Anthropic API) or pass untouched (Vertex AI).

use crate::exchange::{ClientError, Translate, Translated, Upstream};
use aigw_core::anthropic::ANTHROPIC_VERSION;
use aigw_core::api_kind::ApiKind;
use aigw_core::chat_schema::{AnthropicChat, ChatSchema};

/// Claude's Messages API for OpenAI chat clients, on the Anthropic API or Vertex AI.
pub struct Anthropic(pub AnthropicChat);

impl Translate for Anthropic {
    fn translate(
        &self,
        _kind: ApiKind,
        body: &[u8],
        model_override: Option<&str>,
        created: u64,
    ) -> Result<Upstream, ClientError> {
        Ok(self.0.request(body, model_override, created)?.into())
    }

    fn request_headers(&self) -> &'static [(&'static str, &'static str)] {
        match self.0 {
            AnthropicChat::Anthropic => &[("anthropic-version", ANTHROPIC_VERSION)],
            AnthropicChat::Vertex | AnthropicChat::Bedrock => &[],
        }
    }
}

impl Translated for Anthropic {
    fn serves(&self) -> &'static [ApiKind] {
        &[ApiKind::ChatCompletions]
    }

    fn name(&self) -> &'static str {
        match self.0 {
            AnthropicChat::Bedrock => "Claude on AWS Bedrock",
            AnthropicChat::Anthropic | AnthropicChat::Vertex => "An Anthropic backend",
        }
    }

    fn no_body(&self) -> &'static str {
        "A chat completion request needs a body."
    }

    fn other_path(&self, path_prefix: &str, path: &str) -> Option<String> {
        let prefixed = self.0 == AnthropicChat::Anthropic && !path_prefix.is_empty();
        prefixed.then(|| format!("{path_prefix}{path}"))
    }
}

#[cfg(test)]
#[path = "anthropic_tests.rs"]
mod tests;
