//! The Vertex AI flavour (`/v1/projects/{project}/locations/{location}/publishers/...`,
//! `authorization: Bearer` OAuth tokens): Gemini models (`generateContent`,
//! `streamGenerateContent?alt=sse`, text-embedding `predict`) checked and answered as the
//! Gemini flavour does, and Claude models (`rawPredict`, `streamRawPredict`) as the
//! Anthropic flavour does. Path and credential errors are Google's; Claude body errors are
//! Anthropic's, as on the real service.

mod claude;
mod predict;
pub mod route;

use http_body_util::{BodyExt, StreamBody};
use hyper::body::Incoming;
use hyper::header::HeaderValue;
use hyper::{Request, Response, StatusCode};

use crate::anthropic::{STREAM_ERROR_HEADER, error_response as anthropic_error};
use crate::config::Config;
use crate::gemini::error::GoogleError;
use crate::gemini::{respond as gemini, validate as gemini_validate};
use crate::server::{Body, full, knobs, read_body, response};
use crate::stream::body_stream;
use route::Verb;

/// Whether a path belongs to the Vertex AI flavour.
pub fn is_vertex_path(path: &str) -> bool {
    path.starts_with(route::PREFIX)
}

/// Answers one Vertex AI request (errors included).
pub async fn answer(config: &Config, req: Request<Incoming>) -> Response<Body> {
    match try_answer(config, req).await {
        Ok(response) => response,
        Err((Failure::Google(e), backend)) => {
            response(e.status, "application/json", full(e.body()), backend)
        }
        Err((Failure::Anthropic(e), backend)) => anthropic_error(&e, backend.as_ref()),
    }
}

/// An error in Google's format (the service's own) or Anthropic's (the model's).
enum Failure {
    Google(GoogleError),
    Anthropic(crate::error::ApiError),
}

async fn try_answer(
    config: &Config,
    req: Request<Incoming>,
) -> Result<Response<Body>, (Failure, Option<HeaderValue>)> {
    let google = |e: GoogleError| (Failure::Google(e), None);
    let target =
        route::classify(req.method(), req.uri().path(), req.uri().query()).map_err(google)?;
    let backend = route::authenticate(config, req.headers()).map_err(google)?;
    let backend_header = HeaderValue::from_str(&backend.id).ok();
    let fail_google = |e: GoogleError| (Failure::Google(e), backend_header.clone());
    let fail_anthropic =
        |e: crate::error::ApiError| (Failure::Anthropic(e), backend_header.clone());
    let (status, delay) =
        knobs(req.headers()).map_err(|e| fail_google(GoogleError::invalid(e.message)))?;
    let fail_mid_stream = req.headers().contains_key(STREAM_ERROR_HEADER);
    let body = read_body(req.into_body())
        .await
        .map_err(|e| fail_google(GoogleError::invalid(e)))?;
    if let Some(status) = status {
        let message = format!("injected failure with status {}", status.as_u16());
        return Err(fail_google(GoogleError::new(status, message)));
    }
    let model = target.model.as_str();
    let (content_type, out): (&str, Body) = match target.verb {
        Verb::Generate => {
            let request = gemini_validate::generate(&body).map_err(fail_google)?;
            let json = gemini::generate(&backend.id, model, &request, &body);
            ("application/json", full(json))
        }
        Verb::StreamGenerate => {
            let request = gemini_validate::generate(&body).map_err(fail_google)?;
            let events = gemini::stream_events(&backend.id, model, &request, &body);
            let stream = StreamBody::new(body_stream(events, delay));
            ("text/event-stream", BodyExt::boxed(stream))
        }
        Verb::Predict => {
            let request = predict::parse(&body).map_err(fail_google)?;
            ("application/json", full(predict::respond(&request)))
        }
        Verb::RawPredict => {
            let request = claude::parse(&body, model, false).map_err(fail_anthropic)?;
            let json = crate::anthropic::respond::complete(&backend.id, &request, &body);
            ("application/json", full(json))
        }
        Verb::CountTokens => {
            let tokens = claude::parse_count(&body).map_err(fail_anthropic)?;
            let json = serde_json::json!({ "input_tokens": tokens }).to_string();
            ("application/json", full(bytes::Bytes::from(json)))
        }
        Verb::StreamRawPredict => {
            let request = claude::parse(&body, model, true).map_err(fail_anthropic)?;
            let events =
                crate::anthropic::respond::events(&backend.id, &request, &body, fail_mid_stream);
            let stream = StreamBody::new(body_stream(events, delay));
            ("text/event-stream", BodyExt::boxed(stream))
        }
    };
    Ok(response(StatusCode::OK, content_type, out, backend_header))
}
