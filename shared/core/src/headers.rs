//! Header names the filters and the route configuration exchange (see docs/internals.md).

/// The model named in the request body; set by translate (router), matched by routes.
pub const MODEL: &str = "x-ai-eg-model";
/// The model to send to one backend instead; set by route config, removed by translate.
pub const MODEL_OVERRIDE: &str = "x-aigw-model-override";
/// The backend that served the attempt; set by translate (backend) on the response.
pub const BACKEND: &str = "x-aigw-backend";
/// The rate-limit reservation of an API request, in tokens; set by translate (router) when
/// rate limits are configured, read by Envoy's ratelimit filter at request time and at stream end.
pub const RESERVED_TOKENS: &str = "x-aigw-reserved-tokens";
/// A hash of the client's API key (see `api_key_id`); set by translate (router) when a rate
/// limit counts per API key, so the count survives upstream-auth removing the credential.
pub const API_KEY_ID: &str = "x-aigw-api-key-id";
