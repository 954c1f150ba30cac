//! Token rate limits in the bootstrap: Envoy's ratelimit filter, the cluster of the rate-limit
//! service, the two rate-limit entries of every model route (reserve at request time, settle
//! at stream end) and the local-reply mappers that give a limited client an OpenAI error.

use aigw_core::headers::{API_KEY_ID, MODEL, RESERVED_TOKENS};
use serde_json::{Value, json};

use super::access_log::metadata_operator;
use super::socket_address_parts;
use crate::config::ModuleKind;
use crate::config::rate_limit::{
    OnServiceError, RateLimit, RateLimitJwt, RateLimits, parse_service,
};

/// Name of Envoy's ratelimit filter (also the key of its per-route config).
pub const FILTER_NAME: &str = "envoy.filters.http.ratelimit";
/// Cluster of the rate-limit service.
pub const CLUSTER: &str = "aigw-ratelimit";
/// Rate-limit domain of every request the gateway sends.
pub const DOMAIN: &str = "aigw";
/// Descriptor keys the service reads (see docs/internals.md).
pub mod keys {
    /// Name of the limit.
    pub const LIMIT: &str = "aigw_limit";
    /// Window of the limit (`minute`, `hour`, `day`).
    pub const WINDOW: &str = "aigw_window";
    /// Budget of the limit, tokens per window.
    pub const BUDGET: &str = "aigw_budget";
    /// `reserve` (request time) or `settle` (stream end).
    pub const PHASE: &str = "aigw_phase";
    /// On `settle`: the tokens reserved at request time.
    pub const RESERVED: &str = "aigw_reserved";
    /// Phase value at request time.
    pub const RESERVE: &str = "reserve";
    /// Phase value at stream end.
    pub const SETTLE: &str = "settle";
}

/// The ratelimit filter entry (goes after token-usage, before the router).
pub fn filter(r: &RateLimits) -> Value {
    json!({
        "name": FILTER_NAME,
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimit",
            "domain": DOMAIN,
            "timeout": format!("{}.{:03}s", r.timeout_ms / 1000, r.timeout_ms % 1000),
            "failure_mode_deny": r.on_service_error == OnServiceError::Deny,
            "rate_limit_service": {
                "grpc_service": {"envoy_grpc": {"cluster_name": CLUSTER}},
                "transport_api_version": "V3",
            },
        }
    })
}

/// The cluster of the rate-limit service at `service` (`host:port`, already validated).
pub fn cluster(service: &str) -> Result<Value, String> {
    let (host, port) = parse_service(service)
        .ok_or_else(|| format!("rate_limits.service: {service:?} must be host:port"))?;
    let is_ip = host.parse::<std::net::IpAddr>().is_ok();
    Ok(json!({
        "name": CLUSTER,
        "type": if is_ip { "STATIC" } else { "LOGICAL_DNS" },
        "connect_timeout": "1s",
        "dns_lookup_family": "V4_PREFERRED",
        "circuit_breakers": {"thresholds": [{
            "max_connections": super::cluster::MAX_CONCURRENT,
            "max_pending_requests": super::cluster::MAX_CONCURRENT,
            "max_requests": super::cluster::MAX_CONCURRENT,
        }]},
        "load_assignment": {
            "cluster_name": CLUSTER,
            "endpoints": [{"lb_endpoints": [{"endpoint": {
                "address": socket_address_parts(host, port),
            }}]}],
        },
        "typed_extension_protocol_options": {
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
                "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                "explicit_http_config": {"http2_protocol_options": {}},
            }
        },
    }))
}

/// Name of Envoy's JWT filter.
pub const JWT_FILTER_NAME: &str = "envoy.filters.http.jwt_authn";
/// The JWT filter's provider name; also the key under which it writes the verified payload
/// in its dynamic metadata (namespace [`JWT_FILTER_NAME`]).
pub const JWT_PROVIDER: &str = "aigw_jwt";
/// Path prefixes whose requests carry the bearer JWT (the client API paths).
const JWT_PATH_PREFIXES: [&str; 2] = ["/v1/", "/anthropic/"];

