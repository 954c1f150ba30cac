//! The ADS gRPC service: one task per Envoy stream, answering its requests and pushing a
//! new snapshot whenever the watched config changes.

use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use envoy_types::pb::envoy::service::discovery::v3::aggregated_discovery_service_server::AggregatedDiscoveryService;
use envoy_types::pb::envoy::service::discovery::v3::{
    DeltaDiscoveryRequest, DeltaDiscoveryResponse, DiscoveryRequest, DiscoveryResponse,
};

use tokio::sync::{mpsc, watch};
use tokio_stream::Stream;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};

use super::node::{self, NodeParams};
use super::resources::{self, Snapshot};
use super::stream::{AdsStream, Received};
use super::watch::Loaded;
use crate::bootstrap::{GenerateOptions, resources as generate};

/// What every Envoy's snapshot is generated from besides the config.
#[derive(Debug, Clone)]
pub struct Generator {
    /// Directory of the module artifacts (absolute).
    pub modules_dir: PathBuf,
    /// Access log of Envoys whose node metadata names none (absolute).
    pub access_log: PathBuf,
}

impl Generator {
    /// The snapshot of `node` for `config`.
    pub fn snapshot(&self, loaded: &Loaded, node: &NodeParams) -> Result<Snapshot, String> {
        let mut config = loaded.config.clone();
        if let Some(listen) = node.listen {
            config.listen = listen;
        }
        let access_log = node.access_log.as_ref().unwrap_or(&self.access_log);
        let opts = GenerateOptions {
            modules_dir: &self.modules_dir,
            access_log,
        };
        resources::snapshot(generate(&config, &opts)?)
    }
}

/// The aggregated discovery service of `aigw serve`.
pub struct Ads {
    /// The latest valid config.
    pub config: watch::Receiver<Arc<Loaded>>,
    /// Snapshot generation settings.
    pub generator: Arc<Generator>,
}

type Responses = Pin<Box<dyn Stream<Item = Result<DiscoveryResponse, Status>> + Send>>;
type DeltaResponses = Pin<Box<dyn Stream<Item = Result<DeltaDiscoveryResponse, Status>> + Send>>;

#[tonic::async_trait]
impl AggregatedDiscoveryService for Ads {
    type StreamAggregatedResourcesStream = Responses;
    type DeltaAggregatedResourcesStream = DeltaResponses;

    async fn stream_aggregated_resources(
        &self,
        request: Request<Streaming<DiscoveryRequest>>,
    ) -> Result<Response<Responses>, Status> {
        let (tx, rx) = mpsc::channel(16);
        let config = self.config.clone();
        let generator = self.generator.clone();
        tokio::spawn(serve_stream(request.into_inner(), tx, config, generator));
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }

    async fn delta_aggregated_resources(
        &self,
        _request: Request<Streaming<DeltaDiscoveryRequest>>,
    ) -> Result<Response<DeltaResponses>, Status> {
        Err(Status::unimplemented(
            "aigw serves state-of-the-world ADS (api_type GRPC), not delta",
        ))
    }
}

/// Runs one Envoy's stream until it closes.
async fn serve_stream(
    mut requests: Streaming<DiscoveryRequest>,
    tx: mpsc::Sender<Result<DiscoveryResponse, Status>>,
    mut config: watch::Receiver<Arc<Loaded>>,
    generator: Arc<Generator>,
) {
    let mut ads = AdsStream::default();
    let mut node: Option<NodeParams> = None;
    let mut snapshot = Snapshot::default();
    loop {
        tokio::select! {
            message = requests.message() => {
                let request = match message {
                    Ok(Some(r)) => r,
                    Ok(None) => break,
                    Err(status) => {
                        eprintln!("aigw serve: stream of {} ended: {}", id(&node), status.message());
                        break;
                    }
                };
                if node.is_none() {
                    match node::params(request.node.as_ref()) {
                        Ok(p) => {
                            eprintln!("aigw serve: Envoy {:?} connected", p.id);
                            snapshot = regenerate(&generator, &config.borrow_and_update(), &p, snapshot);
                            node = Some(p);
                        }
                        Err(e) => {
                            eprintln!("aigw serve: refused a stream: {e}");
                            let _ = tx.send(Err(Status::invalid_argument(e))).await;
                            return;
                        }
                    }
                }
                log_received(&node, &request, ads.receive(&request));
            }
            changed = config.changed() => {
                if changed.is_err() {
                    break;
                }
                if let Some(p) = &node {
                    snapshot = regenerate(&generator, &config.borrow_and_update(), p, snapshot);
                }
            }
        }
        for response in ads.responses(&snapshot) {
            eprintln!(
                "aigw serve: sent {} version {} ({} resources) to {}",
                short_type(&response.type_url),
                response.version_info,
                response.resources.len(),
                id(&node)
            );
            if tx.send(Ok(response)).await.is_err() {
                return;
            }
        }
    }
    eprintln!("aigw serve: Envoy {} disconnected", id(&node));
}

/// The node's snapshot for `loaded`, or (logged) the previous one when generation fails.
fn regenerate(
    generator: &Generator,
    loaded: &Loaded,
    node: &NodeParams,
    old: Snapshot,
) -> Snapshot {
    match generator.snapshot(loaded, node) {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "aigw serve: cannot generate config generation {} for {:?}, keeping the previous one: {e}",
                loaded.generation, node.id
            );
            old
        }
    }
}

fn log_received(node: &Option<NodeParams>, request: &DiscoveryRequest, received: Received) {
    let (id, kind) = (id(node), short_type(&request.type_url));
    match received {
        Received::Nack { version, message } => {
            eprintln!("aigw serve: NACK from {id} for {kind} version {version}: {message}")
        }
        Received::Ack(version) => {
            eprintln!("aigw serve: ACK from {id} for {kind} version {version}")
        }
        Received::Subscribe | Received::Stale => {}
    }
}

fn id(node: &Option<NodeParams>) -> String {
    node.as_ref()
        .map_or_else(|| "(unknown)".to_string(), |n| format!("{:?}", n.id))
}

/// `Listener` for `type.googleapis.com/envoy.config.listener.v3.Listener`.
fn short_type(type_url: &str) -> &str {
    type_url.rsplit('.').next().unwrap_or(type_url)
}
