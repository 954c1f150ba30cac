//! The gateway config file, as written by users (YAML).

use std::borrow::Cow;
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
    /// Token-usage costs written to request metadata for every route.
    #[serde(default)]
    pub costs: Vec<Cost>,
    /// Token budgets (absent: no rate limiting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limits: Option<super::rate_limit::RateLimits>,
    /// The MCP gateway (absent: no MCP endpoint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mcp: Option<super::mcp::McpConfig>,
    /// Bounds on client requests (every field has a default).
    #[serde(default)]
    pub limits: super::limits::Limits,
    /// A token counter per user and team (absent: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_metrics: Option<super::identity_metrics::IdentityMetrics>,
}

impl GatewayConfig {
    /// Whether any cost is configured, globally or on a route.
    pub fn has_costs(&self) -> bool {
        !self.costs.is_empty() || self.routes.iter().any(|r| !r.costs.is_empty())
    }
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
    /// `https://generativelanguage.googleapis.com`, Cohere: `https://api.cohere.com`,
    /// AWSBedrock and AWSAnthropic with `auth.region`:
    /// `https://bedrock-runtime.<region>.amazonaws.com`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub endpoint: String,
    /// An OpenAI-compatible provider whose public base URL is the default endpoint (schema
    /// OpenAI only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<super::preset::Preset>,
    /// Azure `api-version` query value (required for AzureOpenAI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure_api_version: Option<String>,
    /// Google Cloud project id (required for GCPVertexAI and GCPAnthropic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// Google Cloud region (location) of the models, e.g. `us-central1` or `global`
    /// (required for GCPVertexAI and GCPAnthropic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// A pool of self-hosted model servers behind an endpoint picker (no `endpoint` then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inference_pool: Option<super::inference_pool::InferencePool>,
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
    /// AWS Bedrock Converse API (OpenAI chat completions are translated; SigV4 auth).
    #[serde(rename = "AWSBedrock")]
    AwsBedrock,
    /// Anthropic's Claude models on AWS Bedrock through InvokeModel (OpenAI chat completions
    /// are translated, Anthropic Messages requests passed through; SigV4 auth).
    #[serde(rename = "AWSAnthropic")]
    AwsAnthropic,
    /// Gemini models on Google Vertex AI (OpenAI chat completions and embeddings are
    /// translated; OAuth bearer tokens).
    #[serde(rename = "GCPVertexAI")]
    GcpVertexAi,
    /// Anthropic's Claude models on Google Vertex AI (OpenAI chat completions are translated,
    /// Anthropic Messages requests passed through; OAuth bearer tokens).
    #[serde(rename = "GCPAnthropic")]
    GcpAnthropic,
    /// Cohere v2 API (OpenAI chat completions and embeddings are translated; bearer key).
    Cohere,
}

impl Schema {
    /// The name used in filter configs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OpenAI => "OpenAI",
            Self::AzureOpenAI => "AzureOpenAI",
            Self::Anthropic => "Anthropic",
            Self::Gemini => "Gemini",
            Self::AwsBedrock => "AWSBedrock",
            Self::AwsAnthropic => "AWSAnthropic",
            Self::GcpVertexAi => "GCPVertexAI",
            Self::GcpAnthropic => "GCPAnthropic",
            Self::Cohere => "Cohere",
        }
    }

    /// Whether the schema is served by AWS Bedrock (SigV4 auth, regional default endpoint).
    pub fn is_aws(self) -> bool {
        matches!(self, Self::AwsBedrock | Self::AwsAnthropic)
    }

    /// Whether the schema is served by Vertex AI (`project` and `region` apply).
    pub fn is_vertex(self) -> bool {
        matches!(self, Self::GcpVertexAi | Self::GcpAnthropic)
    }

    /// The provider's public endpoint, used when a backend names none.
    pub fn default_endpoint(self) -> Option<&'static str> {
        match self {
            Self::Anthropic => Some("https://api.anthropic.com"),
            Self::Gemini => Some("https://generativelanguage.googleapis.com"),
            Self::Cohere => Some("https://api.cohere.com"),
            _ => None,
        }
    }
}

impl Backend {
    /// The configured endpoint, else the preset's or the schema's default (for the AWS schemas
    /// the regional endpoint of `auth.region`, for Vertex AI that of `region`; empty when
    /// there is none).
    pub fn endpoint_url(&self) -> Cow<'_, str> {
        match (self.endpoint.as_str(), self.schema, &self.auth.region) {
            ("", schema, Some(region)) if schema.is_aws() => {
                Cow::Owned(format!("https://bedrock-runtime.{region}.amazonaws.com"))
            }
            ("", schema, _) if schema.is_vertex() => match self.region.as_deref() {
                Some("global") => Cow::Borrowed("https://aiplatform.googleapis.com"),
                Some(region) => Cow::Owned(format!("https://{region}-aiplatform.googleapis.com")),
                None => Cow::Borrowed(""),
            },
            ("", _, _) if self.preset.is_some() => {
                Cow::Borrowed(self.preset.map_or("", |p| p.base_url()))
            }
            ("", schema, _) => Cow::Borrowed(schema.default_endpoint().unwrap_or_default()),
            (configured, _, _) => Cow::Borrowed(configured),
        }
    }

    /// Vertex AI: the path of the project and location every model path starts with,
    /// `/v1/projects/{project}/locations/{region}` (`None` for other schemas).
    pub fn vertex_location_path(&self) -> Option<String> {
        if !self.schema.is_vertex() {
            return None;
        }
        let project = self.project.as_deref().unwrap_or_default();
        let region = self.region.as_deref().unwrap_or_default();
        Some(format!("/v1/projects/{project}/locations/{region}"))
    }
}