/// Envoy's `jwt_authn` filter checking bearer tokens of `jwt` on the API paths (signature by
/// a key of the inline or fetched JWKS, issuer, audience, expiry with 30 s of skew) and writing the verified
/// payload to dynamic metadata, where the rate-limit actions read claims. The token stays in
/// the request (`forward`), so a per-API-key limit can still name it.
pub fn jwt_filter(jwt: &RateLimitJwt) -> Value {
    let requires = if jwt.require {
        json!({"provider_name": JWT_PROVIDER})
    } else {
        json!({"requires_any": {"requirements": [
            {"provider_name": JWT_PROVIDER}, {"allow_missing": {}}]}})
    };
    let rules: Vec<Value> = JWT_PATH_PREFIXES
        .iter()
        .map(|p| json!({"match": {"prefix": p}, "requires": requires}))
        .collect();
    let (key, source) = jwks_source(jwt);
    let mut filter = json!({
        "name": JWT_FILTER_NAME,
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication",
            "providers": {JWT_PROVIDER: {
                "issuer": jwt.issuer,
                "audiences": jwt.audiences,
                "forward": true,
                "payload_in_metadata": JWT_PROVIDER,
                "clock_skew_seconds": 30,
            }},
            "rules": rules,
        }
    });
    filter["typed_config"]["providers"][JWT_PROVIDER][key] = source;
    filter
}

/// Name of the cluster Envoy fetches a remote JWKS through.
pub const JWKS_CLUSTER: &str = "aigw_jwks";

/// Where the provider's keys come from: inline, or fetched from `jwks_uri` through
/// [`JWKS_CLUSTER`] (at startup, then every `jwks_cache_seconds`, retried on failure).
fn jwks_source(jwt: &RateLimitJwt) -> (&'static str, Value) {
    match (&jwt.jwks, &jwt.jwks_uri) {
        (_, Some(uri)) => (
            "remote_jwks",
            json!({
                "http_uri": {"uri": uri, "cluster": JWKS_CLUSTER, "timeout": "5s"},
                "cache_duration": format!("{}s", jwt.jwks_cache_seconds),
                "async_fetch": {"fast_listener": false},
                "retry_policy": {"num_retries": 3},
            }),
        ),
        (jwks, None) => (
            "local_jwks",
            json!({"inline_string": jwks.clone().unwrap_or_default().to_string()}),
        ),
    }
}

/// The cluster of a `jwks_uri` (validated at config load).
fn jwks_cluster(jwt: &RateLimitJwt) -> Result<Option<Value>, String> {
    jwt.jwks_uri
        .as_deref()
        .map(|uri| super::cluster::jwks_cluster(JWKS_CLUSTER, uri, "rate_limits.jwt.jwks_uri"))
        .transpose()
}

/// Access-log fields `user` and `team` (for chargeback next to the token counts): the
/// command operator reading each from the first limit whose key names it, a request header
/// or a claim of the verified JWT.
pub fn identity_operators(r: &RateLimits) -> Vec<(&'static str, String)> {
    let claim = |c: &str| format!("%DYNAMIC_METADATA({JWT_FILTER_NAME}:{JWT_PROVIDER}:{c})%");
    let pick = |header: fn(&RateLimit) -> Option<&String>,
                claim_of: fn(&RateLimit) -> Option<&String>| {
        r.limits.iter().find_map(|l| {
            header(l)
                .map(|h| format!("%REQ({h})%"))
                .or_else(|| claim_of(l).map(|c| claim(c)))
        })
    };
    let user = pick(
        |l| l.key.user_header.as_ref(),
        |l| l.key.user_jwt_claim.as_ref(),
    );
    let team = pick(
        |l| l.key.team_header.as_ref(),
        |l| l.key.team_jwt_claim.as_ref(),
    );
    [("user", user), ("team", team)]
        .into_iter()
        .filter_map(|(field, op)| Some((field, op?)))
        .collect()
}

/// Whether limit `l` applies to the requests of gateway route `route`.
fn applies_to_route(l: &RateLimit, route: &str) -> bool {
    l.routes.is_empty() || l.routes.iter().any(|r| r == route)
}

