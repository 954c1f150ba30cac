//! The Gemini API flavour (`/v1beta/models/{model}:{method}`, `x-goog-api-key`): checks
//! requests as strictly as Google does and answers deterministically in Google's formats.

pub(crate) mod error;
pub(crate) mod respond;
pub mod route;
pub(crate) mod validate;

use http_body_util::{BodyExt, StreamBody};
use hyper::body::Incoming;
use hyper::header::HeaderValue;
use hyper::{Request, Response, StatusCode};

use crate::config::Config;
use crate::server::{Body, full, knobs, read_body, response};
use crate::stream::body_stream;
use error::GoogleError;
use route::Verb;

/// Whether a path belongs to the Gemini flavour.
pub fn is_gemini_path(path: &str) -> bool {
    path.starts_with("/v1beta/")
}

/// Answers one Gemini API request (errors included).
pub async fn answer(config: &Config, req: Request<Incoming>) -> Response<Body> {
    match try_answer(config, req).await {
        Ok(response) => response,
        Err((e, backend)) => response(e.status, "application/json", full(e.body()), backend),
    }
}

type Failure = (GoogleError, Option<HeaderValue>);

async fn try_answer(config: &Config, req: Request<Incoming>) -> Result<Response<Body>, Failure> {
    let (model, verb) = route::classify(req.method(), req.uri().path(), req.uri().query())
        .map_err(|e| (e, None))?;
    let backend = route::authenticate(config, req.headers()).map_err(|e| (e, None))?;
    let backend_header = HeaderValue::from_str(&backend.id).ok();
    let fail = |e: GoogleError| (e, backend_header.clone());
    let (status, delay) =
        knobs(req.headers()).map_err(|e| fail(GoogleError::invalid(e.message)))?;
    let body = read_body(req.into_body())
        .await
        .map_err(|e| fail(GoogleError::invalid(e)))?;
    if let Some(status) = status {
        let message = format!("injected failure with status {}", status.as_u16());
        return Err(fail(GoogleError::new(status, message)));
    }
    let (content_type, out): (&str, Body) = match verb {
        Verb::Generate => {
            let request = validate::generate(&body).map_err(fail)?;
            let json = respond::generate(&backend.id, &model, &request, &body);
            ("application/json", full(json))
        }
        Verb::StreamGenerate => {
            let request = validate::generate(&body).map_err(fail)?;
            let events = respond::stream_events(&backend.id, &model, &request, &body);
            let stream = StreamBody::new(body_stream(events, delay));
            ("text/event-stream", BodyExt::boxed(stream))
        }
        Verb::BatchEmbed => {
            let texts = validate::batch_embed(&model, &body).map_err(fail)?;
            ("application/json", full(respond::batch_embed(&texts)))
        }
    };
    Ok(response(StatusCode::OK, content_type, out, backend_header))
}
