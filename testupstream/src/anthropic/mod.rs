//! The Anthropic Messages API: `POST /v1/messages` with `x-api-key` and `anthropic-version`,
//! answered buffered or as Anthropic SSE, errors in Anthropic's format.

pub(crate) mod respond;
pub mod validate;

use bytes::Bytes;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Incoming;
use hyper::header::HeaderValue;
use hyper::{HeaderMap, Method, Request, Response, StatusCode};
use serde_json::json;

use crate::config::{Backend, Config};
use crate::error::ApiError;
use crate::fault;
use crate::server::{Body, full, knobs, read_body, response};
use crate::stream::body_stream;

/// The Messages API path.
pub const MESSAGES_PATH: &str = "/v1/messages";
/// The token counting path.
pub const COUNT_TOKENS_PATH: &str = "/v1/messages/count_tokens";
/// `anthropic-version` values the API accepts.
const VERSIONS: [&str; 3] = ["2023-06-01", "2023-01-01", "2026-10-21"];
/// Request header (any value) making a stream fail with an `error` event after its first delta.
pub const STREAM_ERROR_HEADER: &str = "x-testupstream-stream-error";

/// The Anthropic error `type` for a status.
fn error_type(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "invalid_request_error",
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        529 => "overloaded_error",
        _ => "api_error",
    }
}

/// An error response in Anthropic's format.
pub(crate) fn error_response(e: &ApiError, backend: Option<&HeaderValue>) -> Response<Body> {
    let body =
        json!({"type": "error", "error": {"type": error_type(e.status), "message": e.message}});
    let body = full(Bytes::from(body.to_string()));
    response(e.status, "application/json", body, backend.cloned())
}

fn authenticate<'c>(config: &'c Config, headers: &HeaderMap) -> Result<&'c Backend, ApiError> {
    if headers.contains_key("authorization") {
        return Err(ApiError::unauthorized(
            "Unexpected authorization header: this API authenticates with x-api-key",
        ));
    }
    let key = headers
        .get("x-api-key")
        .ok_or_else(|| ApiError::unauthorized("x-api-key header is required"))?
        .to_str()
        .map_err(|_| ApiError::unauthorized("Malformed x-api-key header"))?;
    config
        .backend_for_key(key)
        .ok_or_else(|| ApiError::unauthorized("invalid x-api-key"))
}

fn check_version(headers: &HeaderMap) -> Result<(), ApiError> {
    match headers.get("anthropic-version").map(|v| v.to_str()) {
        None => Err(ApiError::invalid(
            "anthropic-version",
            "anthropic-version: header is required",
        )),
        Some(Ok(v)) if VERSIONS.contains(&v) => Ok(()),
        Some(v) => Err(ApiError::invalid(
            "anthropic-version",
            format!(
                "anthropic-version: {:?} is not a valid version",
                v.unwrap_or("")
            ),
        )),
    }
}

/// Whether `path` is one of the Anthropic paths.
pub fn is_anthropic_path(path: &str) -> bool {
    path == MESSAGES_PATH || path == COUNT_TOKENS_PATH
}

/// Answers a request to the Messages or token counting path.
pub async fn answer(config: &Config, req: Request<Incoming>) -> Response<Body> {
    let path = req.uri().path().to_string();
    if req.method() != Method::POST {
        return error_response(
            &ApiError::method_not_allowed(req.method().as_str(), &path),
            None,
        );
    }
    let backend = match authenticate(config, req.headers()) {
        Ok(b) => b,
        Err(e) => return error_response(&e, None),
    };
    let backend_header = HeaderValue::from_str(&backend.id).ok();
    let fail = |e: ApiError| error_response(&e, backend_header.as_ref());
    if let Err(e) = check_version(req.headers()) {
        return fail(e);
    }
    let (status, delay) = match knobs(req.headers()) {
        Ok(k) => k,
        Err(e) => return fail(e),
    };
    let fail_mid_stream = req.headers().contains_key(STREAM_ERROR_HEADER);
    let fault = match fault::from_headers(req.headers()) {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    let body = match read_body(req.into_body()).await {
        Ok(body) => body,
        Err(e) => return fail(ApiError::bad_json(e)),
    };
    if let Some(status) = status {
        return fail(ApiError::injected(status));
    }
    if path == COUNT_TOKENS_PATH {
        return match validate::parse_count(&body) {
            Ok(p) => {
                let count = json!({"input_tokens": p.input_tokens}).to_string();
                response(
                    StatusCode::OK,
                    "application/json",
                    full(count),
                    backend_header,
                )
            }
            Err(e) => fail(e),
        };
    }
    let parsed = match validate::parse(&body) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let faulty = match fault {
        Some((fault, stall)) => {
            fault::stall_before(fault, stall).await;
            let normal = if parsed.stream {
                respond::events(&backend.id, &parsed, &body, fail_mid_stream)
            } else {
                vec![respond::complete(&backend.id, &parsed, &body)]
            };
            fault::body(
                fault,
                stall,
                parsed.stream.then_some("text/event-stream"),
                normal,
            )
        }
        None => None,
    };
    let (content_type, out): (&str, Body) = if let Some(faulty) = faulty {
        faulty
    } else if parsed.stream {
        let events = respond::events(&backend.id, &parsed, &body, fail_mid_stream);
        (
            "text/event-stream",
            BodyExt::boxed(StreamBody::new(body_stream(events, delay))),
        )
    } else {
        (
            "application/json",
            full(respond::complete(&backend.id, &parsed, &body)),
        )
    };
    response(StatusCode::OK, content_type, out, backend_header)
}

#[cfg(test)]
mod tests;
