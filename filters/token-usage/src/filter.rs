//! The per-stream token-usage filter.

use crate::buffered::BufferedBody;
use crate::exchange::{Body, Exchange};
use crate::factory::Settings;
use crate::report::report;
use crate::schema::{Schema, classify};
use crate::streaming::StreamingBody;
use aigw_core::headers::{BACKEND as BACKEND_HEADER, MODEL as MODEL_HEADER, ROUTE as ROUTE_HEADER};
use aigw_core::metrics::identity_label;
use aigw_host::{BodyStatus, Filter, HeadersStatus, Host, LogLevel};
use std::sync::Arc;

/// Reads the usage of API responses as they pass and reports it once per stream. Never
/// holds back or changes a body; requests on other paths cost one path check.
#[derive(Debug)]
pub struct TokenUsageFilter {
    settings: Arc<Settings>,
    exchange: Option<Box<Exchange>>,
    reported: bool,
}

impl TokenUsageFilter {
    pub(crate) fn new(settings: Arc<Settings>) -> Self {
        Self {
            settings,
            exchange: None,
            reported: false,
        }
    }

    /// Ends the exchange and reports it, at most once per stream.
    fn finish(&mut self, host: &mut dyn Host, complete: bool) {
        if self.reported {
            return;
        }
        let Some(exchange) = self.exchange.as_mut() else {
            return;
        };
        self.reported = true;
        let outcome = exchange.finish(complete, host);
        let settings = &self.settings;
        report(
            host,
            &settings.metrics,
            &settings.config,
            exchange,
            &outcome,
        );
    }
}

impl Filter for TokenUsageFilter {
    fn on_request_headers(&mut self, host: &mut dyn Host, _end_of_stream: bool) -> HeadersStatus {
        let api = host
            .request_header(":path")
            .and_then(|path| classify(&path));
        if let Some((api, schema)) = api {
            let model = host.request_header(MODEL_HEADER).unwrap_or_default();
            let mut exchange = Exchange::new(api, schema, host.now(), model);
            if let Some(headers) = &self.settings.config.identity {
                let label = |h: &Option<String>| {
                    identity_label(h.as_deref().and_then(|h| host.request_header(h)).as_deref())
                };
                exchange.identity =
                    Some((label(&headers.user_header), label(&headers.team_header)));
            }
            self.exchange = Some(Box::new(exchange));
        }
        HeadersStatus::Continue
    }

    fn on_response_headers(&mut self, host: &mut dyn Host, end_of_stream: bool) -> HeadersStatus {
        let Some(exchange) = self.exchange.as_mut() else {
            return HeadersStatus::Continue;
        };
        exchange.status = host
            .response_header(":status")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        if let Some(backend) = host.response_header(BACKEND_HEADER) {
            host.remove_response_header(BACKEND_HEADER);
            exchange.backend = backend;
        }
        if let Some(route) = host.response_header(ROUTE_HEADER) {
            host.remove_response_header(ROUTE_HEADER);
            exchange.route = route;
        }
        if exchange.request_model.is_empty() {
            exchange.request_model = host.request_header(MODEL_HEADER).unwrap_or_default();
        }
        exchange.body = body_reader(exchange.succeeded(), exchange.schema, host);
        if end_of_stream {
            self.finish(host, true);
        }
        HeadersStatus::Continue
    }

    fn on_response_body(&mut self, host: &mut dyn Host, end_of_stream: bool) -> BodyStatus {
        if let Some(exchange) = self.exchange.as_mut()
            && !self.reported
        {
            exchange.push_body(host);
            if end_of_stream {
                self.finish(host, true);
            }
        }
        BodyStatus::Continue
    }

    fn on_stream_complete(&mut self, host: &mut dyn Host) {
        self.finish(host, false);
    }
}

/// Picks how to read the body of a response with the current headers.
fn body_reader(succeeded: bool, schema: Schema, host: &dyn Host) -> Body {
    if !succeeded {
        return Body::Ignored;
    }
    if let Some(encoding) = host.response_header("content-encoding")
        && !encoding.trim().eq_ignore_ascii_case("identity")
    {
        host.log(
            LogLevel::Debug,
            &format!("token-usage: response is {encoding}-encoded; usage not read"),
        );
        return Body::Ignored;
    }
    let streaming = host.response_header("content-type").is_some_and(|ct| {
        let media_type = ct.split(';').next().unwrap_or_default().trim();
        media_type.eq_ignore_ascii_case("text/event-stream")
    });
    if streaming {
        Body::Streaming(Box::new(StreamingBody::new(schema)))
    } else {
        Body::Buffered(BufferedBody::new(schema))
    }
}
