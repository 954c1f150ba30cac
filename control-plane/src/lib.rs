//! The aigw control plane: gateway config types, the Envoy bootstrap generator, and the
//! `aigw run` orchestration.

pub mod artifacts;
pub mod bootstrap;
pub mod config;
pub mod envoy;
pub mod ratelimit;
pub mod run;
