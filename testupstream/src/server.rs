//! The HTTP server: accept loop and per-request handling.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{HeaderMap, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::auth::authenticate;
use crate::config::Config;
use crate::error::ApiError;
use crate::route::{Api, classify};
use crate::{
    anthropic, bedrock, cohere, fault, gemini, mcp, passthrough, respond, stream, validate, vertex,
};

/// Largest request body accepted.
pub(crate) const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;
/// Request header asking for an error response with this status.
pub const STATUS_HEADER: &str = "x-testupstream-status";
/// Request header asking for a delay (milliseconds) between stream chunks.
pub const CHUNK_DELAY_HEADER: &str = "x-testupstream-chunk-delay-ms";
/// Response header naming the backend that answered.
pub const BACKEND_HEADER: &str = "x-testupstream-backend";

/// A response body: whole or streamed. An error aborts the response mid-body (the
/// connection is closed without the end of the chunked body), as a failing provider would.
pub(crate) type Body = BoxBody<Bytes, std::io::Error>;

/// A whole response body.
pub(crate) fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

/// Reads a request body of at most [`MAX_BODY_BYTES`]; the error says why it could not,
/// in the words the fakes answer with.
pub(crate) async fn read_body(body: Incoming) -> Result<Bytes, String> {
    Limited::new(body, MAX_BODY_BYTES)
        .collect()
        .await
        .map(|collected| collected.to_bytes())
        .map_err(|e| format!("Could not read the request body: {e}"))
}

/// A response with `status`, `content-type` and, when the answering backend is known,
/// [`BACKEND_HEADER`].
pub(crate) fn response(
    status: StatusCode,
    content_type: &'static str,
    body: Body,
    backend: Option<HeaderValue>,
) -> Response<Body> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Some(h) = backend {
        headers.insert(BACKEND_HEADER, h);
    }
    response
}

