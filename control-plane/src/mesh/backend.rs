//! Where each backend lives, as the mesh generators address it.

use crate::config::endpoint::{self, Endpoint};
use crate::config::{Backend, GatewayConfig};

/// A backend with its parsed endpoint and the host name the mesh resources use for it.
pub struct MeshBackend<'a> {
    /// The backend.
    pub backend: &'a Backend,
    /// Its parsed endpoint.
    pub endpoint: Endpoint,
    /// DNS name of the backend in the mesh: the endpoint host, or for an IP endpoint
    /// `<name>.aigw.internal` (resolved statically to the IP).
    pub host: String,
}

/// Every backend of `config`, in config order.
pub fn backends(config: &GatewayConfig) -> Result<Vec<MeshBackend<'_>>, String> {
    config
        .backends
        .iter()
        .enumerate()
        .map(|(i, b)| {
            if b.inference_pool.is_some() {
                return Err(format!(
                    "backends[{i}].inference_pool: not supported by the Istio and Envoy Gateway targets yet (use --target envoy or aigw serve)"
                ));
            }
            let endpoint = endpoint::parse(&b.endpoint_url())
                .map_err(|e| format!("backends[{i}].endpoint: {e}"))?;
            let host = if endpoint.is_ip {
                format!("{}.aigw.internal", super::k8s_name(&b.name))
            } else {
                endpoint.host.clone()
            };
            Ok(MeshBackend {
                backend: b,
                endpoint,
                host,
            })
        })
        .collect()
}

/// The backend named `name`.
pub fn find<'b, 'a>(
    backends: &'b [MeshBackend<'a>],
    name: &str,
) -> Result<&'b MeshBackend<'a>, String> {
    backends
        .iter()
        .find(|b| b.backend.name == name)
        .ok_or_else(|| format!("routes: backend {name:?} is not defined"))
}
