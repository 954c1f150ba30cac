//! The host layer: filters are written once against [`Filter`], [`FilterFactory`] and
//! [`Host`], and run unchanged under three hosts:
//!
//! * `wasm` (target `wasm32`): proxy-wasm, via the `proxy-wasm` crate;
//! * `native` (other targets): Envoy's dynamic-module ABI, with our own declarations;
//! * [`test_host`]: an in-memory host that records everything, for unit tests.
//!
//! A filter crate exports itself for both Envoy hosts with one line in its `lib.rs`:
//! `aigw_host::export_filter!(MyFactory);`.

mod api;
pub mod panic_reply;
pub mod test_host;

#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod wasm;

#[cfg(not(target_arch = "wasm32"))]
#[doc(hidden)]
pub mod native;

pub use api::*;

/// Exports a [`FilterFactory`] as an Envoy filter: a proxy-wasm module when built for
/// `wasm32-wasip1`, a dynamic module (`lib<crate>.so`) otherwise. Fuzz builds (`cargo fuzz`
/// sets `--cfg fuzzing`) export nothing, so one fuzz binary can link several filters.
#[macro_export]
macro_rules! export_filter {
    ($factory:ty) => {
        #[cfg(target_arch = "wasm32")]
        $crate::__export_wasm!($factory);
        #[cfg(not(target_arch = "wasm32"))]
        $crate::__export_native_unless_fuzzing!($factory);
    };
}

/// [`__export_native`] outside fuzz builds. The `fuzzing` cfg is read here, in this crate,
/// rather than in the filter crate expanding [`export_filter`].
#[cfg(not(fuzzing))]
#[doc(hidden)]
#[macro_export]
macro_rules! __export_native_unless_fuzzing {
    ($factory:ty) => {
        $crate::__export_native!($factory);
    };
}

/// Fuzz builds export no dynamic-module symbols.
#[cfg(fuzzing)]
#[doc(hidden)]
#[macro_export]
macro_rules! __export_native_unless_fuzzing {
    ($factory:ty) => {};
}
