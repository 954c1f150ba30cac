//! Loading an API key from an environment variable or a file, with validation.

use secrecy::SecretString;
use std::ffi::OsString;
use std::path::Path;
use std::time::SystemTime;

/// Checks the `value` of environment variable `var` (`None` when unset). Errors name the
/// variable, never the value.
pub(crate) fn from_env(var: &str, value: Option<OsString>) -> Result<SecretString, String> {
    let value = value
        .ok_or_else(|| format!("key_env: environment variable {var} is not set"))?
        .into_string()
        .map_err(|_| format!("key_env: environment variable {var} is not valid UTF-8"))?;
    let value = SecretString::from(value);
    checked(&value, || format!("key_env: environment variable {var}"))?;
    Ok(value)
}

/// Reads the key in file `path` (surrounding whitespace trimmed) and the file's
/// modification time. Errors name the path, never the content.
pub(crate) fn from_file(path: &Path) -> Result<(SecretString, SystemTime), String> {
    let name = || format!("key_file {}", path.display());
    let read = || -> std::io::Result<(String, SystemTime)> {
        let text = std::fs::read_to_string(path)?;
        let modified = std::fs::metadata(path)?.modified()?;
        Ok((text, modified))
    };
    let (text, modified) = read().map_err(|e| format!("{}: cannot read: {e}", name()))?;
    let text = SecretString::from(text);
    let key = SecretString::from(secrecy::ExposeSecret::expose_secret(&text).trim());
    checked(&key, name)?;
    Ok((key, modified))
}

fn checked(key: &SecretString, name: impl Fn() -> String) -> Result<(), String> {
    let key = secrecy::ExposeSecret::expose_secret(key);
    if key.is_empty() {
        return Err(format!("{} is empty", name()));
    }
    if !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!(
            "{} holds whitespace, control or non-ASCII characters, which an HTTP header cannot carry",
            name()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use std::io::Write;

    #[test]
    fn env_errors_name_the_variable() {
        let err = from_env("FAKE_KEY_VAR", None).unwrap_err();
        assert_eq!(err, "key_env: environment variable FAKE_KEY_VAR is not set");
        let err = from_env("FAKE_KEY_VAR", Some("".into())).unwrap_err();
        assert_eq!(err, "key_env: environment variable FAKE_KEY_VAR is empty");
        let key = from_env("FAKE_KEY_VAR", Some("sk-fake-env".into())).unwrap();
        assert_eq!(key.expose_secret(), "sk-fake-env");
    }

    #[test]
    fn file_is_trimmed() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(b"sk-fake-file-key\n\n").unwrap();
        let (key, _) = from_file(file.path()).unwrap();
        assert_eq!(key.expose_secret(), "sk-fake-file-key");
    }

    #[test]
    fn file_errors_name_the_path_not_the_key() {
        let missing = from_file(Path::new("/nonexistent/aigw/key")).unwrap_err();
        assert!(missing.starts_with("key_file /nonexistent/aigw/key: cannot read: "));
        let mut empty = tempfile::NamedTempFile::new().unwrap();
        empty.write_all(b" \n").unwrap();
        let err = from_file(empty.path()).unwrap_err();
        assert_eq!(err, format!("key_file {} is empty", empty.path().display()));
        let mut bad = tempfile::NamedTempFile::new().unwrap();
        bad.write_all(b"sk-fake bad\n").unwrap();
        let err = from_file(bad.path()).unwrap_err();
        assert!(err.contains("whitespace"));
        assert!(!err.contains("sk-fake"));
    }
}
