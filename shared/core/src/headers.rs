//! Header names the filters and the route configuration exchange (see docs/internals.md).

/// The model named in the request body; set by translate (router), matched by routes.
pub const MODEL: &str = "x-ai-eg-model";
/// The model to send to one backend instead; set by route config, removed by translate.
pub const MODEL_OVERRIDE: &str = "x-aigw-model-override";
/// The gateway route that matched; set by route config, read by token-usage for route costs.
pub const ROUTE: &str = "x-aigw-route";
/// The backend that served the attempt; set by translate (backend) on the response.
pub const BACKEND: &str = "x-aigw-backend";