/// Credentials for a backend. API-key kinds: exactly one of `key_env` and `key_file`.
/// `aws_sigv4`: `region` (unless the endpoint host names it), optional `service` and
/// environment variable names. `aws_web_identity`: the same `region` and `service`, and
/// `role_arn` with one of `web_identity_token_file` and `web_identity_token_env`.
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
    /// aws_sigv4, aws_web_identity: AWS region signed for (default: parsed from a
    /// `bedrock-runtime.<region>.amazonaws.com` endpoint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// aws_sigv4, aws_web_identity: signing name of the service (default `bedrock`).
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
    /// oauth2: the token endpoint URL (required). gcp_service_account: must equal the
    /// key's `token_uri` (default `https://oauth2.googleapis.com/token`).
    /// gcp_workload_identity: the STS token exchange (default `https://sts.googleapis.com/v1/token`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_url: Option<String>,
    /// azure_entra: directory (tenant) id (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// azure_entra: Entra ID authority (default `https://login.microsoftonline.com`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority_host: Option<String>,
    /// oauth2, azure_entra: client (application) id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// oauth2, azure_entra: environment variable holding the client secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_env: Option<String>,
    /// oauth2, azure_entra: file holding the client secret (native modules only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_file: Option<PathBuf>,
    /// azure_entra: environment variable holding a federated client assertion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_assertion_env: Option<String>,
    /// azure_entra: federated token file (e.g. `AZURE_FEDERATED_TOKEN_FILE`), read at every
    /// token fetch (native modules only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_assertion_file: Option<PathBuf>,
    /// gcp_service_account: environment variable holding the JSON key (the alternative to
    /// `credentials_file`, which names the key file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials_env: Option<String>,
    /// oauth2, gcp_service_account, gcp_workload_identity: scopes of the token; azure_entra: one scope (default
    /// `https://cognitiveservices.azure.com/.default`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// gcp_workload_identity: audience of the workload identity pool provider (required),
    /// `//iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// gcp_workload_identity: file holding the external (OIDC) token, read at every exchange
    /// (native modules only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_token_file: Option<PathBuf>,
    /// gcp_workload_identity: environment variable holding the external token (read once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_token_env: Option<String>,
    /// gcp_workload_identity: `generateAccessToken` URL of a service account to impersonate
    /// (`https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/<email>:generateAccessToken`);
    /// without it the federated token is used directly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_impersonation_url: Option<String>,
    /// aws_web_identity: ARN of the IAM role to assume (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// aws_web_identity: `RoleSessionName` (default `aigw`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_session_name: Option<String>,
    /// aws_web_identity: web-identity token file (e.g. `AWS_WEB_IDENTITY_TOKEN_FILE`), read
    /// at every STS call (native modules only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_identity_token_file: Option<PathBuf>,
    /// aws_web_identity: environment variable holding the web-identity token (read once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_identity_token_env: Option<String>,
    /// aws_web_identity: STS endpoint (default `https://sts.<region>.amazonaws.com`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sts_endpoint: Option<String>,
    /// aws_web_identity: lifetime asked of STS in seconds, 900-43200 (default: STS's one hour).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u32>,
    /// Per-request override (any kind but aws_sigv4 and aws_web_identity): a request header (lower case) whose
    /// value is sent as the credential instead of the configured one; removed before the
    /// request goes upstream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_header: Option<String>,
    /// Without the override header: `use_configured` (default) or `reject` (401).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_when_missing: Option<OverrideWhenMissing>,
}

