//! Helpers shared by the native-host integration tests.
#![allow(dead_code)]

pub mod envoy;
pub mod http;
