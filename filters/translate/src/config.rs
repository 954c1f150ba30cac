//! The translate filter's JSON config: a router role (downstream) or a backend role
//! (upstream, one per backend cluster). Parsed and validated once; errors name the field.

use aigw_core::azure::is_valid_api_version;
use aigw_core::openai::limits::{DEFAULT_MAX_MESSAGES, DEFAULT_MAX_TOOLS, RequestLimits};
use aigw_core::openai::models::{ModelEntry, list_body};
use serde::Deserialize;

/// Default `max_request_bytes`: 4 MiB.
pub const DEFAULT_MAX_REQUEST_BYTES: usize = 4 * 1024 * 1024;

/// A validated translate config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TranslateConfig {
    /// Downstream: validate requests, set the model header, re-route.
    Router(RouterConfig),
    /// Upstream: adapt requests to one backend's schema.
    Backend(BackendConfig),
}

/// Settings of the router role.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouterConfig {
    /// Make streamed chat/completions requests ask for usage (`stream_options.include_usage`).
    #[serde(default)]
    pub force_include_usage: bool,
    /// Put the rate-limit reservation of each API request in `x-aigw-reserved-tokens`
    /// (set by the control plane when rate limits are configured).
    #[serde(default)]
    pub reserve_tokens: bool,
    /// Output tokens reserved for a chat or completions request that names no output cap.
    #[serde(default = "default_output_tokens")]
    pub default_output_tokens: u64,
    /// Put a hash of the client's API key in `x-aigw-api-key-id` (set by the control plane
    /// when a rate limit counts per API key); a client-sent one is always removed.
    #[serde(default)]
    pub api_key_id: bool,
    /// Largest request body accepted on API paths; larger gets a 413.
    #[serde(default = "default_max_request_bytes")]
    pub max_request_bytes: usize,
    /// Most `messages` in a chat completion request; more gets a 400.
    #[serde(default = "default_max_messages")]
    pub max_messages: usize,
    /// Most `tools` in a chat completion request; more gets a 400.
    #[serde(default = "default_max_tools")]
    pub max_tools: usize,
    /// Models listed by `GET /v1/models`.
    #[serde(default)]
    pub models: Vec<ModelEntry>,
    /// The `created` time (Unix seconds) of every listed model.
    #[serde(default)]
    pub models_created: u64,
    /// The `/v1/models` reply body, rendered once from `models` when the config is parsed.
    #[serde(skip)]
    pub models_body: Vec<u8>,
}

/// The `schema` field: the API a backend speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
enum Schema {
    OpenAI,
    AzureOpenAI,
    Anthropic,
    Gemini,
    #[serde(rename = "AWSBedrock")]
    AwsBedrock,
    #[serde(rename = "AWSAnthropic")]
    AwsAnthropic,
    #[serde(rename = "GCPVertexAI")]
    GcpVertexAi,
    #[serde(rename = "GCPAnthropic")]
    GcpAnthropic,
    Cohere,
}

/// Settings of the backend role, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendConfig {
    /// Backend name, reported in the `x-aigw-backend` response header.
    pub backend: String,
    /// The `:authority` (host header) the provider expects; the client's is replaced.
    pub authority: Option<String>,
    /// Model sent to this backend instead of the requested one (fallback routes set it here,
    /// single-backend routes through the `x-aigw-model-override` header; this one wins).
    pub model_override: Option<String>,
    /// Envoy may retry this backend's requests (it sits in a fallback route's aggregate
    /// cluster): each attempt must then start from the client's request headers.
    pub retried: bool,
    /// How requests are adapted to the backend's schema.
    pub target: Target,
}

