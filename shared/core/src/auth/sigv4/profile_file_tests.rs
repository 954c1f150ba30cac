use super::*;
use secrecy::ExposeSecret;
use std::time::{Duration, UNIX_EPOCH};

const FIRST: &str = "[default]\naws_access_key_id = AKIDFAKEDEFAULT\naws_secret_access_key = fake-default-secret\n\n[Prod]\naws_access_key_id=AKIDFAKEPROD\naws_secret_access_key=fake-prod-secret\naws_session_token=fake-prod-token\n";

fn write(path: &Path, text: &str, secs: u64) {
    std::fs::write(path, text).unwrap();
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(UNIX_EPOCH + Duration::from_secs(secs))
        .unwrap();
}

#[test]
fn reads_a_profile_and_rereads_on_change() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    write(&path, FIRST, 1_600_000_000);
    let file = ProfileFile::load(path.clone(), "Prod".into()).unwrap();
    let t0 = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let (creds, warning) = file.current(t0);
    assert!(warning.is_none());
    assert_eq!(creds.access_key_id(), "AKIDFAKEPROD");
    assert_eq!(
        creds.secret_access_key().expose_secret(),
        "fake-prod-secret"
    );
    assert_eq!(
        creds.session_token().unwrap().expose_secret(),
        "fake-prod-token"
    );

    write(
        &path,
        &FIRST.replace("AKIDFAKEPROD", "AKIDFAKEROTATED"),
        1_600_000_100,
    );
    let (creds, _) = file.current(t0 + Duration::from_millis(10));
    assert_eq!(
        creds.access_key_id(),
        "AKIDFAKEPROD",
        "checked at most once a second"
    );
    let (creds, _) = file.current(t0 + Duration::from_secs(2));
    assert_eq!(creds.access_key_id(), "AKIDFAKEROTATED");

    write(
        &path,
        "[Prod]\naws_access_key_id = AKIDFAKEX\n",
        1_600_000_200,
    );
    let (creds, warning) = file.current(t0 + Duration::from_secs(4));
    assert_eq!(creds.access_key_id(), "AKIDFAKEROTATED");
    let warning = warning.unwrap();
    assert!(
        warning.ends_with("profile Prod: aws_secret_access_key is missing; keeping the previously loaded credentials"),
        "{warning}"
    );
    assert!(!warning.contains("fake-"));
}

#[test]
fn errors_name_file_and_profile() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials");
    write(&path, FIRST, 1_600_000_000);
    let err = ProfileFile::load(path.clone(), "prod".into()).unwrap_err();
    assert_eq!(
        err,
        format!(
            "credentials_file {} profile prod: aws_access_key_id is missing",
            path.display()
        )
    );
    let err = ProfileFile::load(dir.path().join("none"), "default".into()).unwrap_err();
    assert!(err.contains("none: cannot read"), "{err}");
    let file = ProfileFile::load(path, "default".into()).unwrap();
    assert!(!format!("{file:?}").contains("fake-default-secret"));
}