/// The per-route config of the ratelimit filter for a model route of gateway route `route`
/// (`RateLimitPerRoute`; Envoy evaluates `hits_addend` only for rate limits given there, not
/// in the route's own `rate_limits`), `None` when no limit applies to it: per limit, a
/// request-time entry that reserves the estimate in `x-aigw-reserved-tokens`, and a stream-end
/// entry that charges the real total tokens together with what was reserved (the service
/// books the difference).
pub fn route_rate_limits(r: &RateLimits, module: ModuleKind, route: &str) -> Option<Value> {
    let total_tokens = metadata_operator(module, aigw_core::metadata::TOTAL_TOKENS);
    let entries: Vec<Value> = r
        .limits
        .iter()
        .filter(|l| applies_to_route(l, route))
        .flat_map(|l| {
            [
                json!({
                    "actions": actions(l, keys::RESERVE),
                    "hits_addend": {"format": format!("%REQ({RESERVED_TOKENS})%")},
                }),
                json!({
                    "actions": actions(l, keys::SETTLE),
                    "hits_addend": {"format": total_tokens},
                    "apply_on_stream_done": true,
                }),
            ]
        })
        .collect();
    (!entries.is_empty()).then(|| json!({
        "@type": "type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimitPerRoute",
        "rate_limits": entries,
    }))
}

fn actions(l: &RateLimit, phase: &str) -> Vec<Value> {
    let generic =
        |k: &str, v: &str| json!({"generic_key": {"descriptor_key": k, "descriptor_value": v}});
    let header = |name: &str, k: &str| json!({"request_headers": {"header_name": name, "descriptor_key": k}});
    let mut actions = vec![
        generic(keys::LIMIT, &l.name),
        generic(keys::WINDOW, l.window.as_str()),
        generic(keys::BUDGET, &l.budget_tokens.to_string()),
        generic(keys::PHASE, phase),
    ];
    if phase == keys::SETTLE {
        actions.push(header(RESERVED_TOKENS, keys::RESERVED));
    }
    if !l.models.is_empty() {
        // The descriptor is only made when the requested model is one of the limit's.
        let models: Vec<String> = l.models.iter().map(|m| regex::escape(m)).collect();
        actions.push(json!({"header_value_match": {
            "descriptor_key": "aigw_models",
            "descriptor_value": "listed",
            "expect_match": true,
            "headers": [{"name": MODEL, "string_match": {"safe_regex": {"regex": models.join("|")}}}],
        }}));
    }
    let claim = |name: &str, k: &str| {
        json!({"metadata": {
            "descriptor_key": k,
            "metadata_key": {"key": JWT_FILTER_NAME, "path": [{"key": JWT_PROVIDER}, {"key": name}]},
            "source": "DYNAMIC",
        }})
    };
    if let Some(h) = &l.key.user_header {
        actions.push(header(h, "user"));
    }
    if let Some(c) = &l.key.user_jwt_claim {
        actions.push(claim(c, "user"));
    }
    if let Some(h) = &l.key.team_header {
        actions.push(header(h, "team"));
    }
    if let Some(c) = &l.key.team_jwt_claim {
        actions.push(claim(c, "team"));
    }
    if l.key.api_key {
        actions.push(header(API_KEY_ID, "api_key"));
    }
    if l.key.model {
        actions.push(header(MODEL, "model"));
    }
    if l.key.backend {
        actions.push(json!({"destination_cluster": {}}));
    }
    actions
}

