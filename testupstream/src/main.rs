//! `testupstream`: run the fake provider on an address.

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use testupstream::{Backend, Config, Fault, serve, serve_fault};

/// A fake OpenAI / Azure OpenAI provider for tests and benchmarks.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Address to listen on, e.g. 127.0.0.1:18080 (port 0 picks a free one).
    #[arg(long)]
    listen: SocketAddr,
    /// A backend as ID=KEY: requests carrying KEY are answered as backend ID. Repeatable.
    #[arg(long = "backend", required_unless_present = "faults")]
    backends: Vec<Backend>,
    /// Fail every request instead: `status:<400-599>` (an OpenAI error), `stall` (never
    /// answer) or `reset` (close the connection without answering). Repeatable: the faults
    /// are served in turn, one per request.
    #[arg(long = "fault")]
    faults: Vec<Fault>,
    /// Log one line per request to stderr.
    #[arg(long)]
    verbose: bool,
    /// JSON file configuring fake token endpoints (OAuth2, Entra ID, Google); their tokens
    /// authenticate as the backend each client names.
    #[arg(long)]
    token_config: Option<std::path::PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let tokens = match args.token_config.as_deref().map(load_tokens).transpose() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("testupstream: {e}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("testupstream: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let listener = match tokio::net::TcpListener::bind(args.listen).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("testupstream: cannot listen on {}: {e}", args.listen);
                return ExitCode::FAILURE;
            }
        };
        let addr = listener.local_addr().map_or(args.listen, |a| a);
        println!("listening on {addr}");
        let _ = std::io::stdout().flush();
        if !args.faults.is_empty() {
            tokio::select! {
                () = serve_fault(listener, args.faults) => return ExitCode::SUCCESS,
                _ = tokio::signal::ctrl_c() => return ExitCode::SUCCESS,
            }
        }
        let config = Config {
            backends: args.backends,
            verbose: args.verbose,
            tokens,
        };
        tokio::select! {
            () = serve(listener, config) => ExitCode::SUCCESS,
            _ = tokio::signal::ctrl_c() => ExitCode::SUCCESS,
        }
    })
}

fn load_tokens(
    path: &std::path::Path,
) -> Result<std::sync::Arc<testupstream::tokens::Issuer>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("--token-config {}: {e}", path.display()))?;
    let config = serde_json::from_str(&text)
        .map_err(|e| format!("--token-config {}: {e}", path.display()))?;
    Ok(std::sync::Arc::new(testupstream::tokens::Issuer::new(
        config,
    )))
}
