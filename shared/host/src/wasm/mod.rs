//! proxy-wasm host (filled in by the wasm host work).
#[doc(hidden)]
#[macro_export]
macro_rules! __export_wasm {
    ($factory:ty) => {};
}
