//! The `x-testupstream-fault` knob (OpenAI, Anthropic and Bedrock flavours): a provider
//! misbehaving after it accepted the request, for the gateway's fault-injection tests.

use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::{self, StreamExt};
use http_body_util::{BodyExt, StreamBody};
use hyper::HeaderMap;
use hyper::body::Frame;

use crate::error::ApiError;
use crate::server::{Body, full};

/// Request header naming the fault.
pub const FAULT_HEADER: &str = "x-testupstream-fault";
/// Request header: how long the stall faults stall, in milliseconds (default 60000).
pub const STALL_HEADER: &str = "x-testupstream-stall-ms";
/// Pause before the reset, so the part before it is written out.
const FLUSH_PAUSE: Duration = Duration::from_millis(50);
/// Events sent before a mid-stream fault.
const EVENTS_BEFORE_FAULT: usize = 2;

/// A misbehaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Close the connection after the headers and part of the body (no end of the chunked
    /// body).
    ResetMidStream,
    /// 200 with a body that is not valid JSON (a stream: an event whose data is not JSON).
    InvalidJson,
    /// 200 with `content-type: text/html` and an HTML page.
    Html,
    /// Wait before sending anything, then answer normally.
    StallBeforeHeaders,
    /// Send part of the stream, wait, then send the rest.
    StallMidStream,
    /// End the body cleanly in the middle of an event (an SSE event or an AWS event-stream
    /// frame cut in half; a JSON body: its first half).
    TruncatedStream,
}

/// Reads the fault knobs; `None` without a fault header.
pub fn from_headers(headers: &HeaderMap) -> Result<Option<(Fault, Duration)>, ApiError> {
    let Some(value) = headers.get(FAULT_HEADER) else {
        return Ok(None);
    };
    let value = value.to_str().unwrap_or("");
    let fault = match value {
        "reset-mid-stream" => Fault::ResetMidStream,
        "invalid-json" => Fault::InvalidJson,
        "html" => Fault::Html,
        "stall-before-headers" => Fault::StallBeforeHeaders,
        "stall-mid-stream" => Fault::StallMidStream,
        "truncated-stream" => Fault::TruncatedStream,
        other => {
            return Err(ApiError::invalid(
                FAULT_HEADER,
                format!(
                    "{FAULT_HEADER}: expected reset-mid-stream, invalid-json, html, \
                     stall-before-headers, stall-mid-stream or truncated-stream, got {other:?}"
                ),
            ));
        }
    };
    let stall = match headers.get(STALL_HEADER) {
        None => Duration::from_secs(60),
        Some(v) => Duration::from_millis(v.to_str().ok().and_then(|v| v.parse().ok()).ok_or_else(
            || {
                ApiError::invalid(
                    STALL_HEADER,
                    format!("{STALL_HEADER}: expected milliseconds"),
                )
            },
        )?),
    };
    Ok(Some((fault, stall)))
}

/// The content type and body of a faulty answer to a request whose normal answer is
/// `normal` (`events` for a stream, of media type `stream_type`; one JSON body otherwise).
/// `None` means: answer normally (after the stall, which [`stall_before`] already did).
pub fn body(
    fault: Fault,
    stall: Duration,
    stream: Option<&'static str>,
    normal: Vec<Bytes>,
) -> Option<(&'static str, Body)> {
    let sse = stream.unwrap_or("application/json");
    let stream = stream.is_some();
    match fault {
        Fault::StallBeforeHeaders => None,
        Fault::Html => Some((
            "text/html; charset=utf-8",
            full(
                "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>\
                  <body><h1>502 Bad Gateway</h1></body></html>\n",
            ),
        )),
        Fault::InvalidJson if stream => Some((
            sse,
            full("data: {\"id\":\"chatcmpl-broken\",\"choices\":[{\"delta\":\n\ndata: [DONE]\n\n"),
        )),
        Fault::InvalidJson => Some((
            sse,
            full("{\"id\":\"chatcmpl-broken\",\"choices\":[{\"message\":"),
        )),
        Fault::ResetMidStream => {
            let head: Vec<Bytes> = first_part(normal, stream);
            let frames = stream::iter(head.into_iter().map(|b| Ok(Frame::data(b)))).chain(
                stream::once(async {
                    // Let the part already sent leave first (headers included).
                    tokio::time::sleep(FLUSH_PAUSE).await;
                    Err(std::io::Error::new(
                        std::io::ErrorKind::ConnectionReset,
                        "testupstream: fault reset-mid-stream",
                    ))
                }),
            );
            Some((sse, BodyExt::boxed(StreamBody::new(frames))))
        }
        Fault::TruncatedStream => {
            let mut head = first_part(normal.clone(), stream);
            if let Some(next) = normal.get(EVENTS_BEFORE_FAULT).filter(|_| stream) {
                head.push(next.slice(..next.len() / 2));
            }
            let frames = stream::iter(head.into_iter().map(|b| Ok(Frame::data(b))));
            Some((sse, BodyExt::boxed(StreamBody::new(frames))))
        }
        Fault::StallMidStream => {
            let mut rest = normal;
            let head: Vec<Bytes> = rest.drain(..EVENTS_BEFORE_FAULT.min(rest.len())).collect();
            let frames = stream::iter(head.into_iter().map(|b| Ok(Frame::data(b))))
                .chain(stream::once(tokio::time::sleep(stall)).filter_map(|()| async { None }))
                .chain(stream::iter(rest.into_iter().map(|b| Ok(Frame::data(b)))));
            Some((sse, BodyExt::boxed(StreamBody::new(frames))))
        }
    }
}

/// The first events of a stream, or the first half of a JSON body.
fn first_part(normal: Vec<Bytes>, stream: bool) -> Vec<Bytes> {
    if stream {
        normal.into_iter().take(EVENTS_BEFORE_FAULT).collect()
    } else {
        normal
            .first()
            .map(|b| vec![b.slice(..b.len() / 2)])
            .unwrap_or_default()
    }
}

/// Waits before the answer for [`Fault::StallBeforeHeaders`].
pub async fn stall_before(fault: Fault, stall: Duration) {
    if fault == Fault::StallBeforeHeaders {
        tokio::time::sleep(stall).await;
    }
}
