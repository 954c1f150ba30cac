use super::*;
use aigw_core::auth::ExposeSecret;

const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

fn env(var: &str) -> Option<OsString> {
    match var {
        "FAKE_SESSION_KEY" => Some(KEY.into()),
        "FAKE_SHORT_KEY" => Some("c2hvcnQ=".into()),
        "FAKE_MCP_TOKEN" => Some("fake-token-1".into()),
        _ => None,
    }
}

fn load(text: &str) -> Result<Router, String> {
    Router::from_json(text, env)
}

const MINIMAL: &str = r#"{"session_key_env":"FAKE_SESSION_KEY",
  "servers":[{"name":"a","cluster":"aigw-mcp-a","authority":"a.local","path":"/mcp"}]}"#;

#[test]
fn minimal_config_takes_defaults() {
    let router = load(MINIMAL).unwrap();
    assert_eq!(router.path, "/mcp");
    assert_eq!(router.separator, "__");
    assert_eq!(router.timeout, Duration::from_secs(30));
    assert_eq!(router.keys.len(), 1);
    assert!(router.servers[0].credential.is_none());
    assert!(router.servers[0].tools.allows("anything"));
}

#[test]
fn credentials_come_from_env_and_stay_out_of_debug() {
    let text = r#"{"session_key_env":"FAKE_SESSION_KEY","session_fallback_key_env":"FAKE_SESSION_KEY",
      "servers":[
        {"name":"a","cluster":"c","authority":"a","path":"/mcp","auth":{"kind":"bearer","key_env":"FAKE_MCP_TOKEN"}},
        {"name":"b","cluster":"c","authority":"b","path":"/mcp","auth":{"kind":"header","header":"X-Api-Key","key_env":"FAKE_MCP_TOKEN"}}]}"#;
    let router = load(text).unwrap();
    assert_eq!(router.keys.len(), 2);
    let (name, value) = router.servers[0].credential.as_ref().unwrap();
    assert_eq!(
        (name.as_str(), value.expose_secret()),
        ("authorization", "Bearer fake-token-1")
    );
    let (name, value) = router.servers[1].credential.as_ref().unwrap();
    assert_eq!(
        (name.as_str(), value.expose_secret()),
        ("x-api-key", "fake-token-1")
    );
    assert!(!format!("{router:?}").contains("fake-token-1"));
}

#[test]
fn errors_name_the_field() {
    let cases = [
        (
            r#"{"session_key_env":"FAKE_UNSET","servers":[]}"#,
            "mcp-router config: servers: at least one MCP server is required",
        ),
        (
            &MINIMAL.replace("FAKE_SESSION_KEY", "FAKE_UNSET"),
            "mcp-router config: session_key_env: environment variable FAKE_UNSET is not set",
        ),
        (
            &MINIMAL.replace("FAKE_SESSION_KEY", "FAKE_SHORT_KEY"),
            "mcp-router config: session_key_env: environment variable FAKE_SHORT_KEY must be 32 bytes, got 5 (expected base64 of 32 bytes)",
        ),
        (
            &MINIMAL.replace(r#""path":"/mcp"}"#, r#""path":"mcp"}"#),
            "mcp-router config: servers[0].path: \"mcp\" must start with /",
        ),
        (
            &MINIMAL.replace(
                r#""path":"/mcp"}"#,
                r#""path":"/mcp","tools":{"include_regex":["("]}}"#,
            ),
            "mcp-router config: servers[0].tools.include_regex: invalid regular expression",
        ),
        (
            &MINIMAL.replace(
                r#""path":"/mcp"}"#,
                r#""path":"/mcp","auth":{"kind":"header","key_env":"FAKE_MCP_TOKEN"}}"#,
            ),
            "mcp-router config: servers[0].auth.header: kind header needs a header name",
        ),
        (
            &MINIMAL.replace(
                r#""path":"/mcp"}"#,
                r#""path":"/mcp","auth":{"kind":"bearer","key_env":"FAKE_UNSET"}}"#,
            ),
            "mcp-router config: servers[0].auth.key_env: environment variable FAKE_UNSET is not set",
        ),
        (
            &MINIMAL.replace(
                r#""path":"/mcp"}"#,
                r#""path":"/mcp","forward_headers":["x-tenant","Cookie"]}"#,
            ),
            "mcp-router config: servers[0].forward_headers[1]: \"Cookie\" must be a lowercase header name",
        ),
        (
            &MINIMAL.replace(
                r#""path":"/mcp"}"#,
                r#""path":"/mcp","auth":{"kind":"bearer","key_env":"FAKE_MCP_TOKEN"},"forward_headers":["authorization"]}"#,
            ),
            "mcp-router config: servers[0].forward_headers[0]: \"authorization\" carries the server's own credential",
        ),
        (
            &MINIMAL.replace(r#"{"session"#, r#"{"separator":"","session"#),
            "mcp-router config: separator: must not be empty",
        ),
        (
            &MINIMAL.replace(r#"{"session"#, r#"{"bogus":1,"session"#),
            "mcp-router config: unknown field `bogus`",
        ),
    ];
    for (text, expected) in cases {
        let err = load(text).unwrap_err();
        assert!(err.starts_with(expected), "{err}\nexpected: {expected}");
    }
}

#[test]
fn server_names_are_unique() {
    let text = MINIMAL.replace(
        r#""path":"/mcp"}]"#,
        r#""path":"/mcp"},{"name":"a","cluster":"c","authority":"a","path":"/mcp"}]"#,
    );
    assert_eq!(
        load(&text).unwrap_err(),
        "mcp-router config: servers[1].name: \"a\" must be non-empty and unique"
    );
}
