//! The checks on responses that pass through from OpenAI-schema backends.
//!
//! Passed-through bodies are streamed untouched, so the gateway does not parse them; but a
//! response whose media type is not JSON or SSE (an HTML page from a proxy or a captive
//! portal in front of the provider, with status 200 or not) cannot be what the client's
//! library expects. Such a body is dropped chunk by chunk (nothing is buffered) and replaced
//! by an OpenAI error: `502` when the upstream claimed success, the upstream's status
//! otherwise. A chat or completions stream that the provider ends halfway through an event
//! or without `[DONE]` ends with an OpenAI error event and `[DONE]` ([`StreamEnd`]).

use aigw_core::openai::error::OpenAiError;
use aigw_core::openai::stream_end::StreamEnd;
use aigw_host::{BodyStatus, HeadersStatus, Host};

/// Whether and how a response of the current attempt is checked.
#[derive(Debug, Default)]
pub enum ContentCheck {
    /// The endpoint's responses are not JSON (audio, transcripts) or not passed through.
    #[default]
    Off,
    /// The response headers are still to come; `stream_end`: a chat or completions
    /// stream's end is checked.
    Expecting {
        /// Whether an event stream in the answer gets [`StreamEnd`].
        stream_end: bool,
    },
    /// The body is being replaced by this error.
    Replacing(OpenAiError),
    /// A successful event stream whose end is checked.
    Streaming(Box<StreamEnd>),
}

impl ContentCheck {
    /// Checks the response of this attempt (a JSON endpoint passed through untouched);
    /// `stream_end`: the endpoint streams chat or completions chunks.
    pub fn expect(&mut self, stream_end: bool) {
        *self = Self::Expecting { stream_end };
    }

    /// Response headers: a body of another media type turns the response into an error.
    pub fn on_response_headers(
        &mut self,
        host: &mut dyn Host,
        end_of_stream: bool,
    ) -> HeadersStatus {
        let Self::Expecting { stream_end } = *self else {
            return HeadersStatus::Continue;
        };
        *self = Self::Off;
        let Some(content_type) = host
            .response_header("content-type")
            .filter(|_| !end_of_stream)
        else {
            return HeadersStatus::Continue;
        };
        let status = host
            .response_header(":status")
            .and_then(|s| s.parse::<u16>().ok())
            .unwrap_or(0);
        if is_json_or_sse(&content_type) {
            if stream_end && (200..300).contains(&status) && media_type(&content_type) == SSE {
                // The end may grow by an error event.
                host.remove_response_header("content-length");
                *self = Self::Streaming(Box::default());
            }
            return HeadersStatus::Continue;
        }
        let error = unexpected_media_type(status, &content_type);
        host.set_response_header(":status", &error.status.to_string());
        host.set_response_header("content-type", "application/json");
        host.remove_response_header("content-length");
        *self = Self::Replacing(error);
        HeadersStatus::Continue
    }

    /// Response body: while replacing, each chunk is dropped and the last one carries the
    /// error; a checked stream passes whole events and gets its end repaired.
    pub fn on_response_body(&mut self, host: &mut dyn Host, end_of_stream: bool) -> BodyStatus {
        match self {
            Self::Replacing(error) => {
                let body = if end_of_stream {
                    error.body()
                } else {
                    Vec::new()
                };
                host.set_response_body(&body);
            }
            Self::Streaming(end) => {
                if let Some(out) = end.feed(&host.response_body(), end_of_stream) {
                    host.set_response_body(&out);
                }
            }
            Self::Off | Self::Expecting { .. } => {}
        }
        BodyStatus::Continue
    }
}

const SSE: &str = "text/event-stream";

/// The media type of a `content-type` value, lowercase, without parameters.
fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Whether a `content-type` value names JSON (`application/json`, `application/*+json`) or
/// an event stream.
fn is_json_or_sse(content_type: &str) -> bool {
    let media = media_type(content_type);
    media == "application/json" || media == SSE || media.ends_with("+json")
}

/// The error that replaces a body of media type `content_type` sent with `status`.
fn unexpected_media_type(status: u16, content_type: &str) -> OpenAiError {
    let shown: String = content_type
        .chars()
        .filter(|c| !c.is_control())
        .take(100)
        .collect();
    OpenAiError {
        status: if (200..300).contains(&status) || status < 100 {
            502
        } else {
            status
        },
        message: format!(
            "The upstream answered status {status} with a '{shown}' body where JSON was expected; the body was dropped."
        ),
        param: None,
    }
}

#[cfg(test)]
#[path = "content_check_tests.rs"]
mod tests;
