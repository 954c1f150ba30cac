//! Header names the filters and the route configuration exchange (see docs/internals.md).

/// The model named in the request body; set by translate (router), matched by routes.
pub const MODEL: &str = "x-ai-eg-model";
/// The model to send to one backend instead; set by route config, removed by translate.
pub const MODEL_OVERRIDE: &str = "x-aigw-model-override";
/// The gateway route that matched; set on the response by route config, read and removed by
/// token-usage (route costs, CEL `route_name`).
pub const ROUTE: &str = "x-aigw-route";
/// The backend that served the attempt; set by translate (backend) on the response.
pub const BACKEND: &str = "x-aigw-backend";
/// The backend an upstream attempt goes to; set per attempt on fallback routes from the
/// endpoint's metadata, selects the per-backend upstream filter configs, removed after them
/// (all by the cluster's filter chain the control plane generates).
pub const ATTEMPT_BACKEND: &str = "x-aigw-attempt-backend";
/// The rate-limit reservation of an API request, in tokens; set by translate (router) when
/// rate limits are configured, read by Envoy's ratelimit filter at request time and at stream end.
pub const RESERVED_TOKENS: &str = "x-aigw-reserved-tokens";
/// A hash of the client's API key (see `api_key_id`); set by translate (router) when a rate
/// limit counts per API key, so the count survives upstream-auth removing the credential.
pub const API_KEY_ID: &str = "x-aigw-api-key-id";