/// A backend schema with the settings it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// OpenAI (and compatibles): the client's `/v1` becomes `path_prefix` (may be empty).
    OpenAI {
        /// Replaces the client's `/v1`.
        path_prefix: String,
    },
    /// Azure OpenAI: deployment paths and an `api-version` query parameter.
    AzureOpenAI {
        /// The `api-version` query parameter.
        api_version: String,
    },
    /// Anthropic Messages: chat completions go to `<path_prefix>/v1/messages`, translated.
    Anthropic {
        /// Put before the client's `/v1/...` (default empty).
        path_prefix: String,
    },
    /// Gemini API: chat completions and embeddings go to
    /// `<path_prefix>/v1beta/models/{model}:{method}`, translated.
    Gemini {
        /// Put before `/v1beta/...` (default empty).
        path_prefix: String,
    },
    /// AWS Bedrock Converse: chat completions go to
    /// `<path_prefix>/model/{modelId}/converse[-stream]`, translated.
    AwsBedrock {
        /// Put before `/model/...` (default empty).
        path_prefix: String,
    },
    /// Claude models on AWS Bedrock through InvokeModel: chat completions go to
    /// `<path_prefix>/model/{modelId}/invoke[-with-response-stream]`, translated; Messages
    /// requests are passed through with the same body rewrite.
    AwsAnthropic {
        /// Put before `/model/...` (default empty).
        path_prefix: String,
    },
    /// Gemini models on Vertex AI: chat completions and embeddings go to
    /// `<path_prefix>/publishers/google/models/{model}:{method}`, translated.
    GcpVertexAi {
        /// `[<endpoint path>]/v1/projects/{project}/locations/{region}` (required).
        path_prefix: String,
    },
    /// Claude models on Vertex AI: chat completions go to
    /// `<path_prefix>/publishers/anthropic/models/{model}:rawPredict`, translated; Messages
    /// requests are passed through with the same body rewrite.
    GcpAnthropic {
        /// `[<endpoint path>]/v1/projects/{project}/locations/{region}` (required).
        path_prefix: String,
    },
    /// Cohere v2: chat completions go to `<path_prefix>/v2/chat`, embeddings to
    /// `<path_prefix>/v2/embed`, translated.
    Cohere {
        /// Put before `/v2/...` (default empty).
        path_prefix: String,
    },
}

/// The backend role as written in the JSON config.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBackend {
    backend: String,
    schema: Schema,
    /// Default: `/v1` for OpenAI, empty for the translated schemas.
    #[serde(default)]
    path_prefix: Option<String>,
    #[serde(default)]
    azure_api_version: Option<String>,
    #[serde(default)]
    authority: Option<String>,
    #[serde(default)]
    model_override: Option<String>,
    #[serde(default)]
    retried: bool,
}

#[derive(Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
enum RawConfig {
    Router(RouterConfig),
    Backend(RawBackend),
}

fn default_max_request_bytes() -> usize {
    DEFAULT_MAX_REQUEST_BYTES
}

fn default_output_tokens() -> u64 {
    aigw_core::reservation::DEFAULT_OUTPUT_RESERVATION
}

fn default_max_messages() -> usize {
    DEFAULT_MAX_MESSAGES
}

fn default_max_tools() -> usize {
    DEFAULT_MAX_TOOLS
}

impl RouterConfig {
    /// The `messages` and `tools` bounds.
    pub fn limits(&self) -> RequestLimits {
        RequestLimits {
            max_messages: self.max_messages,
            max_tools: self.max_tools,
        }
    }
}

impl TranslateConfig {
    /// Parses and validates the JSON config text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let raw: RawConfig =
            serde_json::from_str(text).map_err(|e| format!("translate config: {e}"))?;
        let config = match raw {
            RawConfig::Router(router) if router.max_request_bytes == 0 => {
                Err("max_request_bytes must be greater than 0".to_string())
            }
            RawConfig::Router(router) if router.max_messages == 0 => {
                Err("max_messages must be greater than 0".to_string())
            }
            RawConfig::Router(mut router) => {
                if router.reserve_tokens {
                    aigw_core::reservation::warm_up();
                }
                router.models_body = list_body(&router.models, router.models_created);
                Ok(Self::Router(router))
            }
            RawConfig::Backend(backend) => backend.validate().map(Self::Backend),
        };
        config.map_err(|e| format!("translate config: {e}"))
    }
}

