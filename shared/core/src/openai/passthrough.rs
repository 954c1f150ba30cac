//! OpenAI endpoints passed through to OpenAI-schema backends without translation:
//! `/v1/responses`, `/v1/images/generations` and `/v1/audio/{speech,transcriptions,translations}`.
//! JSON bodies are only read for their `model` (routing, and the model override); the
//! multipart uploads of transcriptions and translations are never parsed as JSON.

use super::error::OpenAiError;
use super::fields;
use super::request::{model_value, parse_error};
use std::borrow::Cow;

/// A passed-through OpenAI endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passthrough {
    /// `POST /v1/responses` (JSON; streams are passed as they come).
    Responses,
    /// `POST /v1/images/generations` (JSON).
    ImageGenerations,
    /// `POST /v1/audio/speech` (JSON in, audio out).
    AudioSpeech,
    /// `POST /v1/audio/transcriptions` (multipart).
    AudioTranscriptions,
    /// `POST /v1/audio/translations` (multipart).
    AudioTranslations,
}

impl Passthrough {
    /// Classifies a request path (query allowed).
    pub fn from_path(path: &str) -> Option<Self> {
        match path.split_once('?').map_or(path, |(p, _)| p) {
            "/v1/responses" => Some(Self::Responses),
            "/v1/images/generations" => Some(Self::ImageGenerations),
            "/v1/audio/speech" => Some(Self::AudioSpeech),
            "/v1/audio/transcriptions" => Some(Self::AudioTranscriptions),
            "/v1/audio/translations" => Some(Self::AudioTranslations),
            _ => None,
        }
    }

    /// The path after `/v1`.
    pub fn suffix(self) -> &'static str {
        match self {
            Self::Responses => "/responses",
            Self::ImageGenerations => "/images/generations",
            Self::AudioSpeech => "/audio/speech",
            Self::AudioTranscriptions => "/audio/transcriptions",
            Self::AudioTranslations => "/audio/translations",
        }
    }

    /// Whether the response body is JSON (speech is audio; transcripts may be plain text,
    /// SRT or VTT by the request's `response_format`).
    pub fn answers_json(self) -> bool {
        matches!(self, Self::Responses | Self::ImageGenerations)
    }

    /// Whether the request body is JSON (else a multipart upload).
    pub fn is_json(self) -> bool {
        !matches!(self, Self::AudioTranscriptions | Self::AudioTranslations)
    }

    /// The Azure OpenAI path: the Responses API is served by Azure's v1 surface
    /// (`/openai/v1/responses`, deployment in the body's `model`, no `api-version`); the
    /// others by the deployment (`/openai/deployments/<model><suffix>?api-version=<v>`).
    pub fn azure_path(self, model: &str, query: Option<&str>, api_version: &str) -> String {
        match self {
            Self::Responses => {
                let kept: Vec<&str> = query
                    .into_iter()
                    .flat_map(|q| q.split('&'))
                    .filter(|p| !p.is_empty() && !p.starts_with("api-version="))
                    .collect();
                if kept.is_empty() {
                    "/openai/v1/responses".to_string()
                } else {
                    format!("/openai/v1/responses?{}", kept.join("&"))
                }
            }
            _ => crate::azure::deployment_path_for(self.suffix(), model, query, api_version),
        }
    }
}

/// The `model` of a JSON request body, checked as OpenAI does (OpenAI-style 400s).
pub fn json_model(body: &[u8]) -> Result<Cow<'_, str>, OpenAiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(OpenAiError::bad_request(
            "The request body is empty; expected a JSON object.",
            None,
        ));
    }
    let picked = fields::pick(body, &["model"]).map_err(|e| parse_error(body, &e))?;
    let raw = picked.values[0].ok_or_else(|| {
        OpenAiError::bad_request("you must provide a model parameter", Some("model"))
    })?;
    model_value(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_paths() {
        assert_eq!(
            Passthrough::from_path("/v1/responses?x=1"),
            Some(Passthrough::Responses)
        );
        assert_eq!(
            Passthrough::from_path("/v1/audio/transcriptions"),
            Some(Passthrough::AudioTranscriptions)
        );
        assert_eq!(Passthrough::from_path("/v1/images/edits"), None);
        assert!(Passthrough::AudioSpeech.is_json());
        assert!(!Passthrough::AudioTranslations.is_json());
    }

    #[test]
    fn azure_paths() {
        assert_eq!(
            Passthrough::ImageGenerations.azure_path("dall-e", None, "2024-10-21"),
            "/openai/deployments/dall-e/images/generations?api-version=2024-10-21"
        );
        assert_eq!(
            Passthrough::AudioTranscriptions.azure_path("whisper", Some("a=b"), "2024-10-21"),
            "/openai/deployments/whisper/audio/transcriptions?a=b&api-version=2024-10-21"
        );
        assert_eq!(
            Passthrough::Responses.azure_path("gpt", Some("api-version=x&y=1"), "2024-10-21"),
            "/openai/v1/responses?y=1"
        );
        assert_eq!(
            Passthrough::Responses.azure_path("gpt", None, "2024-10-21"),
            "/openai/v1/responses"
        );
    }

    #[test]
    fn reads_the_model() {
        assert_eq!(
            json_model(br#"{"model":"gpt-image-1","prompt":"x"}"#).unwrap(),
            "gpt-image-1"
        );
        assert_eq!(json_model(b"{}").unwrap_err().param, Some("model"));
        assert_eq!(json_model(b"[1]").unwrap_err().status, 400);
        assert_eq!(json_model(b"").unwrap_err().status, 400);
    }
}
