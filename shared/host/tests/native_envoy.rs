//! Runs the `native_demo` example module (built by `cargo test` into `target/*/examples/`)
//! in the real Envoy, as a downstream and as an upstream (cluster) filter, and checks what
//! the native host promises: body to header with re-routing, body rewrite, response rewrite
//! chunk by chunk, local reply, panic containment (500 with an OpenAI-style error), callout,
//! dynamic metadata in the access log, labelled metrics, and config errors failing the load.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::envoy::{envoy_binary, manifest_dir};
use support::http::{free_port, get_text, request, request_raw, request_with, start_upstream};

const INTERNAL_ERROR: &str = r#"{"error":{"message":"internal error in gateway filter","type":"server_error","code":"internal_error"}}"#;

/// Directory holding `libnative_demo.so`, next to this test executable's `deps/`.
fn module_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target profile dir")
        .join("examples");
    assert!(
        dir.join("libnative_demo.so").is_file(),
        "{}/libnative_demo.so is missing: run through `cargo test -p aigw-host`, which builds examples",
        dir.display()
    );
    dir
}

struct Ports {
    admin: u16,
    down: u16,
    up: u16,
    upstream_a: u16,
    upstream_b: u16,
}

fn write_config(
    dir: &Path,
    ports: &Ports,
    access_log: &Path,
    edit: impl Fn(String) -> String,
) -> PathBuf {
    let template = std::fs::read_to_string(manifest_dir().join("tests/envoy/native_demo.yaml"))
        .expect("read config template");
    let config = template
        .replace("{ADMIN}", &ports.admin.to_string())
        .replace("{DOWN}", &ports.down.to_string())
        .replace("{UP}", &ports.up.to_string())
        .replace("{UPSTREAM_A}", &ports.upstream_a.to_string())
        .replace("{UPSTREAM_B}", &ports.upstream_b.to_string())
        .replace("{DEAD}", &free_port().to_string())
        .replace("{ACCESS_LOG}", &access_log.display().to_string());
    let path = dir.join("envoy.yaml");
    std::fs::write(&path, edit(config)).expect("write envoy config");
    path
}

fn envoy_command(config: &Path) -> Command {
    let mut cmd = Command::new(envoy_binary());
    cmd.arg("-c")
        .arg(config)
        .args([
            "--disable-hot-restart",
            "--file-flush-interval-msec",
            "100",
            "-l",
            "warn",
        ])
        .env("ENVOY_DYNAMIC_MODULES_SEARCH_PATH", module_dir());
    cmd
}

/// Kills Envoy when the test ends, pass or fail.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_ready(admin: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", admin)).is_ok()
            && get_text(admin, "/ready").trim() == "LIVE"
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("Envoy did not become ready within 20 s");
}

