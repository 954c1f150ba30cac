//! The `testupstream` binary: readiness line and argument errors.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn prints_listening_address_when_ready() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_testupstream"))
        .args(["--listen", "127.0.0.1:0", "--backend", "a=fake-key"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let addr = line.trim().strip_prefix("listening on ").unwrap();
    let addr: std::net::SocketAddr = addr.parse().unwrap();
    assert_ne!(addr.port(), 0);
}

#[test]
fn rejects_bad_backend_argument() {
    let out = Command::new(env!("CARGO_BIN_EXE_testupstream"))
        .args(["--listen", "127.0.0.1:0", "--backend", "nokey"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected ID=KEY"));
}
