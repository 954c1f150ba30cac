//! Running Envoy as a child process: start, readiness, signals, exit code.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{ExitCode, ExitStatus, Stdio};
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tokio::process::{Child, Command};
use tokio::signal::unix::{SignalKind, signal};

use super::ready::is_ready;

/// How long Envoy may take to become ready.
const READY_TIMEOUT: Duration = Duration::from_secs(60);
/// How long Envoy may take to exit after SIGTERM before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// What to start.
pub struct EnvoyCommand<'a> {
    /// Envoy binary.
    pub bin: &'a Path,
    /// Bootstrap file.
    pub config: &'a Path,
    /// Envoy `--log-level`.
    pub log_level: &'a str,
    /// Extra environment variables (module search path, demo key).
    pub env: Vec<(String, String)>,
}

/// Starts Envoy in its own process group (so a terminal Ctrl-C reaches aigw only, which
/// then stops Envoy in order).
pub fn spawn(cmd: &EnvoyCommand<'_>) -> Result<Child, String> {
    let mut command = Command::new(cmd.bin);
    command
        .arg("-c")
        .arg(cmd.config)
        .args(["--disable-hot-restart", "--file-flush-interval-msec", "100"])
        .args(["--log-level", cmd.log_level])
        .envs(cmd.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .process_group(0)
        .kill_on_drop(true);
    command
        .spawn()
        .map_err(|e| format!("cannot start Envoy ({}): {e}", cmd.bin.display()))
}

/// How supervision ended.
pub enum Outcome {
    /// Envoy exited by itself with this status.
    Exited(ExitStatus),
    /// aigw was asked to stop (SIGINT/SIGTERM) and stopped Envoy.
    Stopped,
}

/// Waits until Envoy answers `/ready`, exits, or a stop signal arrives. `Ok(None)` when
/// ready.
pub async fn wait_ready(
    child: &mut Child,
    admin: SocketAddr,
    signals: &mut Signals,
) -> Result<Option<Outcome>, String> {
    let deadline = tokio::time::Instant::now() + READY_TIMEOUT;
    loop {
        if let Some(status) = child
            .try_wait()
            .map_err(|e| format!("waiting for Envoy: {e}"))?
        {
            return Ok(Some(Outcome::Exited(status)));
        }
        if is_ready(admin).await {
            return Ok(None);
        }
        if tokio::time::Instant::now() > deadline {
            stop(child).await;
            return Err(format!(
                "Envoy did not become ready within {}s (admin http://{admin}/ready)",
                READY_TIMEOUT.as_secs()
            ));
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_millis(100)) => {}
            () = signals.recv() => {
                stop(child).await;
                return Ok(Some(Outcome::Stopped));
            }
        }
    }
}

/// Waits until Envoy exits or a stop signal arrives (then stops Envoy).
pub async fn supervise(child: &mut Child, signals: &mut Signals) -> Result<Outcome, String> {
    tokio::select! {
        status = child.wait() => status
            .map(Outcome::Exited)
            .map_err(|e| format!("waiting for Envoy: {e}")),
        () = signals.recv() => {
            stop(child).await;
            Ok(Outcome::Stopped)
        }
    }
}

/// SIGTERM, wait up to [`STOP_TIMEOUT`], then SIGKILL.
async fn stop(child: &mut Child) {
    if let Some(pid) = child.id().and_then(|id| i32::try_from(id).ok()) {
        let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
        if tokio::time::timeout(STOP_TIMEOUT, child.wait())
            .await
            .is_ok()
        {
            return;
        }
        eprintln!(
            "aigw: Envoy did not stop within {}s; killing it",
            STOP_TIMEOUT.as_secs()
        );
    }
    let _ = child.kill().await;
}

/// The exit code to forward for Envoy's status (128 + signal when killed by one).
pub fn exit_code(status: ExitStatus) -> ExitCode {
    ExitCode::from(exit_number(status))
}

fn exit_number(status: ExitStatus) -> u8 {
    use std::os::unix::process::ExitStatusExt;
    let code = status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(1);
    u8::try_from(code).unwrap_or(1)
}

/// SIGINT and SIGTERM, caught from creation on (create before starting Envoy).
pub struct Signals {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
}

impl Signals {
    /// Starts catching SIGINT and SIGTERM.
    pub fn new() -> Result<Self, String> {
        let listen = |kind| signal(kind).map_err(|e| format!("cannot handle signals: {e}"));
        Ok(Self {
            int: listen(SignalKind::interrupt())?,
            term: listen(SignalKind::terminate())?,
        })
    }

    async fn recv(&mut self) {
        tokio::select! {
            _ = self.int.recv() => {}
            _ = self.term.recv() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    #[test]
    fn exit_numbers() {
        assert_eq!(exit_number(ExitStatus::from_raw(0)), 0);
        assert_eq!(exit_number(ExitStatus::from_raw(1 << 8)), 1);
        assert_eq!(exit_number(ExitStatus::from_raw(9)), 137);
    }
}
