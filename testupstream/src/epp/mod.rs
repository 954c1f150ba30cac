//! A fake Gateway API Inference Extension endpoint picker (EPP): Envoy's `ext_proc` service
//! (`envoy.service.ext_proc.v3`) in the protocol's streaming mode (`FULL_DUPLEX_STREAMED`
//! bodies). It picks one of its model-server endpoints round robin for each request, checks
//! what Envoy sends strictly, and once the whole request body arrived answers the pick as the
//! `x-gateway-destination-endpoint` request header and/or the dynamic metadata
//! `envoy.lb` / `x-gateway-destination-endpoint`. Response headers get `x-fake-epp-picked`
//! naming the pick; response bodies are passed back chunk by chunk.

mod exchange;
mod messages;

use std::net::SocketAddr;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use envoy_types::pb::envoy::service::ext_proc::v3::external_processor_server::{
    ExternalProcessor, ExternalProcessorServer,
};
use envoy_types::pb::envoy::service::ext_proc::v3::{ProcessingRequest, ProcessingResponse};
use futures_util::Stream;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::server::TcpIncoming;
use tonic::{Request, Response, Status, Streaming};

use exchange::Exchange;

/// How the picker tells Envoy the chosen endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// The `x-gateway-destination-endpoint` request header only.
    Header,
    /// The `envoy.lb` dynamic metadata only.
    Metadata,
    /// Both, with the same value (as the protocol allows).
    Both,
}

impl FromStr for Answer {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "header" => Ok(Self::Header),
            "metadata" => Ok(Self::Metadata),
            "both" => Ok(Self::Both),
            other => Err(format!(
                "answer must be header, metadata or both, got {other:?}"
            )),
        }
    }
}

/// The picker's endpoints and answer style.
#[derive(Debug, Clone)]
pub struct EppConfig {
    /// Model-server endpoints picked from, round robin.
    pub endpoints: Vec<SocketAddr>,
    /// How the pick is answered.
    pub answer: Answer,
    /// Log one line per request to stderr.
    pub verbose: bool,
}

struct Picker {
    config: EppConfig,
    next: AtomicUsize,
}

impl Picker {
    fn pick(&self) -> SocketAddr {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        self.config.endpoints[i % self.config.endpoints.len()]
    }
}

struct Service(Arc<Picker>);

type ResponseStream = Pin<Box<dyn Stream<Item = Result<ProcessingResponse, Status>> + Send>>;

#[tonic::async_trait]
impl ExternalProcessor for Service {
    type ProcessStream = ResponseStream;

    async fn process(
        &self,
        request: Request<Streaming<ProcessingRequest>>,
    ) -> Result<Response<Self::ProcessStream>, Status> {
        let mut incoming = request.into_inner();
        let picker = self.0.clone();
        let (tx, rx) = mpsc::channel(16);
        tokio::spawn(async move {
            let endpoint = picker.pick();
            let mut exchange = Exchange::new(endpoint, picker.config.answer);
            loop {
                let message = match incoming.message().await {
                    Ok(Some(m)) => m,
                    Ok(None) => break,
                    Err(e) => {
                        if picker.config.verbose {
                            eprintln!("fake-epp: stream error: {e}");
                        }
                        break;
                    }
                };
                let (answers, done) = exchange.handle(message);
                if picker.config.verbose && done {
                    eprintln!("fake-epp: {}", exchange.summary());
                }
                for a in answers {
                    if tx.send(Ok(a)).await.is_err() {
                        return;
                    }
                }
                if done {
                    break;
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }
}

/// Serves the picker on `listener` (never returns unless the transport fails).
pub async fn serve_epp(listener: TcpListener, config: EppConfig) -> Result<(), String> {
    if config.endpoints.is_empty() {
        return Err("at least one endpoint is required".into());
    }
    let picker = Arc::new(Picker {
        config,
        next: AtomicUsize::new(0),
    });
    tonic::transport::Server::builder()
        .add_service(ExternalProcessorServer::new(Service(picker)))
        .serve_with_incoming(TcpIncoming::from(listener))
        .await
        .map_err(|e| format!("fake-epp: {e}"))
}

#[cfg(test)]
mod tests;