/// What a request without the override header gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OverrideWhenMissing {
    /// The backend's configured credential.
    UseConfigured,
    /// A 401 answer.
    Reject,
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
            token_url: None,
            tenant_id: None,
            authority_host: None,
            client_id: None,
            client_secret_env: None,
            client_secret_file: None,
            client_assertion_env: None,
            client_assertion_file: None,
            credentials_env: None,
            scopes: Vec::new(),
            audience: None,
            subject_token_file: None,
            subject_token_env: None,
            service_account_impersonation_url: None,
            role_arn: None,
            role_session_name: None,
            web_identity_token_file: None,
            web_identity_token_env: None,
            sts_endpoint: None,
            duration_seconds: None,
            override_header: None,
            override_when_missing: None,
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
    /// `authorization: Bearer` with a token from OAuth2 client credentials.
    Oauth2,
    /// `authorization: Bearer` with an Azure Entra ID token.
    AzureEntra,
    /// `authorization: Bearer` with a Google token for a service-account key.
    GcpServiceAccount,
    /// AWS SigV4 with temporary credentials from STS `AssumeRoleWithWebIdentity`.
    AwsWebIdentity,
    /// `authorization: Bearer` with a Google token from workload identity federation.
    GcpWorkloadIdentity,
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
            Self::Oauth2 => "oauth2",
            Self::AzureEntra => "azure_entra",
            Self::GcpServiceAccount => "gcp_service_account",
            Self::AwsWebIdentity => "aws_web_identity",
            Self::GcpWorkloadIdentity => "gcp_workload_identity",
        }
    }

    /// Whether requests are signed with AWS SigV4 (Bedrock).
    pub fn is_aws(self) -> bool {
        matches!(self, Self::AwsSigv4 | Self::AwsWebIdentity)
    }

    /// Whether the credential is a token fetched from a token endpoint.
    pub fn is_token(self) -> bool {
        matches!(
            self,
            Self::Oauth2 | Self::AzureEntra | Self::GcpServiceAccount | Self::GcpWorkloadIdentity
        )
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
    /// Name of the backend serving them (give this or `backends`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub backend: String,
    /// Model name sent to the backend instead of the requested one (with `backend`; with
    /// `backends` each entry has its own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_override: Option<String>,
    /// Several backends with priorities and weights, tried in turn when an attempt fails
    /// (give this or `backend`); see `retry`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub backends: Vec<RouteBackend>,
    /// When and how often a failed attempt moves on to the next backend (only with
    /// `backends`; defaults apply when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<Retry>,
    /// Costs of this route only, written after the global `costs`; one with a global
    /// cost's `metadata_key` replaces that cost for this route.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub costs: Vec<Cost>,
}

/// One backend of a route with several.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteBackend {
    /// Name of the backend.
    pub name: String,
    /// Lower numbers are tried first (default 0); a higher number is a fallback.
    #[serde(default)]
    pub priority: u32,
    /// Share of first attempts among the backends of the highest priority (default 1).
    #[serde(default = "default_weight")]
    pub weight: u32,
    /// Model name sent to this backend instead of the requested one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_override: Option<String>,
}

fn default_weight() -> u32 {
    1
}

/// Retry settings of a route with several backends.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Retry {
    /// Failures that move on to the next backend (default: all of them).
    #[serde(default = "default_retry_on")]
    pub retry_on: Vec<RetryOn>,
    /// Retries after the first attempt (default: one per other backend of the route).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_retries: Option<u32>,
    /// Fails an attempt over when no response byte arrived for this long, e.g. `10s` or
    /// `500ms` (default: none, so a stalled backend is only left at the route timeout).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_try_idle_timeout: Option<String>,
}

/// A failure that makes a route try its next backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum RetryOn {
    /// Any 5xx response, and a backend that never answered (reset, per-try timeout).
    #[serde(rename = "5xx")]
    Status5xx,
    /// A 429 (rate limited) response.
    #[serde(rename = "429")]
    Status429,
    /// The connection to the backend could not be made.
    #[serde(rename = "connect-failure")]
    ConnectFailure,
    /// The backend reset or closed the stream before answering.
    #[serde(rename = "reset")]
    Reset,
}

fn default_retry_on() -> Vec<RetryOn> {
    vec![
        RetryOn::Status5xx,
        RetryOn::Status429,
        RetryOn::ConnectFailure,
        RetryOn::Reset,
    ]
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            retry_on: default_retry_on(),
            num_retries: None,
            per_try_idle_timeout: None,
        }
    }
}

impl Route {
    /// The backends the route sends to: `backends`, or the single `backend`.
    pub fn backend_names(&self) -> Vec<&str> {
        if self.backends.is_empty() {
            vec![self.backend.as_str()]
        } else {
            self.backends.iter().map(|b| b.name.as_str()).collect()
        }
    }
}

/// A token-usage cost stored in request metadata under `metadata_key`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cost {
    /// Metadata key (namespace `io.envoy.ai_gateway`).
    pub metadata_key: String,
    /// Which token count the cost is, or `CEL` for an expression.
    #[serde(rename = "type")]
    pub kind: CostType,
    /// The CEL expression of a `CEL` cost, over `model`, `backend`, `route_name`,
    /// `input_tokens`, `cached_input_tokens`, `cache_creation_input_tokens`,
    /// `output_tokens`, `total_tokens` and `reasoning_tokens`; it must yield an int.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cel: Option<String>,
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
    /// Prompt tokens written to the provider's cache.
    CacheCreationInputToken,
    /// Reasoning tokens (part of the completion tokens).
    ReasoningToken,
    /// The value of the `cel` expression.
    #[serde(rename = "CEL")]
    Cel,
}

impl CostType {
    /// The name used in configs and in the token-usage filter config.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InputToken => "InputToken",
            Self::OutputToken => "OutputToken",
            Self::TotalToken => "TotalToken",
            Self::CachedInputToken => "CachedInputToken",
            Self::CacheCreationInputToken => "CacheCreationInputToken",
            Self::ReasoningToken => "ReasoningToken",
            Self::Cel => "CEL",
        }
    }
}
