//! The AWS Bedrock flavour: `POST /model/{modelId}/converse` and `/converse-stream`,
//! authenticated by SigV4 (checked like AWS does), answered as Converse JSON or as binary
//! event-stream frames (`application/vnd.amazon.eventstream`) with correct CRCs, and
//! `/model/amazon.titan-embed-*/invoke` (Titan embeddings), `/model/cohere.embed-*/invoke`
//! (Cohere Embed, [`cohere_embed`]), Claude models through
//! `/model/{modelId}/invoke` and `/invoke-with-response-stream` ([`claude`]); errors in
//! Bedrock's format (`x-amzn-ErrorType`, `{"message"}`).

mod claude;
mod cohere_embed;
mod count_tokens;
mod error;
mod respond;
mod sigv4;
mod titan;
mod validate;

use http_body_util::{BodyExt, StreamBody};
use hyper::body::Incoming;
use hyper::header::HeaderValue;
use hyper::{Method, Request, Response, StatusCode};

use crate::config::Config;
use crate::fault;
use crate::server::{Body, knobs, read_body, response};
use crate::stream::body_stream;
use error::AwsError;
use percent_encoding::percent_decode_str;

/// Request header making a stream end with an exception frame after its first delta; the
/// value names the exception (`throttlingException` when it does not end in `Exception`).
pub const STREAM_ERROR_HEADER: &str = "x-testupstream-stream-error";

/// Whether a path belongs to the Bedrock flavour.
pub fn is_bedrock_path(path: &str) -> bool {
    path.starts_with("/model/")
}

/// A Bedrock runtime operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operation {
    Converse,
    ConverseStream,
    /// InvokeModel of a Titan text embedding model.
    InvokeTitanEmbed,
    /// InvokeModel of a Cohere Embed model.
    InvokeCohereEmbed,
    /// InvokeModel of a Claude model.
    InvokeClaude,
    /// InvokeModelWithResponseStream of a Claude model.
    InvokeClaudeStream,
    /// InvokeModel of any other model (not served by the fake).
    InvokeOther,
    /// CountTokens.
    CountTokens,
}

/// The operation of a path and its model id (one percent-encoded segment, decoded).
fn operation(path: &str) -> Option<(Operation, String)> {
    let rest = path.strip_prefix("/model/")?;
    let (segment, action) = rest.rsplit_once('/')?;
    if segment.is_empty() || segment.contains('/') {
        return None;
    }
    let model = percent_decode_str(segment).decode_utf8().ok()?.into_owned();
    let operation = match action {
        "converse" => Operation::Converse,
        "converse-stream" => Operation::ConverseStream,
        "invoke" if model.contains("titan-embed") => Operation::InvokeTitanEmbed,
        "invoke" if cohere_embed::is_cohere_embed(&model) => Operation::InvokeCohereEmbed,
        "invoke" if claude::is_claude(&model) => Operation::InvokeClaude,
        "invoke-with-response-stream" if claude::is_claude(&model) => Operation::InvokeClaudeStream,
        "invoke" | "invoke-with-response-stream" => Operation::InvokeOther,
        "count-tokens" => Operation::CountTokens,
        _ => return None,
    };
    Some((operation, model))
}

/// Answers one Bedrock request (errors included).
pub async fn answer(config: &Config, req: Request<Incoming>) -> Response<Body> {
    match try_answer(config, req).await {
        Ok(response) => response,
        Err((e, backend)) => e.response(backend.as_ref()),
    }
}

type Failure = (AwsError, Option<HeaderValue>);

/// Media type of ConverseStream answers.
const EVENT_STREAM: &str = "application/vnd.amazon.eventstream";