/// Serves requests on `listener`; never returns (drop or abort the task to stop). Accept
/// errors (for example running out of file descriptors) are retried after a short pause.
pub async fn serve(listener: TcpListener, config: Config) {
    let config = Arc::new(config);
    loop {
        let (conn, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                eprintln!("testupstream: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        // Nagle would hold back small SSE chunks.
        let _ = conn.set_nodelay(true);
        let config = Arc::clone(&config);
        tokio::spawn(async move {
            let svc = service_fn(|req| handle(Arc::clone(&config), req));
            if let Err(e) = http1::Builder::new()
                .serve_connection(TokioIo::new(conn), svc)
                .await
                && config.verbose
            {
                eprintln!("testupstream: connection from {peer}: {e}");
            }
        });
    }
}

async fn handle(config: Arc<Config>, req: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let response = match answer(&config, req).await {
        Ok(r) => r,
        Err((e, backend)) => error_response(&e, backend),
    };
    if config.verbose {
        eprintln!("testupstream: {method} {path} -> {}", response.status());
    }
    Ok(response)
}

type Failure = (ApiError, Option<HeaderValue>);

async fn answer(config: &Config, req: Request<Incoming>) -> Result<Response<Body>, Failure> {
    if let Some(issuer) = &config.tokens
        && crate::tokens::Issuer::handles(req.uri().path())
    {
        let (parts, body) = req.into_parts();
        let body = read_body(body).await.unwrap_or_default();
        if parts.uri.path() != crate::tokens::FETCHES_PATH {
            tokio::time::sleep(issuer.delay()).await;
        }
        let (status, answer, content_type) = if parts.uri.path() == crate::sts::STS_PATH {
            let (status, xml) =
                issuer.answer_sts(&parts.method, parts.uri.query(), &parts.headers, &body);
            (status, xml, "text/xml")
        } else {
            let (status, json) =
                issuer.answer(&parts.method, parts.uri.path(), &parts.headers, &body);
            (status, json, "application/json")
        };
        let mut response = Response::new(full(Bytes::from(answer)));
        *response.status_mut() = status;
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        return Ok(response);
    }
    if anthropic::is_anthropic_path(req.uri().path()) {
        return Ok(anthropic::answer(config, req).await);
    }
    if gemini::is_gemini_path(req.uri().path()) {
        return Ok(gemini::answer(config, req).await);
    }
    if vertex::is_vertex_path(req.uri().path()) {
        return Ok(vertex::answer(config, req).await);
    }
    if cohere::is_cohere_path(req.uri().path()) {
        return Ok(cohere::answer(config, req).await);
    }
    if mcp::is_mcp_path(req.uri().path()) {
        return Ok(mcp::answer(req).await);
    }
    if bedrock::is_bedrock_path(req.uri().path()) {
        return Ok(bedrock::answer(config, req).await);
    }
    if let Some(found) = passthrough::classify(req.method(), req.uri().path(), req.uri().query()) {
        let (endpoint, flavor) = found.map_err(|e| (e, None))?;
        return answer_passthrough(config, req, endpoint, flavor).await;
    }
    let target =
        classify(req.method(), req.uri().path(), req.uri().query()).map_err(|e| (e, None))?;
    let backend = authenticate(config, req.headers(), &target.flavor).map_err(|e| (e, None))?;
    let backend_header = HeaderValue::from_str(&backend.id).ok();
    let fail = |e: ApiError| (e, backend_header.clone());
    let (status, delay) = knobs(req.headers()).map_err(fail)?;
    let parts_headers = req.headers().clone();
    let body = read_body(req.into_body())
        .await
        .map_err(|e| fail(ApiError::bad_json(e)))?;
    if let Some(status) = status {
        return Err(fail(ApiError::injected(status)));
    }
    let parsed = validate::parse(&target, &body).map_err(fail)?;
    let fault = fault::from_headers(&parts_headers).map_err(fail)?;
    let faulty = match fault {
        Some((fault, stall)) => {
            fault::stall_before(fault, stall).await;
            let normal = if parsed.stream {
                stream::events(target.api, &backend.id, &parsed, &body)
            } else {
                vec![respond::complete(target.api, &backend.id, &parsed, &body)]
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
    let (content_type, body): (&str, Body) = if let Some(faulty) = faulty {
        faulty
    } else if parsed.stream {
        let events = stream::events(target.api, &backend.id, &parsed, &body);
        let body = StreamBody::new(stream::body_stream(events, delay));
        ("text/event-stream", BodyExt::boxed(body))
    } else {
        let json = respond::complete(target.api, &backend.id, &parsed, &body);
        ("application/json", full(json))
    };
    let mut response = response(StatusCode::OK, content_type, body, backend_header);
    if target.api == Api::Chat && parsed.stream {
        let no_cache = HeaderValue::from_static("no-cache");
        response.headers_mut().insert("cache-control", no_cache);
    }
    Ok(response)
}

/// Answers `/v1/responses`, images and audio (see `passthrough`).
async fn answer_passthrough(
    config: &Config,
    req: Request<Incoming>,
    endpoint: passthrough::Endpoint,
    flavor: crate::route::Flavor,
) -> Result<Response<Body>, Failure> {
    let backend = authenticate(config, req.headers(), &flavor).map_err(|e| (e, None))?;
    let backend_header = HeaderValue::from_str(&backend.id).ok();
    let fail = |e: ApiError| (e, backend_header.clone());
    let (status, delay) = knobs(req.headers()).map_err(fail)?;
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = read_body(req.into_body())
        .await
        .map_err(|e| fail(ApiError::bad_json(e)))?;
    if let Some(status) = status {
        return Err(fail(ApiError::injected(status)));
    }
    passthrough::answer(endpoint, &flavor, &backend.id, &content_type, &body, delay)
        .await
        .map_err(fail)
}

/// Reads the test knobs: an injected status and the stream chunk delay.
pub(crate) fn knobs(headers: &HeaderMap) -> Result<(Option<StatusCode>, Duration), ApiError> {
    let header = |name: &str| headers.get(name).map(|v| v.to_str().unwrap_or(""));
    let status = match header(STATUS_HEADER) {
        None => None,
        Some(v) => Some(
            v.parse::<u16>()
                .ok()
                .and_then(|c| StatusCode::from_u16(c).ok())
                .filter(|c| c.as_u16() >= 400)
                .ok_or_else(|| {
                    ApiError::invalid(
                        STATUS_HEADER,
                        format!("{STATUS_HEADER}: expected an HTTP status 400-999, got {v:?}"),
                    )
                })?,
        ),
    };
    let delay = match header(CHUNK_DELAY_HEADER) {
        None => Duration::ZERO,
        Some(v) => Duration::from_millis(v.parse().map_err(|_| {
            ApiError::invalid(
                CHUNK_DELAY_HEADER,
                format!("{CHUNK_DELAY_HEADER}: expected milliseconds, got {v:?}"),
            )
        })?),
    };
    Ok((status, delay))
}

fn error_response(e: &ApiError, backend: Option<HeaderValue>) -> Response<Body> {
    response(e.status, "application/json", full(e.body()), backend)
}
