//! The filter artifacts (`.so` / `.wasm`) and where to find them.

use std::path::{Path, PathBuf};

use crate::config::ModuleKind;

/// Environment variable overriding the modules directory.
pub const MODULES_DIR_ENV: &str = "AIGW_MODULES_DIR";

/// One of our filter modules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterModule {
    /// Routing and per-backend translation.
    Translate,
    /// Upstream credentials.
    UpstreamAuth,
    /// Token usage, costs and metrics.
    TokenUsage,
    /// The MCP gateway (loaded only when the config has an `mcp` section).
    McpRouter,
}

impl FilterModule {
    /// Every module, in build order.
    pub const ALL: [Self; 3] = [Self::Translate, Self::UpstreamAuth, Self::TokenUsage];

    /// Module and filter name (`aigw_translate`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Translate => "aigw_translate",
            Self::UpstreamAuth => "aigw_upstream_auth",
            Self::TokenUsage => "aigw_token_usage",
            Self::McpRouter => "aigw_mcp_router",
        }
    }

    /// Cargo package building this module.
    pub fn package(self) -> &'static str {
        match self {
            Self::Translate => "aigw-translate",
            Self::UpstreamAuth => "aigw-upstream-auth",
            Self::TokenUsage => "aigw-token-usage",
            Self::McpRouter => "aigw-mcp-router",
        }
    }

    /// Artifact file name for `kind` (`libaigw_translate.so`, `aigw_translate.wasm`).
    pub fn file_name(self, kind: ModuleKind) -> String {
        match kind {
            ModuleKind::Native => format!("lib{}.so", self.name()),
            ModuleKind::Wasm => format!("{}.wasm", self.name()),
        }
    }

    /// Artifact path inside `dir`.
    pub fn path(self, kind: ModuleKind, dir: &Path) -> String {
        dir.join(self.file_name(kind)).display().to_string()
    }
}

/// The default modules directory for `kind`: next to the `aigw` executable
/// (`target/release`), or `target/wasm32-wasip1/release` beside it for wasm.
pub fn default_dir(kind: ModuleKind) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let exe_dir = exe.parent()?;
    Some(match kind {
        ModuleKind::Native => exe_dir.to_path_buf(),
        ModuleKind::Wasm => exe_dir.parent()?.join("wasm32-wasip1").join("release"),
    })
}

/// The modules directory: the flag, else `AIGW_MODULES_DIR`, else [`default_dir`]; made
/// absolute so generated configs do not depend on Envoy's working directory.
pub fn resolve_dir(flag: Option<&Path>, kind: ModuleKind) -> Result<PathBuf, String> {
    let dir = match flag {
        Some(d) => d.to_path_buf(),
        None => match std::env::var_os(MODULES_DIR_ENV) {
            Some(d) if !d.is_empty() => PathBuf::from(d),
            _ => default_dir(kind).ok_or_else(|| {
                format!(
                    "cannot locate the aigw executable; pass --modules-dir or set {MODULES_DIR_ENV}"
                )
            })?,
        },
    };
    std::path::absolute(&dir).map_err(|e| format!("modules dir {}: {e}", dir.display()))
}

/// Checks that every artifact of `kind` exists in `dir`; the error names the missing files
/// and the command that builds them.
pub fn check_present(kind: ModuleKind, dir: &Path) -> Result<(), String> {
    let missing: Vec<String> = FilterModule::ALL
        .iter()
        .map(|m| m.file_name(kind))
        .filter(|f| !dir.join(f).is_file())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let packages: Vec<String> = FilterModule::ALL
        .iter()
        .map(|m| format!("-p {}", m.package()))
        .collect();
    let target = match kind {
        ModuleKind::Native => "",
        ModuleKind::Wasm => " --target wasm32-wasip1",
    };
    Err(format!(
        "missing {} module files in {}: {}\nbuild them with: cargo build --release{target} {}\n(or point --modules-dir / {MODULES_DIR_ENV} at the directory holding them)",
        match kind {
            ModuleKind::Native => "native",
            ModuleKind::Wasm => "wasm",
        },
        dir.display(),
        missing.join(", "),
        packages.join(" "),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_follow_internals() {
        assert_eq!(
            FilterModule::UpstreamAuth.file_name(ModuleKind::Native),
            "libaigw_upstream_auth.so"
        );
        assert_eq!(
            FilterModule::TokenUsage.file_name(ModuleKind::Wasm),
            "aigw_token_usage.wasm"
        );
    }

    #[test]
    fn missing_files_are_named_with_build_command() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("aigw_translate.wasm"), b"").unwrap();
        let e = check_present(ModuleKind::Wasm, dir.path()).unwrap_err();
        assert!(
            e.contains("aigw_upstream_auth.wasm, aigw_token_usage.wasm"),
            "{e}"
        );
        assert!(!e.contains("aigw_translate.wasm,"), "{e}");
        assert!(
            e.contains("cargo build --release --target wasm32-wasip1 -p aigw-translate"),
            "{e}"
        );
        for m in FilterModule::ALL {
            std::fs::write(dir.path().join(m.file_name(ModuleKind::Native)), b"").unwrap();
        }
        assert_eq!(check_present(ModuleKind::Native, dir.path()), Ok(()));
    }
}