async fn try_answer(config: &Config, req: Request<Incoming>) -> Result<Response<Body>, Failure> {
    let path = req.uri().path().to_string();
    let (operation, model) = match operation(&path) {
        Some(found) if req.method() == Method::POST => found,
        _ => {
            let e = AwsError::new(
                404,
                "UnknownOperationException",
                format!("Unknown operation {} {path}", req.method()),
            );
            return Err((e, None));
        }
    };
    let fail_with = req.headers().get(STREAM_ERROR_HEADER).map(|v| {
        let name = v.to_str().unwrap_or_default();
        if name.ends_with("Exception") {
            name.to_string()
        } else {
            "throttlingException".to_string()
        }
    });
    let (status, delay) =
        knobs(req.headers()).map_err(|e| (AwsError::validation(e.message), None))?;
    let fault =
        fault::from_headers(req.headers()).map_err(|e| (AwsError::validation(e.message), None))?;
    let method = req.method().as_str().to_string();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map_or(path.clone(), |p| p.as_str().to_string());
    let (parts, incoming) = req.into_parts();
    let body = read_body(incoming)
        .await
        .map_err(|e| (AwsError::validation(e), None))?;
    let received = sigv4::Received {
        method: &method,
        path: &path_and_query,
        headers: &parts.headers,
        body: &body,
    };
    let backend = sigv4::authenticate(config, &received).map_err(|e| (e, None))?;
    let backend_header = HeaderValue::from_str(&backend.id).ok();
    let fail = |e: AwsError| (e, backend_header.clone());
    if let Some(status) = status {
        return Err(fail(AwsError::for_status(status)));
    }
    if operation == Operation::InvokeOther {
        let message = "The provided model identifier is invalid.";
        return Err(fail(AwsError::validation(message)));
    }
    if operation == Operation::CountTokens {
        let out = count_tokens::answer(&body, &model).map_err(fail)?;
        let out = crate::server::full(out);
        return Ok(ok_response(out, "application/json", &body, backend_header));
    }
    if operation == Operation::InvokeTitanEmbed {
        let (text, dimensions) = titan::validate(&body).map_err(fail)?;
        let out = crate::server::full(titan::answer(&text, dimensions));
        return Ok(ok_response(out, "application/json", &body, backend_header));
    }
    if operation == Operation::InvokeCohereEmbed {
        let request = cohere_embed::validate(&model, &body).map_err(fail)?;
        let (out, tokens) = cohere_embed::answer(&request, &respond::request_id(&body));
        let mut response = ok_response(
            crate::server::full(out),
            "application/json",
            &body,
            backend_header,
        );
        response.headers_mut().insert(
            cohere_embed::INPUT_TOKEN_COUNT_HEADER,
            HeaderValue::from(tokens),
        );
        return Ok(response);
    }
    if operation == Operation::InvokeClaude {
        let request = claude::parse(&body, &model).map_err(fail)?;
        let out = crate::server::full(crate::anthropic::respond::complete(
            &backend.id,
            &request,
            &body,
        ));
        return Ok(ok_response(out, "application/json", &body, backend_header));
    }
    if operation == Operation::InvokeClaudeStream {
        let request = claude::parse(&body, &model).map_err(fail)?;
        let frames = claude::stream(&backend.id, &request, &body, fail_with.as_deref());
        let out = BodyExt::boxed(StreamBody::new(body_stream(frames, delay)));
        return Ok(ok_response(out, EVENT_STREAM, &body, backend_header));
    }
    let request = validate::converse(&body).map_err(fail)?;
    let streaming = operation == Operation::ConverseStream;
    if let Some((fault, stall)) = fault {
        fault::stall_before(fault, stall).await;
        let normal = if streaming {
            respond::stream(&backend.id, &request, &body, fail_with.as_deref())
        } else {
            vec![respond::converse(&backend.id, &request, &body)]
        };
        if let Some((content_type, out)) =
            fault::body(fault, stall, streaming.then_some(EVENT_STREAM), normal)
        {
            return Ok(ok_response(out, content_type, &body, backend_header));
        }
    }
    let (content_type, out): (&str, Body) = if streaming {
        let frames = respond::stream(&backend.id, &request, &body, fail_with.as_deref());
        (
            EVENT_STREAM,
            BodyExt::boxed(StreamBody::new(body_stream(frames, delay))),
        )
    } else {
        (
            "application/json",
            crate::server::full(respond::converse(&backend.id, &request, &body)),
        )
    };
    Ok(ok_response(out, content_type, &body, backend_header))
}

/// A 200 answer with the request id and backend headers.
fn ok_response(
    out: Body,
    content_type: &'static str,
    body: &[u8],
    backend: Option<HeaderValue>,
) -> Response<Body> {
    let mut response = response(StatusCode::OK, content_type, out, backend);
    if let Ok(id) = HeaderValue::from_str(&respond::request_id(body)) {
        response.headers_mut().insert("x-amzn-requestid", id);
    }
    response
}

#[cfg(test)]
mod tests;
