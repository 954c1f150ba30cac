use super::*;
use secrecy::ExposeSecret;
use std::time::{Duration, UNIX_EPOCH};

fn write_key(path: &std::path::Path, key: &str, modified: SystemTime) {
    std::fs::write(path, key).unwrap();
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(modified).unwrap();
}

fn value(file: &RotatingFile, now: SystemTime) -> (String, Option<String>) {
    let (v, w) = file.current(now);
    (v.expose_secret().to_string(), w)
}

#[test]
fn rereads_on_mtime_change_at_most_once_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key");
    let t0 = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    write_key(&path, "sk-fake-one\n", t0);
    let file = RotatingFile::load(AuthKind::Bearer, path.clone()).unwrap();
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    assert_eq!(value(&file, now).0, "Bearer sk-fake-one");

    write_key(&path, "sk-fake-two\n", t0 + Duration::from_secs(5));
    // Within a second of the last check: the old key is still served.
    assert_eq!(
        value(&file, now + Duration::from_millis(500)).0,
        "Bearer sk-fake-one"
    );
    assert_eq!(
        value(&file, now + Duration::from_millis(1000)),
        ("Bearer sk-fake-two".to_string(), None)
    );
}

#[test]
fn failed_reread_keeps_last_good_key_and_warns_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key");
    let t0 = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    write_key(&path, "sk-fake-good", t0);
    let file = RotatingFile::load(AuthKind::AzureApiKey, path.clone()).unwrap();
    let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);

    write_key(&path, "   \n", t0 + Duration::from_secs(9));
    let (v, warning) = value(&file, now);
    assert_eq!(v, "sk-fake-good");
    let warning = warning.unwrap();
    assert!(warning.contains("is empty; keeping the previously loaded key"));
    assert!(!warning.contains("sk-fake"));

    std::fs::remove_file(&path).unwrap();
    let (v, warning) = value(&file, now + Duration::from_secs(2));
    assert_eq!(v, "sk-fake-good");
    assert!(warning.unwrap().contains("cannot read"));
}

#[test]
fn debug_output_redacts_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key");
    write_key(&path, "sk-fake-secret", UNIX_EPOCH + Duration::from_secs(1));
    let file = RotatingFile::load(AuthKind::GeminiApiKey, path).unwrap();
    let debug = format!("{file:?}");
    assert!(!debug.contains("sk-fake-secret"), "{debug}");
}
