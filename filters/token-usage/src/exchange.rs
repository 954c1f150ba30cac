//! What the filter knows about one request/response exchange on an API path.

use crate::buffered::BufferedBody;
use crate::schema::Schema;
use crate::streaming::StreamingBody;
use aigw_core::api_kind::ApiKind;
use aigw_core::usage::ResponseUsage;
use aigw_host::Host;
use std::time::SystemTime;

/// How the response body is read.
#[derive(Debug)]
pub(crate) enum Body {
    /// Response headers have not arrived yet.
    Pending,
    /// A whole JSON body, copied as it passes.
    Buffered(BufferedBody),
    /// An SSE stream, parsed chunk by chunk.
    Streaming(Box<StreamingBody>),
    /// A body whose usage cannot be read (compressed), or a non-2xx response.
    Ignored,
}

/// State of one exchange the filter handles.
#[derive(Debug)]
pub(crate) struct Exchange {
    /// The client-facing API.
    pub api: ApiKind,
    /// The schema of the responses the client receives.
    pub schema: Schema,
    /// When the request headers arrived.
    pub start: SystemTime,
    /// Model the client asked for.
    pub request_model: String,
    /// Response status (0 until the response headers arrive).
    pub status: u16,
    /// Backend that served the attempt.
    pub backend: String,
    /// Gateway route that matched (empty when the route config named none).
    pub route: String,
    /// User and team label values, when the config counts tokens per identity.
    pub identity: Option<(String, String)>,
    /// The response body reader.
    pub body: Body,
}

/// What the exchange reported when it ended.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// Model and usage the response reported.
    pub usage: ResponseUsage,
    /// When the first output token arrived (streams only).
    pub first_token: Option<SystemTime>,
    /// When the exchange ended.
    pub end: SystemTime,
}

impl Exchange {
    /// A new exchange started now.
    pub fn new(api: ApiKind, schema: Schema, start: SystemTime, request_model: String) -> Self {
        Self {
            api,
            schema,
            start,
            request_model,
            status: 0,
            backend: String::new(),
            route: String::new(),
            identity: None,
            body: Body::Pending,
        }
    }

    /// Whether the response status is 2xx.
    pub fn succeeded(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Feeds one response body chunk to the body reader.
    pub fn push_body(&mut self, host: &dyn Host) {
        match &mut self.body {
            Body::Buffered(body) => body.push(host.response_body(), host),
            Body::Streaming(body) => body.push(&host.response_body(), host),
            Body::Pending | Body::Ignored => {}
        }
    }

    /// Ends the body reader; `complete` is false when the stream was cut short.
    pub fn finish(&mut self, complete: bool, host: &dyn Host) -> Outcome {
        let (usage, first_token) = match std::mem::replace(&mut self.body, Body::Ignored) {
            Body::Buffered(mut body) => (body.finish(host), None),
            Body::Streaming(mut body) => (body.finish(complete, host), body.first_token()),
            Body::Pending | Body::Ignored => (ResponseUsage::default(), None),
        };
        Outcome {
            usage,
            first_token,
            end: host.now(),
        }
    }
}
