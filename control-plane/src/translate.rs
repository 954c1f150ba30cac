//! `aigw translate`: the gateway config as an Envoy bootstrap, or as Istio or Envoy Gateway
//! manifests.

use std::path::{Path, PathBuf};

use crate::artifacts;
use crate::bootstrap::{GenerateOptions, generate_yaml};
use crate::config::{self, ModuleKind};
use crate::mesh::{self, MeshOptions, Target};

/// Where the module artifacts are inside the proxy container, unless `--modules-dir` says.
pub const MESH_MODULES_DIR: &str = "/opt/aigw/modules";

/// Arguments of `aigw translate`.
#[derive(Debug, clap::Args)]
pub struct TranslateArgs {
    /// Gateway config file.
    pub config: PathBuf,
    /// What to write: an Envoy bootstrap, Istio resources, or Envoy Gateway resources.
    #[arg(long, value_enum, default_value = "envoy")]
    pub target: Target,
    /// Artifact kind Envoy loads (overrides the config's `module`).
    #[arg(long, value_enum)]
    pub module: Option<ModuleKind>,
    /// Directory holding the filter modules [env: AIGW_MODULES_DIR; default: next to aigw
    /// for --target envoy, /opt/aigw/modules in the proxy container otherwise].
    #[arg(long)]
    pub modules_dir: Option<PathBuf>,
    /// Access log file written by Envoy (--target envoy).
    #[arg(long, default_value = ".aigw/access.log")]
    pub access_log: PathBuf,
    /// Namespace of the generated resources (--target istio|envoy-gateway).
    #[arg(long, default_value = "aigw")]
    pub namespace: String,
    /// Name of the generated Gateway, prefix of the other resources.
    #[arg(long, default_value = "aigw")]
    pub gateway_name: String,
    /// Port the Gateway listens on.
    #[arg(long, default_value_t = 80)]
    pub port: u16,
    /// GatewayClass of the Gateway (--target envoy-gateway).
    #[arg(long, default_value = "eg")]
    pub gateway_class: String,
    /// Secret holding the provider keys, one key per environment variable name
    /// (--target envoy-gateway).
    #[arg(long, default_value = "aigw-provider-keys")]
    pub secret: String,
}

/// The generated text for `args`.
pub fn translate(args: &TranslateArgs) -> Result<String, String> {
    let path = &args.config;
    let mut config = config::load(path).map_err(|e| e.to_string())?;
    if let Some(m) = args.module {
        config.module = m;
        config::check(&config).map_err(|problems| {
            format!(
                "invalid config {} with --module:\n  {}",
                path.display(),
                problems.join("\n  ")
            )
        })?;
    }
    if args.target != Target::Envoy {
        let modules_dir = mesh_modules_dir(args.modules_dir.as_deref())?;
        let opts = MeshOptions {
            namespace: &args.namespace,
            gateway: &args.gateway_name,
            port: args.port,
            modules_dir: &modules_dir,
            gateway_class: &args.gateway_class,
            secret: &args.secret,
        };
        let manifests = mesh::generate(args.target, &config, &opts)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        return mesh::render(args.target, &manifests);
    }
    let modules_dir = artifacts::resolve_dir(args.modules_dir.as_deref(), config.module)?;
    let access_log = std::path::absolute(&args.access_log)
        .map_err(|e| format!("--access-log {}: {e}", args.access_log.display()))?;
    generate_yaml(
        &config,
        &GenerateOptions {
            modules_dir: &modules_dir,
            access_log: &access_log,
        },
    )
}

/// The modules directory inside the proxy container: the flag, else `AIGW_MODULES_DIR`, else
/// [`MESH_MODULES_DIR`]; it must be absolute (it is not a path on this machine).
fn mesh_modules_dir(flag: Option<&Path>) -> Result<PathBuf, String> {
    let dir = match flag {
        Some(d) => d.to_path_buf(),
        None => match std::env::var_os(artifacts::MODULES_DIR_ENV) {
            Some(d) if !d.is_empty() => PathBuf::from(d),
            _ => PathBuf::from(MESH_MODULES_DIR),
        },
    };
    if dir.is_absolute() {
        Ok(dir)
    } else {
        Err(format!(
            "--modules-dir {}: must be an absolute path inside the proxy container",
            dir.display()
        ))
    }
}
