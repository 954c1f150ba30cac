//! The gateway config file, as written by users (YAML).

use std::net::SocketAddr;
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Default client-facing listener address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:1975";
/// Default Envoy admin address.
pub const DEFAULT_ADMIN: &str = "127.0.0.1:9901";

/// The whole gateway config.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GatewayConfig {
    /// Address clients send requests to (default 127.0.0.1:1975).
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Envoy admin address (default 127.0.0.1:9901).
    #[serde(default = "default_admin")]
    pub admin: SocketAddr,
    /// Which filter artifact kind Envoy loads.
    #[serde(default)]
    pub module: ModuleKind,
    /// Upstream LLM providers.
    pub backends: Vec<Backend>,
    /// Model-to-backend routing rules.
    pub routes: Vec<Route>,
    /// Token-usage costs written to request metadata.
    #[serde(default)]
    pub costs: Vec<Cost>,
    /// The MCP gateway (absent: no MCP endpoint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mcp: Option<super::mcp::McpConfig>,
    /// Bounds on client requests (every field has a default).
    #[serde(default)]
    pub limits: super::limits::Limits,
}

fn default_listen() -> SocketAddr {
    DEFAULT_LISTEN.parse().expect("valid constant address")
}

fn default_admin() -> SocketAddr {
    DEFAULT_ADMIN.parse().expect("valid constant address")
}

/// The filter artifact kind Envoy loads.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum ModuleKind {
    /// Native Envoy dynamic modules (`.so`).
    #[default]
    Native,
    /// proxy-wasm modules (`.wasm`) in Envoy's V8 runtime.
    Wasm,
}

/// An upstream provider.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Backend {
    /// Unique name; the Envoy cluster is `aigw-backend-<name>`.
    pub name: String,
    /// API schema the provider speaks.
    pub schema: Schema,
    /// `scheme://host[:port][/path-prefix]`; may be omitted for a schema with a default
    /// endpoint (Anthropic: `https://api.anthropic.com`, Gemini:
    /// `https://generativelanguage.googleapis.com`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub endpoint: String,
    /// Azure `api-version` query value (required for AzureOpenAI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure_api_version: Option<String>,
    /// How the gateway authenticates to the provider.
    pub auth: Auth,
}

/// API schema of a backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum Schema {
    /// OpenAI (and OpenAI-compatible) APIs.
    OpenAI,
    /// Azure OpenAI deployments.
    AzureOpenAI,
    /// Anthropic Messages API (OpenAI chat completions are translated).
    Anthropic,
    /// Google Gemini API (OpenAI chat completions and embeddings are translated).
    Gemini,
}

impl Schema {
    /// The name used in filter configs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OpenAI => "OpenAI",
            Self::AzureOpenAI => "AzureOpenAI",
            Self::Anthropic => "Anthropic",
            Self::Gemini => "Gemini",
        }
    }

    /// The provider's public endpoint, used when a backend names none.
    pub fn default_endpoint(self) -> Option<&'static str> {
        match self {
            Self::Anthropic => Some("https://api.anthropic.com"),
            Self::Gemini => Some("https://generativelanguage.googleapis.com"),
            _ => None,
        }
    }
}

impl Backend {
    /// The configured endpoint, else the schema's default (empty when there is neither).
    pub fn endpoint_url(&self) -> &str {
        match (self.endpoint.as_str(), self.schema.default_endpoint()) {
            ("", Some(default)) => default,
            (configured, _) => configured,
        }
    }
}

/// Credentials for a backend. API-key kinds: exactly one of `key_env` and `key_file`.
/// `aws_sigv4`: `region` (unless the endpoint host names it), optional `service` and
/// environment variable names.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Auth {
    /// Header scheme.
    pub kind: AuthKind,
    /// Name of the environment variable (of the Envoy process) holding the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_env: Option<String>,
    /// Path of a file holding the key (relative paths are resolved against the config file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_file: Option<PathBuf>,
    /// aws_sigv4: AWS region signed for (default: parsed from a
    /// `bedrock-runtime.<region>.amazonaws.com` endpoint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// aws_sigv4: signing name of the service (default `bedrock`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// aws_sigv4: environment variable holding the access key id (default `AWS_ACCESS_KEY_ID`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key_id_env: Option<String>,
    /// aws_sigv4: environment variable holding the secret access key
    /// (default `AWS_SECRET_ACCESS_KEY`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_access_key_env: Option<String>,
    /// aws_sigv4: environment variable holding a session token, used when set
    /// (default `AWS_SESSION_TOKEN`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_token_env: Option<String>,
    /// aws_sigv4: shared credentials file (re-read when it changes) instead of the variables;
    /// native modules only; relative paths are resolved against the config file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials_file: Option<PathBuf>,
    /// aws_sigv4: profile of `credentials_file` (default `default`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
}

impl Auth {
    /// An API key of `kind` from environment variable `var`.
    pub fn from_key_env(kind: AuthKind, var: &str) -> Self {
        Self {
            kind,
            key_env: Some(var.to_string()),
            key_file: None,
            region: None,
            service: None,
            access_key_id_env: None,
            secret_access_key_env: None,
            session_token_env: None,
            credentials_file: None,
            profile: None,
        }
    }

    /// aws_sigv4: the environment variable names of key id, secret key and session token,
    /// defaults applied.
    pub fn aws_env_names(&self) -> [&str; 3] {
        [
            self.access_key_id_env
                .as_deref()
                .unwrap_or("AWS_ACCESS_KEY_ID"),
            self.secret_access_key_env
                .as_deref()
                .unwrap_or("AWS_SECRET_ACCESS_KEY"),
            self.session_token_env
                .as_deref()
                .unwrap_or("AWS_SESSION_TOKEN"),
        ]
    }
}

/// Header scheme of an API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthKind {
    /// `authorization: Bearer <key>`.
    Bearer,
    /// `api-key: <key>`.
    AzureApiKey,
    /// `x-api-key: <key>`.
    AnthropicApiKey,
    /// `x-goog-api-key: <key>`.
    GeminiApiKey,
    /// AWS Signature Version 4 over the final request (Bedrock).
    AwsSigv4,
}

impl AuthKind {
    /// The name used in filter configs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bearer => "bearer",
            Self::AzureApiKey => "azure_api_key",
            Self::AnthropicApiKey => "anthropic_api_key",
            Self::GeminiApiKey => "gemini_api_key",
            Self::AwsSigv4 => "aws_sigv4",
        }
    }
}

/// Sends requests for some models to one backend.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Unique name.
    pub name: String,
    /// Exact model names (as in the request body) this route serves.
    #[serde(default)]
    pub models: Vec<String>,
    /// Serves every model whose name starts with this (after all exact models).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_prefix: Option<String>,
    /// Serves every model whose whole name matches this RE2 regular expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_regex: Option<String>,
    /// Request headers that must all match too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<super::route_match::HeaderMatch>,
    /// Only requests to this host (the `Host`/`:authority` header, any port).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Name of the backend serving them.
    pub backend: String,
    /// Model name sent to the backend instead of the requested one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_override: Option<String>,
}

/// A token-usage cost stored in request metadata under `metadata_key`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cost {
    /// Metadata key (namespace `io.envoy.ai_gateway`).
    pub metadata_key: String,
    /// Which token count the cost is.
    #[serde(rename = "type")]
    pub kind: CostType,
}

/// Token count a cost is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum CostType {
    /// Prompt tokens.
    InputToken,
    /// Completion tokens.
    OutputToken,
    /// Prompt plus completion tokens.
    TotalToken,
    /// Prompt tokens served from the provider's cache.
    CachedInputToken,
}
