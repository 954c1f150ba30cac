//! Every filter crate this package links exports the same Envoy dynamic-module entry points
//! (`envoy_dynamic_module_on_*`) outside `cargo fuzz` builds, which set `cfg(fuzzing)` and
//! export none. The replay test is an ordinary test build that links all four filters and
//! never calls those entry points, so its link keeps the first of the same-named
//! definitions instead of depending on which object files the linker happens to pull in.
fn main() {
    println!("cargo:rustc-link-arg-tests=-Wl,--allow-multiple-definition");
}
