//! `local_reply_config` of the listener: Envoy's own error replies in the client's schema.

use serde_json::{Value, json};

use super::rate_limit::{ANTHROPIC_PATH, Wiring, cel_filter, reply_mappers};
use crate::config::ModuleKind;

/// Response code details of the reply Envoy sends when a wasm filter fails a stream (its VM
/// trapped, e.g. on a panic, or is being reloaded after one).
const WASM_FAIL_DETAILS: &str = "wasm_fail_stream";

/// The mappers, in order: the ratelimit (and JWT) filters' own (with rate limits), the endpoint
/// pickers' failure (with inference pools), with wasm modules
/// a failed filter's 503 as a 500 in the client's schema (the panic reply the native host
/// sends itself), then every reply that carries a response flag (upstream reset, timeout,
/// overflow, ...) in the OpenAI error shape instead of plain text. Replies of the filters
/// and the routes' direct responses carry no response flag and are untouched.
pub fn local_reply_config(
    rate_limits: Option<&Wiring>,
    inference_pools: bool,
    module: ModuleKind,
) -> Value {
    let mut mappers: Vec<Value> = Vec::new();
    if let Some(w) = rate_limits {
        mappers.extend(reply_mappers(w.jwt_filter.is_some()));
    }
    if inference_pools {
        mappers.push(super::inference_pool::error_mapper());
    }
    if module == ModuleKind::Wasm {
        mappers.extend(wasm_failure_mappers());
    }
    mappers.push(json!({
        "filter": {"response_flag_filter": {}},
        "body_format_override": {
            "json_format": {"error": {
                "message": "%LOCAL_REPLY_BODY%",
                "type": "server_error",
                "param": null,
                "code": "%RESPONSE_CODE_DETAILS%",
            }},
            "content_type": "application/json",
        },
    }));
    json!({"mappers": mappers})
}

/// A failed wasm filter's reply: Anthropic's error object on `/anthropic/` paths, OpenAI's
/// elsewhere (the same bodies as the native host's panic reply).
fn wasm_failure_mappers() -> [Value; 2] {
    let failed = format!("response.code_details == '{WASM_FAIL_DETAILS}'");
    let message = "internal error in gateway filter";
    [
        json!({
            "filter": cel_filter(format!("{failed} && {ANTHROPIC_PATH}")),
            "status_code": 500,
            "body_format_override": {
                "json_format": {"type": "error", "error": {"type": "api_error", "message": message}},
                "content_type": "application/json",
            },
        }),
        json!({
            "filter": cel_filter(failed),
            "status_code": 500,
            "body_format_override": {
                "json_format": {"error": {
                    "message": message,
                    "type": "server_error",
                    "code": "internal_error",
                }},
                "content_type": "application/json",
            },
        }),
    ]
}
