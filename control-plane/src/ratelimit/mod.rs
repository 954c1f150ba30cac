//! `aigw ratelimit`: the rate-limit service Envoy's ratelimit filter calls
//! (`envoy.service.ratelimit.v3`), counting token budgets per fixed window in Redis (shared by
//! many Envoys) or in memory (one node). See docs/internals.md, "Token rate limits".

pub mod descriptor;
pub mod memory;
pub mod redis_store;
pub mod service;
pub mod store;

use envoy_types::pb::envoy::service::ratelimit::v3::rate_limit_service_server::RateLimitServiceServer;
use tokio::net::TcpListener;
use tonic::transport::server::TcpIncoming;

use service::RateLimiter;
use store::Store;

/// Serves the rate-limit service on `listener` until the task is dropped or the transport fails.
pub async fn serve(listener: TcpListener, store: Store) -> Result<(), String> {
    tonic::transport::Server::builder()
        .add_service(RateLimitServiceServer::new(RateLimiter::new(store)))
        .serve_with_incoming(TcpIncoming::from(listener))
        .await
        .map_err(|e| format!("rate-limit service: {e}"))
}

/// The store named by the command line: Redis at `redis_url`, or in memory without one.
pub async fn open_store(redis_url: Option<&str>) -> Result<Store, String> {
    match redis_url {
        Some(url) => Ok(Store::Redis(redis_store::RedisStore::connect(url).await?)),
        None => Ok(Store::Memory(memory::MemoryStore::default())),
    }
}
