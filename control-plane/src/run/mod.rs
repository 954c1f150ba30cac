//! `aigw run`: generate the bootstrap, start Envoy with the filters, supervise it.

mod default_config;
mod demo;
mod local_ratelimit;
mod mcp_json;
mod mcp_servers;
mod process;
pub mod ready;
mod stdio_bridge;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub use default_config::{OPENAI_MODELS, default_config};
pub use demo::{DEMO_KEY_ENV, DEMO_NAME};

use crate::artifacts;
use crate::bootstrap::{GenerateOptions, generate_yaml};
use crate::config::{self, AuthKind, GatewayConfig, ModuleKind};
use process::{EnvoyCommand, Outcome, Signals};

/// Environment variable Envoy reads to find native modules.
pub const MODULES_SEARCH_PATH_ENV: &str = "ENVOY_DYNAMIC_MODULES_SEARCH_PATH";

/// Options of `aigw run`.
#[derive(Debug, Clone, clap::Args)]
pub struct RunOptions {
    /// Gateway config file; without it, a built-in config serving the `demo` model (and
    /// OpenAI models when OPENAI_API_KEY is set).
    pub config: Option<PathBuf>,
    /// Artifact kind Envoy loads (overrides the config's `module`).
    #[arg(long, value_enum)]
    pub module: Option<ModuleKind>,
    /// Client-facing address (overrides the config's `listen`).
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// Envoy admin address (overrides the config's `admin`).
    #[arg(long)]
    pub admin: Option<SocketAddr>,
    /// Directory holding the filter modules [env: AIGW_MODULES_DIR; default: next to aigw].
    #[arg(long)]
    pub modules_dir: Option<PathBuf>,
    /// Where the bootstrap and the access log are written.
    #[arg(long, default_value = ".aigw")]
    pub state_dir: PathBuf,
    /// Access log file [default: <state dir>/access.log].
    #[arg(long)]
    pub access_log: Option<PathBuf>,
    /// Envoy's log level.
    #[arg(long, default_value = "warn")]
    pub envoy_log_level: String,
    /// MCP servers in the common `mcpServers` JSON (url and stdio servers) to serve on the
    /// gateway's MCP endpoint, added to the config's `mcp` section.
    #[arg(long)]
    pub mcp_config: Option<PathBuf>,
}

/// Runs the gateway until Envoy exits (its exit code is returned) or aigw is told to stop
/// (exit code 0).
pub async fn run(opts: RunOptions) -> Result<ExitCode, String> {
    let mut env = Vec::new();
    let mut demo_addr = None;
    let mut config = match &opts.config {
        Some(path) => config::load(path).map_err(|e| e.to_string())?,
        None => {
            let demo = demo::start().await?;
            env.push((DEMO_KEY_ENV.to_string(), demo.key));
            demo_addr = Some(demo.addr);
            default_config(demo.addr, default_config::openai_endpoint_from_env()?)
        }
    };
    let state_dir = absolute(&opts.state_dir)?;
    std::fs::create_dir_all(&state_dir)
        .map_err(|e| format!("cannot create state dir {}: {e}", state_dir.display()))?;
    if let Some(path) = &opts.mcp_config {
        mcp_servers::attach(&mut config, path, &state_dir, &mut env).await?;
    }
    apply_overrides(&mut config, &opts)?;
    if let Some(addr) = local_ratelimit::start(&mut config).await? {
        eprintln!("aigw: rate limits counted in memory by the service on {addr} (local mode)");
    }
    check_keys(&config, &env)?;
    let modules_dir = artifacts::resolve_dir(opts.modules_dir.as_deref(), config.module)?;
    artifacts::check_present(config.module, &modules_dir)?;
    let envoy = crate::envoy::find()?;
    let access_log = match &opts.access_log {
        Some(p) => absolute(p)?,
        None => state_dir.join("access.log"),
    };
    if let Some(dir) = access_log.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create access log dir {}: {e}", dir.display()))?;
    }
    let yaml = generate_yaml(
        &config,
        &GenerateOptions {
            modules_dir: &modules_dir,
            access_log: &access_log,
        },
    )?;
    let bootstrap = state_dir.join("envoy.yaml");
    std::fs::write(&bootstrap, yaml)
        .map_err(|e| format!("cannot write {}: {e}", bootstrap.display()))?;
    if config.module == ModuleKind::Native {
        env.push((
            MODULES_SEARCH_PATH_ENV.to_string(),
            modules_dir.display().to_string(),
        ));
    }
    let mut signals = Signals::new()?;
    let mut child = process::spawn(&EnvoyCommand {
        bin: &envoy,
        config: &bootstrap,
        log_level: &opts.envoy_log_level,
        env,
    })?;
    match process::wait_ready(&mut child, config.admin, &mut signals).await? {
        Some(outcome) => return Ok(finish(outcome)),
        None => print_banner(&config, demo_addr, &bootstrap, &access_log),
    }
    Ok(finish(process::supervise(&mut child, &mut signals).await?))
}

