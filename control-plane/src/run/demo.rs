//! The bundled demo backend: testupstream served in-process on a free loopback port.

use std::net::SocketAddr;

use testupstream::{Backend, Config, serve};
use tokio::net::TcpListener;

/// Environment variable through which Envoy receives the demo backend's key.
pub const DEMO_KEY_ENV: &str = "AIGW_DEMO_API_KEY";
/// Backend, route and model name of the demo.
pub const DEMO_NAME: &str = "demo";

/// A running demo backend.
pub struct Demo {
    /// Address it listens on.
    pub addr: SocketAddr,
    /// Throwaway API key generated for this run; handed to Envoy only by environment.
    pub key: String,
}

/// Starts testupstream on 127.0.0.1 (free port) with a fresh random key, on the current
/// tokio runtime. It stops when the runtime does.
pub async fn start() -> Result<Demo, String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("cannot start the demo backend: {e}"))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot start the demo backend: {e}"))?;
    let key = random_key()?;
    let config = Config {
        backends: vec![Backend {
            id: DEMO_NAME.into(),
            key: key.clone(),
        }],
        verbose: false,
        tokens: None,
    };
    tokio::spawn(serve(listener, config));
    Ok(Demo { addr, key })
}

fn random_key() -> Result<String, String> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| format!("cannot generate the demo key: {e}"))?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("aigw-demo-{hex}"))
}
