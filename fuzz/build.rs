//! Every filter crate this package links exports the same Envoy dynamic-module entry points
//! (`envoy_dynamic_module_on_*`) outside `cargo fuzz` builds, which set `cfg(fuzzing)` and
//! export none. The tests in tests/ (the replay of saved inputs, the seed checks) are
//! ordinary test builds that link all four filters and never call those entry points, so
//! their link keeps the first of the same-named definitions instead of depending on which
//! object files the linker happens to pull in (which changes with codegen units: it broke
//! without incremental builds). Cargo gives this flag to tests/ only, not to a library's
//! unit tests, hence `[lib] test = false` in Cargo.toml.
fn main() {
    println!("cargo:rustc-link-arg-tests=-Wl,--allow-multiple-definition");
}
