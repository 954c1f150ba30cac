//! Waiting for Envoy's admin `/ready` endpoint.

use std::net::SocketAddr;
use std::time::Duration;

use http_body_util::Empty;
use hyper::body::Bytes;
use hyper::{StatusCode, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// Asks the admin endpoint whether Envoy is ready; `true` on HTTP 200 within a second.
pub async fn is_ready(admin: SocketAddr) -> bool {
    let Ok(uri) = format!("http://{admin}/ready").parse::<Uri>() else {
        return false;
    };
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    matches!(
        tokio::time::timeout(Duration::from_secs(1), client.get(uri)).await,
        Ok(Ok(response)) if response.status() == StatusCode::OK
    )
}
