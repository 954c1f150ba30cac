//! OpenAI endpoints the gateway passes through: `/v1/responses`, `/v1/images/generations`,
//! `/v1/audio/speech` (JSON) and `/v1/audio/transcriptions|translations` (multipart), in the
//! OpenAI flavour and the Azure one (`/openai/deployments/{d}/images/generations|audio/...`
//! with `api-version`, and the v1 surface `/openai/v1/responses`). Bodies are checked
//! strictly; answers are deterministic.

mod multipart;
mod respond;
mod validate;

use bytes::Bytes;
use http_body_util::{BodyExt, StreamBody};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Method, Response};

use crate::error::ApiError;
use crate::route::{Flavor, check_api_version};
use crate::server::{BACKEND_HEADER, Body};
use crate::stream::body_stream;

/// A passed-through endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// The Responses API.
    Responses,
    /// Image generation.
    Images,
    /// Text to speech.
    Speech,
    /// Speech to text.
    Transcriptions,
    /// Speech to English text.
    Translations,
}

impl Endpoint {
    fn from_suffix(suffix: &str) -> Option<Self> {
        match suffix {
            "responses" => Some(Self::Responses),
            "images/generations" => Some(Self::Images),
            "audio/speech" => Some(Self::Speech),
            "audio/transcriptions" => Some(Self::Transcriptions),
            "audio/translations" => Some(Self::Translations),
            _ => None,
        }
    }
}

/// Classifies a request for one of these endpoints (`None`: not one of them). Azure
/// deployment paths need a valid `api-version`; Azure's v1 Responses path does not.
pub fn classify(
    method: &Method,
    path: &str,
    query: Option<&str>,
) -> Option<Result<(Endpoint, Flavor), ApiError>> {
    let (endpoint, flavor) = if let Some(rest) = path.strip_prefix("/v1/") {
        (Endpoint::from_suffix(rest)?, Flavor::OpenAi)
    } else if path == "/openai/v1/responses" {
        let flavor = Flavor::Azure {
            deployment: String::new(),
        };
        (Endpoint::Responses, flavor)
    } else {
        let rest = path.strip_prefix("/openai/deployments/")?;
        let (deployment, suffix) = rest.split_once('/')?;
        let endpoint = Endpoint::from_suffix(suffix).filter(|e| *e != Endpoint::Responses)?;
        if deployment.is_empty() {
            return None;
        }
        let flavor = Flavor::Azure {
            deployment: deployment.to_string(),
        };
        (endpoint, flavor)
    };
    if method != Method::POST {
        return Some(Err(ApiError::method_not_allowed(method.as_str(), path)));
    }
    if let Flavor::Azure { deployment } = &flavor
        && !deployment.is_empty()
        && let Err(e) = check_api_version(query)
    {
        return Some(Err(e));
    }
    Some(Ok((endpoint, flavor)))
}

/// Answers a checked request of `endpoint` from `backend`; a streamed Responses answer
/// pauses `delay` between events.
pub async fn answer(
    endpoint: Endpoint,
    flavor: &Flavor,
    backend: &str,
    content_type: &str,
    body: &[u8],
    delay: std::time::Duration,
) -> Result<Response<Body>, ApiError> {
    let deployment = match flavor {
        Flavor::Azure { deployment } if !deployment.is_empty() => Some(deployment.as_str()),
        _ => None,
    };
    let (content_type, out): (String, Body) = match endpoint {
        Endpoint::Responses => {
            let request = validate::responses(body)?;
            if request.stream {
                let events = respond::response_events(backend, &request, body);
                let stream = StreamBody::new(body_stream(events, delay));
                ("text/event-stream".into(), BodyExt::boxed(stream))
            } else {
                let json = respond::response(backend, &request, body);
                ("application/json".into(), full(json))
            }
        }
        Endpoint::Images => {
            let request = validate::images(body, deployment)?;
            ("application/json".into(), full(respond::images(&request)))
        }
        Endpoint::Speech => {
            let request = validate::speech(body, deployment)?;
            let (ct, audio) = respond::speech(backend, &request);
            (ct.into(), full(audio))
        }
        Endpoint::Transcriptions | Endpoint::Translations => {
            let upload = multipart::parse(content_type, body, deployment).await?;
            let (ct, text) = respond::transcription(backend, endpoint, &upload);
            (ct.into(), full(text))
        }
    };
    let mut response = Response::new(out);
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        headers.insert(CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(backend) {
        headers.insert(BACKEND_HEADER, v);
    }
    Ok(response)
}

fn full(bytes: Bytes) -> Body {
    crate::server::full(bytes)
}

#[cfg(test)]
mod tests;