/// Polls `f` for up to 5 s (access logs and histograms are flushed periodically).
fn eventually<T>(f: impl Fn() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("aigw-native-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Checks one listener (`port`); `downstream` tells whether re-routing applies.
fn check_listener(port: u16, downstream: bool) {
    let r = request(port, "POST", "/v1/chat", r#"{"model":"model-a","x":1}"#);
    assert_eq!(r.status, 200, "{r:?}");
    let echo = r.json();
    let expected_upstream = if downstream { "A" } else { "B" };
    assert_eq!(echo["upstream"], expected_upstream, "{echo}");
    assert_eq!(echo["headers"]["x-demo-model"], "model-a", "{echo}");
    let sent: serde_json::Value =
        serde_json::from_str(echo["body"].as_str().expect("echoed body")).expect("JSON body");
    assert_eq!(sent["demo"], true, "request body rewritten: {sent}");
    assert_eq!(
        echo["headers"]["content-length"],
        echo["body"]
            .as_str()
            .map(|b| b.len().to_string())
            .unwrap_or_default(),
        "{echo}"
    );
    assert_eq!(
        echo["greeting"], "HELLO world",
        "response body rewritten: {echo}"
    );
    assert_eq!(r.header("x-demo-response"), Some("1"));

    // A chunked request ending in trailers: the body end arrives in the trailers hook.
    let chunked = request_raw(
        port,
        b"POST /v1/chat HTTP/1.1\r\nhost: t\r\nconnection: close\r\ntransfer-encoding: chunked\r\n\r\n\
          9\r\n{\"model\":\r\na\r\n\"model-a\"}\r\n0\r\nx-trailer: 1\r\n\r\n",
    );
    let echo = chunked.json();
    assert_eq!(echo["upstream"], expected_upstream, "{echo}");
    assert_eq!(echo["headers"]["x-demo-model"], "model-a", "{echo}");
    assert_eq!(echo["body"], r#"{"demo":true,"model":"model-a"}"#, "{echo}");

    if downstream {
        let b = request(port, "POST", "/v1/chat", r#"{"model":"model-b"}"#).json();
        assert_eq!(b["upstream"], "B", "{b}");
    }

    let local = request(port, "GET", "/local", "");
    assert_eq!(
        (local.status, local.body.as_str()),
        (418, r#"{"teapot":true}"#)
    );
    assert_eq!(local.header("x-demo"), Some("local"));

    let panic = request(port, "GET", "/panic", "");
    assert_eq!((panic.status, panic.body.as_str()), (500, INTERNAL_ERROR));
    assert_eq!(panic.header("content-type"), Some("application/json"));

    let callout = request(port, "GET", "/callout", "").json();
    assert_eq!(callout["headers"]["x-callout-status"], "200", "{callout}");
    let missing = request_with(
        port,
        "GET",
        "/callout",
        &[("x-callout-cluster", "nope")],
        "",
    );
    assert_eq!(
        missing.json()["headers"]["x-callout-error"],
        "callout to cluster `nope` failed: no such cluster",
        "{missing:?}"
    );
    // Envoy answers a callout whose upstream is unreachable with its own 503 response.
    let dead = request_with(
        port,
        "GET",
        "/callout",
        &[("x-callout-cluster", "dead")],
        "",
    );
    assert_eq!(
        dead.json()["headers"]["x-callout-status"],
        "503",
        "{dead:?}"
    );

    let sse = request(port, "GET", "/sse", "");
    let events: Vec<&str> = sse
        .chunks
        .iter()
        .map(|(_, c)| c.as_str())
        .filter(|c| c.contains("data:"))
        .collect();
    assert_eq!(
        events,
        [
            "data: HELLO 0\n\n",
            "data: HELLO 1\n\n",
            "data: HELLO 2\n\n"
        ]
    );
    let first = sse.chunks.first().map(|(t, _)| *t).unwrap_or_default();
    let last = sse.chunks.last().map(|(t, _)| *t).unwrap_or_default();
    assert!(
        last - first >= Duration::from_millis(600),
        "events must arrive one by one, not buffered: {:?}",
        sse.chunks
    );
}

#[test]
fn demo_module_works_downstream_and_upstream() {
    let ports = Ports {
        admin: free_port(),
        down: free_port(),
        up: free_port(),
        upstream_a: free_port(),
        upstream_b: free_port(),
    };
    start_upstream("A", ports.upstream_a);
    start_upstream("B", ports.upstream_b);
    let dir = scratch_dir("demo");
    let access_log = dir.join("access.log");
    let config = write_config(&dir, &ports, &access_log, |c| c);
    let child = envoy_command(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start Envoy");
    let _envoy = Running(child);
    wait_ready(ports.admin);

    check_listener(ports.down, true);
    check_listener(ports.up, false);

    let log = eventually(|| {
        let log = std::fs::read_to_string(&access_log).unwrap_or_default();
        (log.contains("down /v1/chat 200 model=model-a bytes=25")
            && log.contains("up /v1/chat 200 model=model-a bytes=25"))
        .then_some(log)
    })
    .unwrap_or_else(|| {
        panic!(
            "metadata missing from the access log {}",
            access_log.display()
        )
    });
    assert!(log.contains("down /panic 500"), "{log}");

    let wanted = [
        r#"envoy_dynamicmodulescustom_demo_requests{model="model-a"} 2"#,
        r#"envoy_dynamicmodulescustom_demo_requests{model="model-b"} 1"#,
        r#"envoy_cluster_cluster_up_dynamicmodulescustom_demo_requests{model="model-a"} 2"#,
        r#"envoy_dynamicmodulescustom_demo_chunks_count{kind="response"} "#,
    ];
    let stats = eventually(|| {
        let stats = get_text(ports.admin, "/stats/prometheus");
        wanted
            .iter()
            .all(|w| stats.lines().any(|l| l.starts_with(w)))
            .then_some(stats)
    });
    assert!(
        stats.is_some(),
        "labelled metrics missing: want {wanted:?} in\n{}",
        get_text(ports.admin, "/stats/prometheus")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `envoy --mode validate` output for a config edited by `edit`.
fn validate(edit: impl Fn(String) -> String) -> (bool, String) {
    let ports = Ports {
        admin: free_port(),
        down: free_port(),
        up: free_port(),
        upstream_a: free_port(),
        upstream_b: free_port(),
    };
    let dir = scratch_dir("validate");
    let config = write_config(&dir, &ports, &dir.join("access.log"), edit);
    let out = envoy_command(&config)
        .args(["--mode", "validate"])
        .output()
        .expect("run envoy --mode validate");
    let _ = std::fs::remove_dir_all(&dir);
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn config_errors_fail_the_load_with_the_field_named() {
    let (ok, _) = validate(|c| c);
    assert!(ok, "the unmodified config must validate");

    let (ok, log) =
        validate(|c| c.replacen(r#"{"callout_cluster":"callout"}"#, r#"{"nope":1}"#, 1));
    assert!(!ok, "a rejected filter_config must fail the load");
    assert!(
        log.contains("invalid filter_config: callout_cluster: required string"),
        "{log}"
    );

    let (ok, log) = validate(|c| c.replacen("filter_name: native_demo", "filter_name: other", 1));
    assert!(!ok, "a wrong filter_name must fail the load");
    assert!(
        log.contains("filter_name `other` does not match this module's filter `native_demo`"),
        "{log}"
    );
}