fn finish(outcome: Outcome) -> ExitCode {
    match outcome {
        Outcome::Exited(status) => {
            eprintln!("aigw: Envoy exited ({status})");
            process::exit_code(status)
        }
        Outcome::Stopped => {
            eprintln!("aigw: stopped");
            ExitCode::SUCCESS
        }
    }
}

fn apply_overrides(config: &mut GatewayConfig, opts: &RunOptions) -> Result<(), String> {
    if let Some(m) = opts.module {
        config.module = m;
    }
    if let Some(a) = opts.listen {
        config.listen = a;
    }
    if let Some(a) = opts.admin {
        config.admin = a;
    }
    config::check(config).map_err(|problems| {
        format!(
            "invalid config after command-line overrides:\n  {}",
            problems.join("\n  ")
        )
    })
}

/// Checks that every backend's key (and the MCP gateway's keys) is available to Envoy:
/// upstream-auth and mcp-router reject their config (and Envoy refuses to start) when a
/// variable is unset or a file is missing.
fn check_keys(config: &GatewayConfig, provided: &[(String, String)]) -> Result<(), String> {
    let mut problems = Vec::new();
    for (i, b) in config.backends.iter().enumerate() {
        if let Some(var) = &b.auth.key_env
            && std::env::var_os(var).is_none_or(|v| v.is_empty())
            && !provided.iter().any(|(k, _)| k == var)
        {
            problems.push(format!(
                "backends[{i}].auth.key_env: environment variable {var} is not set (backend {:?})",
                b.name
            ));
        }
        if b.auth.kind == AuthKind::AwsSigv4 && b.auth.credentials_file.is_none() {
            let [id, secret, _] = b.auth.aws_env_names();
            for (field, var) in [("access_key_id_env", id), ("secret_access_key_env", secret)] {
                if std::env::var_os(var).is_none_or(|v| v.is_empty())
                    && !provided.iter().any(|(k, _)| k == var)
                {
                    problems.push(format!(
                        "backends[{i}].auth.{field}: environment variable {var} is not set (backend {:?})",
                        b.name
                    ));
                }
            }
        }
        if let Some(file) = &b.auth.credentials_file
            && !file.is_file()
        {
            problems.push(format!(
                "backends[{i}].auth.credentials_file: {} is not a readable file (backend {:?})",
                file.display(),
                b.name
            ));
        }
        let a = &b.auth;
        for (field, file) in [
            ("key_file", &a.key_file),
            ("client_secret_file", &a.client_secret_file),
            ("client_assertion_file", &a.client_assertion_file),
        ] {
            if let Some(file) = file
                && !file.is_file()
            {
                problems.push(format!(
                    "backends[{i}].auth.{field}: {} is not a readable file (backend {:?})",
                    file.display(),
                    b.name
                ));
            }
        }
        for (field, var) in [
            ("client_secret_env", &a.client_secret_env),
            ("client_assertion_env", &a.client_assertion_env),
            ("credentials_env", &a.credentials_env),
        ] {
            if let Some(var) = var
                && std::env::var_os(var).is_none_or(|v| v.is_empty())
                && !provided.iter().any(|(k, _)| k == var)
            {
                problems.push(format!(
                    "backends[{i}].auth.{field}: environment variable {var} is not set (backend {:?})",
                    b.name
                ));
            }
        }
    }
    if let Some(mcp) = &config.mcp {
        problems.extend(mcp.unset_env(|var| {
            std::env::var_os(var).is_some_and(|v| !v.is_empty())
                || provided.iter().any(|(k, _)| k == var)
        }));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "missing backend keys:\n  {}",
            problems.join("\n  ")
        ))
    }
}

