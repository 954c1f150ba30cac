//! The provider-specific header an API key is sent in.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// Credential headers a client may send; all are removed before the backend's is set.
pub const CLIENT_CREDENTIAL_HEADERS: [&str; 4] =
    ["authorization", "api-key", "x-api-key", "x-goog-api-key"];

/// How a backend expects its API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthKind {
    /// `authorization: Bearer <key>` (OpenAI and compatibles).
    Bearer,
    /// `api-key: <key>` (Azure OpenAI).
    AzureApiKey,
    /// `x-api-key: <key>` (Anthropic).
    AnthropicApiKey,
    /// `x-goog-api-key: <key>` (Gemini).
    GeminiApiKey,
}

impl AuthKind {
    /// The request header the key goes in.
    pub fn header_name(self) -> &'static str {
        match self {
            Self::Bearer => "authorization",
            Self::AzureApiKey => "api-key",
            Self::AnthropicApiKey => "x-api-key",
            Self::GeminiApiKey => "x-goog-api-key",
        }
    }

    /// The header value carrying `key`.
    pub fn header_value(self, key: &SecretString) -> SecretString {
        match self {
            Self::Bearer => SecretString::from(format!("Bearer {}", key.expose_secret())),
            _ => key.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_per_kind() {
        let key = SecretString::from("sk-test-fake");
        let cases = [
            (AuthKind::Bearer, "authorization", "Bearer sk-test-fake"),
            (AuthKind::AzureApiKey, "api-key", "sk-test-fake"),
            (AuthKind::AnthropicApiKey, "x-api-key", "sk-test-fake"),
            (AuthKind::GeminiApiKey, "x-goog-api-key", "sk-test-fake"),
        ];
        for (kind, name, value) in cases {
            assert_eq!(kind.header_name(), name);
            assert_eq!(kind.header_value(&key).expose_secret(), value);
            assert!(CLIENT_CREDENTIAL_HEADERS.contains(&name));
        }
        let kind: AuthKind = serde_json::from_str("\"azure_api_key\"").unwrap();
        assert_eq!(kind, AuthKind::AzureApiKey);
    }
}
