//! `aigw validate` on the broken configs in testdata/config/broken/: each gives one precise
//! message (field path, line and column), all different, as recorded in `golden.txt`.
//! `AIGW_BLESS=1 cargo test -p aigw-control-plane --test broken_configs` rewrites the file.

use std::path::{Path, PathBuf};
use std::process::Command;

fn broken_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/config/broken")
}

/// One line per config: `<file>: <problem>` as `aigw validate` prints it.
fn actual() -> String {
    let dir = broken_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert_eq!(
        files.len(),
        18,
        "expected 18 broken configs in {}",
        dir.display()
    );
    let mut out = String::new();
    for file in files {
        let run = Command::new(env!("CARGO_BIN_EXE_aigw"))
            .arg("validate")
            .arg(&file)
            .env_remove("AIGW_EXAMPLE_UNSET_BASE_URL")
            .output()
            .unwrap();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        assert!(!run.status.success(), "{name} was accepted");
        let stderr = String::from_utf8(run.stderr).unwrap();
        let problems: Vec<&str> = stderr.lines().skip(1).map(str::trim).collect();
        assert!(
            stderr.starts_with(&format!("aigw: invalid config {}:", file.display())),
            "{name}: {stderr}"
        );
        assert_eq!(
            problems.len(),
            1,
            "{name} should have one problem: {stderr}"
        );
        out.push_str(&format!("{name}: {}\n", problems[0]));
    }
    out
}

#[test]
fn broken_configs_give_the_golden_messages() {
    let golden = broken_dir().join("golden.txt");
    let got = actual();
    if std::env::var_os("AIGW_BLESS").is_some() {
        std::fs::write(&golden, &got).unwrap();
    }
    let want = std::fs::read_to_string(&golden).unwrap_or_default();
    assert_eq!(
        got, want,
        "rerun with AIGW_BLESS=1 after checking the new messages"
    );
    let mut messages: Vec<&str> = got.lines().map(|l| l.split_once(": ").unwrap().1).collect();
    messages.sort();
    messages.dedup();
    assert_eq!(messages.len(), 18, "messages must be distinct");
    for line in got.lines() {
        assert!(line.contains(" (line "), "no position: {line}");
    }
}
