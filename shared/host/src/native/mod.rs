//! Native host: Envoy dynamic-module ABI (filled in by the native host work).
#[doc(hidden)]
#[macro_export]
macro_rules! __export_native {
    ($factory:ty) => {};
}
