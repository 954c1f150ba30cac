//! `aigw`: the AI gateway CLI.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use aigw_control_plane::config;
use aigw_control_plane::ratelimit;
use aigw_control_plane::run::ready::is_ready;
use aigw_control_plane::run::{RunOptions, run};
use aigw_control_plane::translate::{TranslateArgs, translate};
use aigw_control_plane::xds::{ServeOptions, serve};
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
    /// Serve Envoys over xDS (ADS) from a config file, pushing its changes live.
    Serve(ServeOptions),
    /// Print the Envoy bootstrap, or Istio / Envoy Gateway manifests, generated from a
    /// gateway config.
    Translate(TranslateArgs),
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
        Command::Translate(args) => translate(&args).map(|text| {
            print!("{text}");
            ExitCode::SUCCESS
        }),
        Command::Ratelimit { listen, redis } => ratelimit(listen, redis.as_deref()),
        Command::Run(opts) => runtime().and_then(|rt| rt.block_on(run(opts))),
        Command::Serve(opts) => runtime().and_then(|rt| rt.block_on(serve(opts))),
    };
    result.unwrap_or_else(|e| {
        eprintln!("aigw: {e}");
        ExitCode::FAILURE
    })
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))
}

fn ratelimit(listen: SocketAddr, redis: Option<&str>) -> Result<ExitCode, String> {
    runtime()?.block_on(async {
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
