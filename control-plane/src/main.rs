//! `aigw`: the AI gateway CLI.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use aigw_control_plane::artifacts;
use aigw_control_plane::bootstrap::{GenerateOptions, generate_yaml};
use aigw_control_plane::config::{self, ModuleKind};
use aigw_control_plane::ratelimit;
use aigw_control_plane::run::ready::is_ready;
use aigw_control_plane::run::{RunOptions, run};
use clap::{Parser, Subcommand};

/// AI gateway running inside Envoy.
#[derive(Parser)]
#[command(name = "aigw", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run Envoy with the gateway filters.
    Run(RunOptions),
    /// Print the Envoy bootstrap YAML generated from a gateway config.
    Translate {
        /// Gateway config file.
        config: PathBuf,
        /// Artifact kind Envoy loads (overrides the config's `module`).
        #[arg(long, value_enum)]
        module: Option<ModuleKind>,
        /// Directory holding the filter modules [env: AIGW_MODULES_DIR; default: next to aigw].
        #[arg(long)]
        modules_dir: Option<PathBuf>,
        /// Access log file written by Envoy.
        #[arg(long, default_value = ".aigw/access.log")]
        access_log: PathBuf,
    },
    /// Print the JSON Schema of the gateway config file.
    Schema,
    /// Check a gateway config file; every problem names the field, line and column.
    Validate {
        /// Gateway config file.
        config: PathBuf,
    },
    /// Check that a running gateway is ready (Envoy admin `/ready`); exit 0 when it is.
    Healthcheck {
        /// Envoy admin address of the gateway.
        #[arg(long, default_value = config::DEFAULT_ADMIN)]
        admin: SocketAddr,
    },
    /// Serve the rate-limit service Envoy's ratelimit filter calls (gRPC): token budgets
    /// counted in Redis (shared by every Envoy) or, without --redis, in memory (one node).
    Ratelimit {
        /// Address to listen on (port 0: any free port; printed as `listening on ADDR`).
        #[arg(long, default_value = "127.0.0.1:8081")]
        listen: SocketAddr,
        /// Redis URL, e.g. redis://127.0.0.1:6379/0 [default: count in memory].
        #[arg(long, env = "AIGW_RATELIMIT_REDIS")]
        redis: Option<String>,
    },
    /// Print the version.
    Version,
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Version => {
            println!("aigw {}", env!("CARGO_PKG_VERSION"));
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate { config } => config::load(&config)
            .map(|c| {
                println!(
                    "{}: valid ({} backends, {} routes)",
                    config.display(),
                    c.backends.len(),
                    c.routes.len()
                );
                ExitCode::SUCCESS
            })
            .map_err(|e| e.to_string()),
        Command::Healthcheck { admin } => healthcheck(admin),
        Command::Schema => {
            println!("{:#}", config::json_schema());
            Ok(ExitCode::SUCCESS)
        }
        Command::Translate {
            config,
            module,
            modules_dir,
            access_log,
        } => translate(&config, module, modules_dir, &access_log),
        Command::Ratelimit { listen, redis } => ratelimit(listen, redis.as_deref()),
        Command::Run(opts) => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the runtime: {e}"))
            .and_then(|rt| rt.block_on(run(opts))),
    };
    result.unwrap_or_else(|e| {
        eprintln!("aigw: {e}");
        ExitCode::FAILURE
    })
}

fn ratelimit(listen: SocketAddr, redis: Option<&str>) -> Result<ExitCode, String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    rt.block_on(async {
        let store = ratelimit::open_store(redis).await?;
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("cannot read the listening address: {e}"))?;
        let mode = if redis.is_some() { "redis" } else { "memory" };
        println!("listening on {addr} ({mode})");
        tokio::select! {
            served = ratelimit::serve(listener, store) => served.map(|()| ExitCode::SUCCESS),
            _ = tokio::signal::ctrl_c() => Ok(ExitCode::SUCCESS),
        }
    })
}

fn healthcheck(admin: SocketAddr) -> Result<ExitCode, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    if rt.block_on(is_ready(admin)) {
        println!("ready: http://{admin}/ready answered 200");
        Ok(ExitCode::SUCCESS)
    } else {
        Err(format!(
            "not ready: http://{admin}/ready did not answer 200 within a second"
        ))
    }
}

fn translate(
    path: &std::path::Path,
    module: Option<ModuleKind>,
    modules_dir: Option<PathBuf>,
    access_log: &std::path::Path,
) -> Result<ExitCode, String> {
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
    let modules_dir = artifacts::resolve_dir(modules_dir.as_deref(), config.module)?;
    let access_log = std::path::absolute(access_log)
        .map_err(|e| format!("--access-log {}: {e}", access_log.display()))?;
    let yaml = generate_yaml(
        &config,
        &GenerateOptions {
            modules_dir: &modules_dir,
            access_log: &access_log,
        },
    )?;
    print!("{yaml}");
    Ok(ExitCode::SUCCESS)
}