/// Local-reply mappers: the ratelimit filter's 429 (flag `RL`) gets an Anthropic error on the
/// Anthropic paths and an OpenAI error elsewhere, its fail-closed 500 (flag `RLSE`) an OpenAI
/// error, and with `jwt` the JWT filter's 401s (no flag; told
/// apart by their response code details) an Anthropic error on the Anthropic paths and an
/// OpenAI error elsewhere. They go before the listener's mapper of Envoy's other error
/// replies.
pub fn reply_mappers(jwt: bool) -> Vec<Value> {
    let mapper = |flag: &str, message: &str, kind: &str, code: &str| {
        json!({
            "filter": {"response_flag_filter": {"flags": [flag]}},
            "body_format_override": {
                "json_format": {"error": {
                    "message": message,
                    "type": kind,
                    "param": null,
                    "code": code,
                }},
                "content_type": "application/json",
            },
        })
    };
    let mut mappers = vec![
        json!({
            "filter": {"and_filter": {"filters": [
                {"response_flag_filter": {"flags": ["RL"]}},
                cel_filter(ANTHROPIC_PATH.to_string()),
            ]}},
            "body_format_override": {
                "json_format": {"type": "error", "error": {
                    "type": "rate_limit_error",
                    "message": "Rate limit reached: the token budget for this window is used up. Retry after the number of seconds in the retry-after header.",
                }},
                "content_type": "application/json",
            },
        }),
        mapper(
            "RL",
            "Rate limit reached: the token budget for this window is used up. Retry after the number of seconds in the retry-after header.",
            "tokens",
            "rate_limit_exceeded",
        ),
        mapper(
            "RLSE",
            "The rate-limit service could not be reached, so the request was not admitted.",
            "server_error",
            "rate_limit_service_unavailable",
        ),
    ];
    if jwt {
        mappers.extend(jwt_reply_mappers());
    }
    mappers
}

/// CEL condition of a request on the Anthropic client paths.
pub(super) const ANTHROPIC_PATH: &str = "request.path.startsWith('/anthropic/')";

/// A local-reply (access-log) filter evaluating the CEL `expression`.
pub(super) fn cel_filter(expression: String) -> Value {
    json!({"extension_filter": {
        "name": "envoy.access_loggers.extension_filters.cel",
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter",
            "expression": expression,
        },
    }})
}

/// The JWT filter's 401 (`Jwt is missing`, `Jwt verification fails`, ...) in the client's
/// error schema; its `www-authenticate` challenge is kept.
fn jwt_reply_mappers() -> [Value; 2] {
    let cel = cel_filter;
    let denied = "response.code_details.startsWith('jwt_authn_access_denied')";
    let anthropic = ANTHROPIC_PATH;
    [
        json!({
            "filter": cel(format!("{denied} && {anthropic}")),
            "body_format_override": {
                "json_format": {"type": "error", "error": {
                    "type": "authentication_error",
                    "message": "%LOCAL_REPLY_BODY%",
                }},
                "content_type": "application/json",
            },
        }),
        json!({
            "filter": cel(format!("{denied} && !{anthropic}")),
            "body_format_override": {
                "json_format": {"error": {
                    "message": "%LOCAL_REPLY_BODY%",
                    "type": "invalid_request_error",
                    "param": null,
                    "code": "invalid_api_key",
                }},
                "content_type": "application/json",
            },
        }),
    ]
}

/// The ratelimit pieces of a bootstrap, when the config has rate limits.
pub struct Wiring {
    /// The filter entry.
    pub filter: Value,
    /// The service's cluster.
    pub cluster: Value,
    /// The ratelimit filter's per-route config of each gateway route some limit applies to.
    pub route_rate_limits: std::collections::HashMap<String, Value>,
    /// Envoy's JWT filter (first in the chain), when limits are keyed on token claims.
    pub jwt_filter: Option<Value>,
    /// The cluster the JWT filter fetches a remote JWKS through (`jwt.jwks_uri`).
    pub jwks_cluster: Option<Value>,
    /// Some limit counts per API key (translate then names the key by its hash).
    pub api_key_id: bool,
}

/// Builds the wiring for `r` over the gateway's `routes` (names); `service` is where the
/// rate-limit service listens.
pub fn wiring(r: &RateLimits, module: ModuleKind, routes: &[&str]) -> Result<Wiring, String> {
    let service = r.service.as_deref().ok_or(
        "rate_limits.service: required to generate a bootstrap (aigw run starts an in-memory service when it is absent)",
    )?;
    Ok(Wiring {
        filter: filter(r),
        cluster: cluster(service)?,
        route_rate_limits: routes
            .iter()
            .filter_map(|&name| Some((name.to_string(), route_rate_limits(r, module, name)?)))
            .collect(),
        jwt_filter: r.jwt.as_ref().map(jwt_filter),
        jwks_cluster: match &r.jwt {
            Some(jwt) => jwks_cluster(jwt)?,
            None => None,
        },
        api_key_id: r.counts_api_keys(),
    })
}
