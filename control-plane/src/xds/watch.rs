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
