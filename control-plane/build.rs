//! Copies the protobuf descriptors of Envoy's API into `OUT_DIR`, for `aigw serve` to encode
//! the generator's JSON resources as xDS protobuf. The envoy-types crate ships them as
//! `src/generated/types.bin` (a `FileDescriptorSet`) without exporting them, so they are
//! taken from its source in Cargo's registry (or from `AIGW_ENVOY_TYPES_DIR`).

use std::path::{Path, PathBuf};

/// Must match the exact version pinned in Cargo.toml.
const ENVOY_TYPES: &str = "envoy-types-0.7.7";
const DESCRIPTORS: &str = "src/generated/types.bin";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=AIGW_ENVOY_TYPES_DIR");
    let source = find().unwrap_or_else(|| {
        panic!(
            "cannot find {ENVOY_TYPES}/{DESCRIPTORS} in Cargo's registry; \
             set AIGW_ENVOY_TYPES_DIR to the envoy-types source directory"
        )
    });
    println!("cargo:rerun-if-changed={}", source.display());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::copy(&source, out.join("envoy_descriptors.bin"))
        .unwrap_or_else(|e| panic!("cannot copy {}: {e}", source.display()));
}

fn find() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("AIGW_ENVOY_TYPES_DIR") {
        return Some(Path::new(&dir).join(DESCRIPTORS));
    }
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))?;
    std::fs::read_dir(cargo_home.join("registry/src"))
        .ok()?
        .flatten()
        .map(|index| index.path().join(ENVOY_TYPES).join(DESCRIPTORS))
        .find(|p| p.is_file())
}