impl RawBackend {
    fn validate(self) -> Result<BackendConfig, String> {
        if self.backend.is_empty() || !self.backend.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(format!(
                "backend must be a non-empty name of visible ASCII characters, got {:?}",
                self.backend
            ));
        }
        let path_prefix = self.path_prefix.unwrap_or_else(|| match self.schema {
            Schema::Anthropic
            | Schema::Gemini
            | Schema::AwsBedrock
            | Schema::AwsAnthropic
            | Schema::GcpVertexAi
            | Schema::GcpAnthropic
            | Schema::Cohere => String::new(),
            Schema::OpenAI | Schema::AzureOpenAI => "/v1".to_string(),
        });
        let prefix = &path_prefix;
        let prefix_ok = prefix.is_empty()
            || (prefix.starts_with('/')
                && !prefix.ends_with('/')
                && prefix
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && !matches!(b, b'?' | b'#')));
        if !prefix_ok {
            return Err(format!(
                "path_prefix must be empty or start with '/', not end with '/', and hold no query, got {prefix:?}"
            ));
        }
        if let Some(authority) = self.authority.as_deref()
            && (authority.is_empty()
                || !authority
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && !matches!(b, b'/' | b'?' | b'#' | b'@')))
        {
            return Err(format!(
                "authority must be a host[:port] of visible ASCII characters, got {authority:?}"
            ));
        }
        if let Some(version) = self.azure_api_version.as_deref()
            && !is_valid_api_version(version)
        {
            return Err(format!(
                "azure_api_version must be a non-empty run of letters, digits, '-', '.', '_' or '~', got {version:?}"
            ));
        }
        if let Some(model) = self.model_override.as_deref()
            && (model.is_empty() || model.chars().any(char::is_control))
        {
            return Err(format!(
                "model_override must be a non-empty model name without control characters, got {model:?}"
            ));
        }
        let vertex = matches!(self.schema, Schema::GcpVertexAi | Schema::GcpAnthropic);
        if vertex && path_prefix.is_empty() {
            return Err(
                "path_prefix is required for the Vertex AI schemas (/v1/projects/{project}/locations/{region})"
                    .to_string(),
            );
        }
        let target = match (self.schema, self.azure_api_version) {
            (Schema::OpenAI, _) => Target::OpenAI { path_prefix },
            (Schema::GcpVertexAi, None) => Target::GcpVertexAi { path_prefix },
            (Schema::GcpAnthropic, None) => Target::GcpAnthropic { path_prefix },
            (Schema::Anthropic, None) => Target::Anthropic { path_prefix },
            (Schema::Gemini, None) => Target::Gemini { path_prefix },
            (Schema::AwsBedrock, None) => Target::AwsBedrock { path_prefix },
            (Schema::AwsAnthropic, None) => Target::AwsAnthropic { path_prefix },
            (Schema::Cohere, None) => Target::Cohere { path_prefix },
            (
                Schema::Anthropic
                | Schema::Gemini
                | Schema::AwsBedrock
                | Schema::AwsAnthropic
                | Schema::GcpVertexAi
                | Schema::GcpAnthropic
                | Schema::Cohere,
                Some(_),
            ) => {
                return Err(
                    "azure_api_version is only valid when schema is AzureOpenAI".to_string()
                );
            }
            (Schema::AzureOpenAI, Some(api_version)) => Target::AzureOpenAI { api_version },
            (Schema::AzureOpenAI, None) => {
                return Err("azure_api_version is required when schema is AzureOpenAI".to_string());
            }
        };
        Ok(BackendConfig {
            backend: self.backend,
            authority: self.authority,
            model_override: self.model_override,
            retried: self.retried,
            target,
        })
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
