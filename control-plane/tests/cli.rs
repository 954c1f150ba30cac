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

#[test]
fn serve_prints_an_envoy_bootstrap() {
    for module in ["native", "wasm"] {
        let out = aigw(&[
            "serve",
            &example(),
            "--module",
            module,
            "--modules-dir",
            "/opt/mods",
            "--xds",
            "127.0.0.1:18123",
            "--print-bootstrap",
            "--node-id",
            "edge-1",
            "--listen",
            "127.0.0.1:10001",
            "--access-log",
            "/tmp/edge-1.log",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let yaml: serde_json::Value = serde_yaml_ng::from_slice(&out.stdout).unwrap();
        assert_eq!(yaml["node"]["id"], "edge-1");
        assert_eq!(
            yaml["node"]["metadata"]["aigw"]["listen"],
            "127.0.0.1:10001"
        );
        assert_eq!(
            yaml["node"]["metadata"]["aigw"]["access_log"],
            "/tmp/edge-1.log"
        );
        assert_eq!(yaml["dynamic_resources"]["ads_config"]["api_type"], "GRPC");
        let xds = &yaml["static_resources"]["clusters"][0];
        assert_eq!(xds["name"], "aigw-xds");
        let addr = &xds["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]["address"]
            ["socket_address"];
        assert_eq!(addr["port_value"], 18123);
        assert!(
            yaml.get("static_resources")
                .unwrap()
                .get("listeners")
                .is_none()
        );
    }
}

#[test]
fn serve_reports_config_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yaml");
    std::fs::write(
        &path,
        "backends: []\nroutes:\n  - { name: r, models: [m], backend: nope }\n",
    )
    .unwrap();
    let out = aigw(&["serve", path.to_str().unwrap(), "--print-bootstrap"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("routes[0].backend"), "{stderr}");
}
