//! The aigw control plane: gateway config types, the Envoy bootstrap generator, and the
//! `aigw run` orchestration, and the xDS server of `aigw serve`.

pub mod artifacts;
pub mod bootstrap;
pub mod config;
pub mod envoy;
pub mod mesh;
pub mod ratelimit;
pub mod run;
pub mod translate;
pub mod xds;
