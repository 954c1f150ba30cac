//! `fake-epp`: a fake Gateway API Inference Extension endpoint picker for tests (see
//! `testupstream::epp`).

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use testupstream::epp::{Answer, EppConfig, serve_epp};

/// A fake endpoint picker: Envoy's ext_proc service picking model servers round robin.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Address to serve gRPC on, e.g. 127.0.0.1:9002 (port 0 picks a free one).
    #[arg(long)]
    listen: SocketAddr,
    /// A model-server endpoint `ip:port` to pick from. Repeatable.
    #[arg(long = "endpoint", required = true)]
    endpoints: Vec<SocketAddr>,
    /// How the pick is answered: `header`, `metadata` or `both`.
    #[arg(long, default_value = "both")]
    answer: Answer,
    /// Log one line per request to stderr.
    #[arg(long)]
    verbose: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("fake-epp: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let listener = match tokio::net::TcpListener::bind(args.listen).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("fake-epp: cannot listen on {}: {e}", args.listen);
                return ExitCode::FAILURE;
            }
        };
        let addr = listener.local_addr().map_or(args.listen, |a| a);
        println!("listening on {addr}");
        let _ = std::io::stdout().flush();
        let config = EppConfig {
            endpoints: args.endpoints,
            answer: args.answer,
            verbose: args.verbose,
        };
        tokio::select! {
            r = serve_epp(listener, config) => match r {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("{e}");
                    ExitCode::FAILURE
                }
            },
            _ = tokio::signal::ctrl_c() => ExitCode::SUCCESS,
        }
    })
}
