//! Watches the gateway config file: every change that loads and validates becomes the new
//! config of every stream; a change that does not is logged with its problems and ignored.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::config::{self, GatewayConfig, ModuleKind};

/// How often the file is read and compared with the last version seen: well within the
/// one second a change may take to reach Envoy, and cheap for a small file.
pub const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// A validated config and its generation number (1 for the config loaded at start).
#[derive(Debug)]
pub struct Loaded {
    /// The config, with command-line overrides applied.
    pub config: GatewayConfig,
    /// Counts accepted configs.
    pub generation: u64,
}

/// Loads `path`, applies the `--module` override and validates.
pub fn load(path: &Path, module: Option<ModuleKind>) -> Result<GatewayConfig, String> {
    let mut config = config::load(path).map_err(|e| e.to_string())?;
    if let Some(m) = module {
        config.module = m;
        config::check(&config).map_err(|problems| {
            format!(
                "invalid config {} with --module:\n  {}",
                path.display(),
                problems.join("\n  ")
            )
        })?;
    }
    Ok(config)
}

/// Polls `path` until every receiver is gone, publishing each valid change to `tx`.
pub async fn watch_file(path: PathBuf, module: Option<ModuleKind>, tx: watch::Sender<Arc<Loaded>>) {
    let mut seen = std::fs::read(&path).ok();
    let mut interval = tokio::time::interval(POLL_INTERVAL);
    while !tx.is_closed() {
        interval.tick().await;
        let current = std::fs::read(&path).ok();
        if current.is_none() || current == seen {
            // A missing file is usually an editor replacing it: wait for the new one.
            continue;
        }
        seen = current;
        match load(&path, module) {
            Ok(config) => {
                let generation = tx.borrow().generation + 1;
                eprintln!(
                    "aigw serve: {} changed: pushing generation {generation}",
                    path.display()
                );
                tx.send_replace(Arc::new(Loaded { config, generation }));
            }
            Err(e) => eprintln!(
                "aigw serve: keeping generation {}: {e}",
                tx.borrow().generation
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = "backends:\n  - { name: a, schema: OpenAI, endpoint: \"http://127.0.0.1:1\", auth: { kind: bearer, key_env: K } }\nroutes:\n  - { name: r, models: [m1], backend: a }\n";

    #[tokio::test(flavor = "current_thread")]
    async fn valid_changes_are_published_and_invalid_ones_kept_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gw.yaml");
        std::fs::write(&path, CONFIG).unwrap();
        let first = load(&path, Some(ModuleKind::Wasm)).unwrap();
        assert_eq!(first.module, ModuleKind::Wasm);
        let (tx, mut rx) = watch::channel(Arc::new(Loaded {
            config: first,
            generation: 1,
        }));
        tokio::spawn(watch_file(path.clone(), Some(ModuleKind::Wasm), tx));
        tokio::time::sleep(POLL_INTERVAL * 2).await;
        std::fs::write(&path, CONFIG.replace("backend: a }", "backend: nosuch }")).unwrap();
        tokio::time::sleep(POLL_INTERVAL * 3).await;
        assert!(
            !rx.has_changed().unwrap(),
            "an invalid config is not published"
        );
        std::fs::write(&path, CONFIG.replace("[m1]", "[m2]")).unwrap();
        rx.changed().await.unwrap();
        let loaded = rx.borrow_and_update().clone();
        assert_eq!(loaded.generation, 2);
        assert_eq!(loaded.config.routes[0].models, ["m2"]);
        assert_eq!(
            loaded.config.module,
            ModuleKind::Wasm,
            "--module stays applied"
        );
    }
}
