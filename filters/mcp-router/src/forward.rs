//! Requests forwarded through Envoy's router to one MCP server (routed calls, GET server
//! streams, client responses): the headers the server gets, and the server's answer
//! streaming back chunk by chunk, watched for telemetry, with only the ids of the server's
//! own requests to the client rewritten (SSE). A routed request whose backend session the
//! server no longer knows (404) becomes an [`Exchange`] that renews it (see `renewal.rs`).

use crate::callouts::Callouts;
use crate::config::Server;
use crate::exchange::{Exchange, Kind, Routed};
use crate::telemetry::Operation;
use aigw_core::auth::ExposeSecret;
use aigw_core::mcp::answer::AnswerWatch;
use aigw_core::mcp::forwarded_headers;
use aigw_core::mcp::reply::Accepts;
use aigw_core::mcp::server_requests::SseRelabel;
use aigw_core::mcp::session::{BackendSession, Session};
use aigw_core::mcp::{PROTOCOL_VERSION_HEADER, ROUTE_HEADER, SESSION_HEADER};
use aigw_host::Host;
use serde_json::Value;

/// `accept` of a forwarded POST (what callouts send too: servers require both forms).
pub const POST_ACCEPT: &str = "application/json, text/event-stream";

/// Points the request at `server` in its session `part`: Envoy's route for the server
/// matches [`ROUTE_HEADER`] (set here, so a client cannot choose it) and rewrites path and
/// host. Of the client's headers only those in [`forwarded_headers::kept`] go on (so its
/// `authorization`, its token for the gateway, never does unless forwarded by config); the
/// server gets its own credential, session id and protocol version.
pub fn point_at(host: &mut dyn Host, server: &Server, part: &BackendSession, accept: &str) {
    for (name, _) in host.request_headers() {
        if !forwarded_headers::kept(&name, &server.forward_headers) {
            host.remove_request_header(&name);
        }
    }
    host.set_request_header(ROUTE_HEADER, &server.name);
    if let Some((name, value)) = &server.credential {
        host.set_request_header(name, value.expose_secret());
    }
    match &part.session_id {
        Some(id) => host.set_request_header(SESSION_HEADER, id),
        None => host.remove_request_header(SESSION_HEADER),
    }
    host.set_request_header(PROTOCOL_VERSION_HEADER, &part.version);
    host.set_request_header("accept", accept);
    host.clear_route_cache();
}

/// Error type of a forwarded request whose stream ended before the server's answer began.
pub const STREAM_RESET: &str = "stream_reset";

/// A request forwarded to one server, until its answer ended.
#[derive(Debug)]
pub struct Forwarded {
    op: Operation,
    /// Whether the answer's body is read for a JSON-RPC error (POST) or not (GET stream).
    read_body: bool,
    watch: Option<AnswerWatch>,
    /// Server name and separator of the relayed ids of its requests in an SSE answer.
    relabel_as: Option<(String, String)>,
    relabel: Option<SseRelabel>,
    /// What sends the request again once in a renewed backend session.
    resend: Option<Box<Resend>>,
}

/// A routed request kept to be sent again by callout after its backend session expired.
#[derive(Debug)]
struct Resend {
    /// The client's request id.
    id: Value,
    /// Forms the client accepts.
    accepts: Accepts,
    /// The request as forwarded, its backend session and the client's gateway session.
    routed: Routed,
}

impl Forwarded {
    /// A forwarded request whose operation is `op`; `read_body` when the answer carries
    /// the JSON-RPC response.
    pub fn new(op: Operation, read_body: bool) -> Self {
        Self {
            op,
            read_body,
            watch: None,
            relabel_as: None,
            relabel: None,
            resend: None,
        }
    }

    /// Keeps request `id` (`body`, sent to `part` of the client's `session`; its client
    /// accepts `accepts`) to send it again once when the server answers 404 for its backend
    /// session. A request without a backend session id (a server without sessions) has no
    /// session to renew and is not kept.
    pub fn renewable(
        mut self,
        id: Value,
        accepts: Accepts,
        part: &BackendSession,
        body: Vec<u8>,
        session: &Session,
    ) -> Self {
        if part.session_id.is_some() {
            self.resend = Some(Box::new(Resend {
                id,
                accepts,
                routed: Routed::new(part, body, session),
            }));
        }
        self
    }

    /// Whether the answer, whose headers arrived, is a 404 to a renewable request: the
    /// server no longer knows the backend session (expired, or the server restarted).
    pub fn session_expired(&self, host: &dyn Host) -> bool {
        self.resend.is_some() && host.response_header(":status").as_deref() == Some("404")
    }

    /// The request as an exchange that sends it again once its backend session was renewed
    /// (see `renewal.rs`), carrying its operation, which the exchange's answer records;
    /// `None` when the request is not renewable.
    pub fn into_renewal(self) -> Option<Exchange> {
        let Resend {
            id,
            accepts,
            routed,
        } = *self.resend?;
        Some(Exchange {
            id,
            accepts,
            kind: Kind::Routed(Box::new(routed)),
            pending: Callouts::default(),
            op: Some(self.op),
        })
    }

    /// Relabels the server's requests in an SSE answer as requests of `server` (see
    /// `aigw_core::mcp::server_requests`).
    pub fn relabelling(mut self, server: &str, separator: &str) -> Self {
        self.relabel_as = Some((server.to_string(), separator.to_string()));
        self
    }

    /// The answer's headers: the server's session id is removed (the client only ever
    /// sees the gateway's). Returns true when the answer ended with them.
    pub fn response_headers(&mut self, host: &mut dyn Host, end_of_stream: bool) -> bool {
        host.remove_response_header(SESSION_HEADER);
        let status = host
            .response_header(":status")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let content_type = host.response_header("content-type");
        let sse = content_type
            .as_deref()
            .is_some_and(|c| c.trim_start().starts_with("text/event-stream"));
        if let Some((server, separator)) = &self.relabel_as
            && sse
            && !end_of_stream
        {
            // Relabelling changes the length of the stream.
            host.remove_response_header("content-length");
            self.relabel = Some(SseRelabel::new(server, separator));
        }
        let watched = if self.read_body { content_type } else { None };
        self.watch = Some(AnswerWatch::new(status, watched.as_deref()));
        end_of_stream
    }

    /// A chunk of the answer, passed on (relabelled when it holds a server request).
    /// Returns true at its end.
    pub fn response_body(&mut self, host: &mut dyn Host, end_of_stream: bool) -> bool {
        let watch = self.watch.as_mut().filter(|_| self.read_body);
        if watch.is_none() && self.relabel.is_none() {
            return end_of_stream;
        }
        let chunk = host.response_body();
        if let Some(watch) = watch {
            watch.feed(&chunk);
        }
        if let Some(relabel) = &mut self.relabel {
            let mut out = relabel.feed(&chunk);
            if end_of_stream {
                let rest = relabel.finish();
                if !rest.is_empty() {
                    out.get_or_insert_with(|| chunk.clone())
                        .extend_from_slice(&rest);
                }
            }
            if let Some(out) = out {
                host.set_response_body(&out);
            }
        }
        end_of_stream
    }

    /// Records the operation: duration until now, error from the answer's status or
    /// JSON-RPC response; `stream_reset` when no answer came.
    pub fn finish(self, host: &mut dyn Host) {
        let error = match self.watch {
            Some(watch) => watch.finish(),
            None => Some(STREAM_RESET.to_string()),
        };
        self.op.finish(host, error.as_deref());
    }
}

#[cfg(test)]
#[path = "forward_tests.rs"]
mod tests;
