//! A failing provider for fallback tests: every request is read whole, then answered with
//! an error status, never answered, or dropped with the connection (`--fault`). Several
//! faults are served in turn, one per request, starting over after the last.

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::error::ApiError;

/// How every request fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this status and an OpenAI error body.
    Status(StatusCode),
    /// Never answer (the connection stays open until the client gives up).
    Stall,
    /// Close the connection without answering.
    Reset,
}

impl FromStr for Fault {
    type Err = String;

    /// Parses `status:<400-599>`, `stall` or `reset`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "stall" => Ok(Self::Stall),
            "reset" => Ok(Self::Reset),
            _ => s
                .strip_prefix("status:")
                .and_then(|code| code.parse::<u16>().ok())
                .filter(|code| (400..=599).contains(code))
                .and_then(|code| StatusCode::from_u16(code).ok())
                .map(Self::Status)
                .ok_or_else(|| {
                    format!("--fault: expected status:<400-599>, stall or reset, got {s:?}")
                }),
        }
    }
}

/// The error that makes hyper close the connection without a response.
#[derive(Debug)]
struct DropConnection;

impl fmt::Display for DropConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped by the reset fault")
    }
}

impl std::error::Error for DropConnection {}

/// Serves `faults` in turn on `listener`: request *n* (counted over all connections, from 0)
/// gets `faults[n % faults.len()]` (an empty list drops every connection); never returns.
pub async fn serve_fault(listener: TcpListener, faults: Vec<Fault>) {
    let faults: Arc<[Fault]> = faults.into();
    let served = Arc::new(AtomicUsize::new(0));
    loop {
        let Ok((conn, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let (faults, served) = (Arc::clone(&faults), Arc::clone(&served));
        tokio::spawn(async move {
            let svc = service_fn(move |req| {
                let n = served.fetch_add(1, Ordering::Relaxed);
                let fault = faults.get(n % faults.len().max(1)).copied();
                fail(fault, req)
            });
            // The reset fault ends every connection with an error: nothing to report.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(conn), svc)
                .await;
        });
    }
}

async fn fail(
    fault: Option<Fault>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, DropConnection> {
    // Read the whole request first, as a provider that fails while working on it would.
    let _ = req.into_body().collect().await;
    let Some(fault) = fault else {
        return Err(DropConnection);
    };
    match fault {
        Fault::Status(status) => {
            let e = ApiError::injected(status);
            let mut response = Response::new(Full::new(e.body()));
            *response.status_mut() = status;
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            Ok(response)
        }
        Fault::Stall => match std::future::pending::<Infallible>().await {},
        Fault::Reset => Err(DropConnection),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_faults() {
        assert_eq!("stall".parse(), Ok(Fault::Stall));
        assert_eq!("reset".parse(), Ok(Fault::Reset));
        assert_eq!(
            "status:503".parse(),
            Ok(Fault::Status(StatusCode::SERVICE_UNAVAILABLE))
        );
        assert!("status:200".parse::<Fault>().is_err());
        assert!("slow".parse::<Fault>().is_err());
    }
}