fn absolute(p: &Path) -> Result<PathBuf, String> {
    std::path::absolute(p).map_err(|e| format!("{}: {e}", p.display()))
}

fn print_banner(
    config: &GatewayConfig,
    demo_addr: Option<SocketAddr>,
    bootstrap: &Path,
    access_log: &Path,
) {
    if let Some(addr) = demo_addr {
        println!("aigw: model {DEMO_NAME:?} is served by the bundled testupstream on {addr}");
    }
    if let Some(mcp) = &config.mcp {
        let names: Vec<&str> = mcp.servers.iter().map(|s| s.name.as_str()).collect();
        println!(
            "aigw: MCP endpoint http://{}{} (servers: {})",
            config.listen,
            mcp.path,
            names.join(", ")
        );
    }
    let model = config
        .routes
        .iter()
        .flat_map(|r| r.models.iter())
        .find(|m| m.as_str() == DEMO_NAME)
        .or_else(|| config.routes.first().and_then(|r| r.models.first()))
        .map_or(DEMO_NAME, String::as_str);
    println!(
        "aigw: gateway ready on http://{listen} ({module:?} modules)\n\
         aigw: admin http://{admin}  bootstrap {bootstrap}  access log {log}\n\
         aigw: try:\n  curl http://{listen}/v1/chat/completions -H 'content-type: application/json' \
         -d '{{\"model\":\"{model}\",\"messages\":[{{\"role\":\"user\",\"content\":\"Hello!\"}}]}}'",
        listen = config.listen,
        admin = config.admin,
        module = config.module,
        bootstrap = bootstrap.display(),
        log = access_log.display(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_must_be_available() {
        let mut config = default_config("127.0.0.1:1".parse().unwrap(), None);
        let provided = vec![(DEMO_KEY_ENV.to_string(), "aigw-demo-fake".to_string())];
        assert_eq!(check_keys(&config, &provided), Ok(()));
        config.backends[0].auth.key_env = Some("AIGW_TEST_UNSET_VARIABLE_1F2E".into());
        let e = check_keys(&config, &provided).unwrap_err();
        assert!(
            e.contains("backends[0].auth.key_env: environment variable AIGW_TEST_UNSET_VARIABLE_1F2E is not set"),
            "{e}"
        );
        config.backends[0].auth.key_env = None;
        config.backends[0].auth.key_file = Some("/nonexistent/aigw/key".into());
        let e = check_keys(&config, &provided).unwrap_err();
        assert!(
            e.contains("backends[0].auth.key_file: /nonexistent/aigw/key is not a readable file"),
            "{e}"
        );
    }

    #[test]
    fn aws_keys_must_be_available() {
        let mut config = default_config("127.0.0.1:1".parse().unwrap(), None);
        config.backends[0].auth.kind = AuthKind::AwsSigv4;
        config.backends[0].auth.key_env = None;
        config.backends[0].auth.access_key_id_env = Some("AIGW_TEST_UNSET_AWS_ID_1F2E".into());
        let provided = vec![("AWS_SECRET_ACCESS_KEY".to_string(), "fake".to_string())];
        assert_eq!(
            check_keys(&config, &provided).unwrap_err(),
            "missing backend keys:\n  backends[0].auth.access_key_id_env: environment variable AIGW_TEST_UNSET_AWS_ID_1F2E is not set (backend \"demo\")"
        );
    }

    #[test]
    fn token_secrets_must_be_available() {
        let mut config = default_config("127.0.0.1:1".parse().unwrap(), None);
        let a = &mut config.backends[0].auth;
        a.kind = AuthKind::AzureEntra;
        a.key_env = None;
        a.client_secret_env = Some("AIGW_TEST_UNSET_SECRET_1F2E".into());
        a.client_assertion_file = Some("/nonexistent/aigw/federated".into());
        let e = check_keys(&config, &[]).unwrap_err();
        assert!(e.contains("backends[0].auth.client_secret_env: environment variable AIGW_TEST_UNSET_SECRET_1F2E is not set"), "{e}");
        assert!(e.contains("backends[0].auth.client_assertion_file: /nonexistent/aigw/federated is not a readable file"), "{e}");
    }
}
