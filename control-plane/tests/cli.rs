//! The `aigw` binary's commands, exit codes and messages.

use std::path::Path;
use std::process::{Command, Output};

fn aigw(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aigw"))
        .args(args)
        .env_remove("AIGW_MODULES_DIR")
        .env_remove("OPENAI_API_KEY")
        .output()
        .expect("aigw runs")
}

fn example() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/gateway.yaml")
        .display()
        .to_string()
}

#[test]
fn version() {
    let out = aigw(&["version"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("aigw {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn translate_prints_a_bootstrap() {
    for module in ["native", "wasm"] {
        let out = aigw(&[
            "translate",
            &example(),
            "--module",
            module,
            "--modules-dir",
            "/opt/mods",
            "--access-log",
            "/tmp/x.log",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let yaml: serde_json::Value = serde_yaml_ng::from_slice(&out.stdout).unwrap();
        let clusters = yaml["static_resources"]["clusters"].as_array().unwrap();
        assert_eq!(clusters[0]["name"], "aigw-backend-openai");
        assert_eq!(clusters[1]["name"], "aigw-backend-azure");
    }
}

#[test]
fn translate_reports_config_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yaml");
    std::fs::write(
        &path,
        "backends: []\nroutes: [{name: r, models: [m], backend: foo}]\n",
    )
    .unwrap();
    let out = aigw(&["translate", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("backends: at least one backend is required"),
        "{err}"
    );
    assert!(
        err.contains("routes[0].backend: unknown backend \"foo\""),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn run_names_missing_modules() {
    let dir = tempfile::tempdir().unwrap();
    let out = aigw(&[
        "run",
        "--module",
        "wasm",
        "--modules-dir",
        dir.path().to_str().unwrap(),
        "--state-dir",
        dir.path().join("state").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("aigw_translate.wasm, aigw_upstream_auth.wasm, aigw_token_usage.wasm"),
        "{err}"
    );
    assert!(
        err.contains("cargo build --release --target wasm32-wasip1"),
        "{err}"
    );
}
