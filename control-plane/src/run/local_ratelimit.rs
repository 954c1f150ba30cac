//! Local mode of token rate limits: `aigw run` serves the rate-limit service in its own
//! process, counting in memory, when the config names no `rate_limits.service`.

use crate::config::GatewayConfig;
use crate::ratelimit::{self, store::Store};

/// Starts an in-memory rate-limit service on a free loopback port and points the config at
/// it, when the config has rate limits without a service. Returns the address it serves on.
pub async fn start(config: &mut GatewayConfig) -> Result<Option<std::net::SocketAddr>, String> {
    let Some(limits) = config.rate_limits.as_mut().filter(|r| r.service.is_none()) else {
        return Ok(None);
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("cannot start the local rate-limit service: {e}"))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot start the local rate-limit service: {e}"))?;
    limits.service = Some(addr.to_string());
    let store = Store::Memory(ratelimit::memory::MemoryStore::default());
    tokio::spawn(async move {
        if let Err(e) = ratelimit::serve(listener, store).await {
            eprintln!("aigw: {e}");
        }
    });
    Ok(Some(addr))
}
