//! The Cohere v2 flavour (`/v2/chat`, `/v2/embed`, `authorization: Bearer`): checks
//! requests as strictly as Cohere does and answers deterministically in Cohere's formats.

mod error;
mod respond;
pub mod route;
mod validate;

use http_body_util::{BodyExt, StreamBody};
use hyper::body::Incoming;
use hyper::header::HeaderValue;
use hyper::{Request, Response, StatusCode};

use crate::config::Config;
use crate::server::{Body, full, knobs, read_body, response};
use crate::stream::body_stream;
use error::CohereError;
use route::Endpoint;

/// Cohere's embedding `input_type` values (Cohere Embed on Bedrock takes the same).
pub const INPUT_TYPES: [&str; 5] = [
    "search_document",
    "search_query",
    "classification",
    "clustering",
    "image",
];

/// Whether a path belongs to the Cohere flavour.
pub fn is_cohere_path(path: &str) -> bool {
    path.starts_with("/v2/")
}

/// Answers one Cohere request (errors included).
pub async fn answer(config: &Config, req: Request<Incoming>) -> Response<Body> {
    match try_answer(config, req).await {
        Ok(response) => response,
        Err((e, backend)) => response(e.status, "application/json", full(e.body()), backend),
    }
}

type Failure = (CohereError, Option<HeaderValue>);

async fn try_answer(config: &Config, req: Request<Incoming>) -> Result<Response<Body>, Failure> {
    let endpoint = route::classify(req.method(), req.uri().path()).map_err(|e| (e, None))?;
    let backend = route::authenticate(config, req.headers()).map_err(|e| (e, None))?;
    let backend_header = HeaderValue::from_str(&backend.id).ok();
    let fail = |e: CohereError| (e, backend_header.clone());
    let (status, delay) =
        knobs(req.headers()).map_err(|e| fail(CohereError::invalid(e.message)))?;
    let body = read_body(req.into_body())
        .await
        .map_err(|e| fail(CohereError::invalid(e)))?;
    if let Some(status) = status {
        let message = format!("injected failure with status {}", status.as_u16());
        return Err(fail(CohereError::new(status, message)));
    }
    let (content_type, out): (&str, Body) = match endpoint {
        Endpoint::Chat => {
            let request = validate::chat(&body).map_err(fail)?;
            if request.stream {
                let events = respond::stream_events(&backend.id, &request, &body);
                let stream = StreamBody::new(body_stream(events, delay));
                ("text/event-stream", BodyExt::boxed(stream))
            } else {
                (
                    "application/json",
                    full(respond::chat(&backend.id, &request, &body)),
                )
            }
        }
        Endpoint::Embed => {
            let request = validate::embed(&body).map_err(fail)?;
            ("application/json", full(respond::embed(&request, &body)))
        }
    };
    Ok(response(StatusCode::OK, content_type, out, backend_header))
}
