use super::*;

fn parse(yaml: &str) -> McpConfig {
    serde_yaml_ng::from_str(yaml).unwrap()
}

fn problems(yaml: &str) -> Vec<String> {
    let mut errors = Vec::new();
    validate(
        &parse(yaml),
        |s| !s.is_empty() && !s.contains('-'),
        &mut errors,
    );
    errors
}

#[test]
fn defaults_and_env_vars() {
    let mcp = parse(
        "session_key_env: FAKE_KEY\nservers:\n  - {name: a, url: 'http://127.0.0.1:9000/mcp', auth: {kind: bearer, key_env: FAKE_TOKEN}}\n",
    );
    assert_eq!((mcp.path.as_str(), mcp.separator.as_str()), ("/mcp", "__"));
    assert_eq!(mcp.callout_timeout_ms, 30_000);
    assert_eq!(mcp.env_vars(), ["FAKE_KEY", "FAKE_TOKEN"]);
    assert!(problems("session_key_env: K\nservers: [{name: a, url: 'http://h:1/mcp'}]").is_empty());
}

#[test]
fn problems_name_the_field() {
    let errors = problems(
        "path: mcp\nseparator: ''\nsession_key_env: bad-name\nservers:\n\
         - {name: 'a b', url: 'ftp://h/mcp'}\n\
         - {name: c, url: 'http://h:1', auth: {kind: header, key_env: K}}\n\
         - {name: c, url: 'http://h:1/mcp', tools: {exclude_regex: ['(']}}\n\
         - {name: d, url: 'http://h:1/mcp', auth: {kind: header, header: X-Api-Key, key_env: K},\
            forward_headers: [x-tenant, x-api-key, mcp-session-id]}\n",
    );
    let expected = [
        "mcp.path: \"mcp\" must be an absolute path without query",
        "mcp.separator: must not be empty",
        "mcp.session_key_env: \"bad-name\" is not an environment variable name",
        "mcp.servers[0].name: \"a b\" must be letters, digits, '-', '_' or '.'",
        "mcp.servers[0].url: scheme must be http or https, got \"ftp\"",
        "mcp.servers[1].url: must include the MCP endpoint path, like /mcp",
        "mcp.servers[1].auth.header: kind header needs a header name (letters, digits, -)",
        "mcp.servers[2].name: duplicate MCP server \"c\" (also mcp.servers[1])",
        "mcp.servers[2].tools.exclude_regex: invalid regular expression",
        "mcp.servers[3].forward_headers[1]: \"x-api-key\" carries the server's own credential",
        "mcp.servers[3].forward_headers[2]: \"mcp-session-id\" is set by the gateway",
    ];
    assert_eq!(errors.len(), expected.len(), "{errors:#?}");
    for (got, want) in errors.iter().zip(expected) {
        assert!(got.starts_with(want), "{got}\nexpected: {want}");
    }
}

#[test]
fn unset_variables_name_the_field() {
    let mcp = parse(
        "session_key_env: FAKE_KEY\nsession_fallback_key_env: FAKE_OLD\nservers:\n\
         - {name: a, url: 'http://h:1/mcp'}\n\
         - {name: b, url: 'http://h:1/mcp', auth: {kind: bearer, key_env: FAKE_TOKEN}}\n",
    );
    assert_eq!(
        mcp.unset_env(|var| var == "FAKE_OLD"),
        [
            "mcp.session_key_env: environment variable FAKE_KEY is not set",
            "mcp.servers[1].auth.key_env: environment variable FAKE_TOKEN is not set",
        ]
    );
    assert!(mcp.unset_env(|_| true).is_empty());
}

#[test]
fn authorization_is_compiled_at_load_with_field_names() {
    let jwks = aigw_test_keys::jwks().to_string();
    let section = |resource: &str, allow: &str| {
        format!(
            "session_key_env: K\nservers: [{{name: a, url: 'http://h:1/mcp'}}]\n\
             authorization:\n  resource: '{resource}'\n  issuer: https://auth.test.example\n  \
             jwks: {jwks}\n  rules:\n    - {{name: r, allow: \"{allow}\"}}\n"
        )
    };
    assert!(problems(&section("https://gw.test.example/mcp", "server == 'a'")).is_empty());
    assert_eq!(
        problems(&section("gw/mcp", "tool == who")),
        [
            "mcp.authorization.resource: \"gw/mcp\" must be an http(s) URL",
            "mcp.authorization.rules[0].allow: CEL error at column 9: unknown variable `who`; \
             expected one of claims, scopes, method, server, tool, arguments",
        ]
    );
}

#[test]
fn the_keys_are_inline_or_fetched_never_both_nor_neither() {
    let section = |keys: &str| {
        format!(
            "session_key_env: K\nservers: [{{name: a, url: 'http://h:1/mcp'}}]\n\
             authorization:\n  resource: https://gw.test.example/mcp\n  \
             issuer: https://auth.test.example\n{keys}  rules: [{{name: r, allow: 'true'}}]\n"
        )
    };
    let fetched = parse(&section("  jwks_uri: https://auth.test.example/jwks\n"));
    let authz = fetched.authorization.as_ref().unwrap();
    assert_eq!(authz.jwks_cache_seconds, 600);
    assert_eq!(authz.jwks, None);
    assert!(problems(&section("  jwks_uri: http://127.0.0.1:9/jwks\n")).is_empty());
    let jwks = aigw_test_keys::jwks().to_string();
    let cases = [
        (
            format!("  jwks: {jwks}\n  jwks_uri: https://auth.test.example/jwks\n"),
            "mcp.authorization.jwks_uri: give jwks or jwks_uri, not both",
        ),
        (
            String::new(),
            "mcp.authorization.jwks: give the issuer's keys (jwks) or where to fetch them (jwks_uri)",
        ),
        (
            "  jwks_uri: ftp://auth.test.example/jwks\n".into(),
            "mcp.authorization.jwks_uri: scheme must be http or https",
        ),
        (
            "  jwks_uri: https://auth.test.example/jwks\n  jwks_cache_seconds: 0\n".into(),
            "mcp.authorization.jwks_cache_seconds: 0 must be between 1 and 86400",
        ),
    ];
    for (keys, want) in cases {
        let p = problems(&section(&keys));
        assert_eq!(p.len(), 1, "{keys}: {p:?}");
        assert!(p[0].starts_with(want), "{keys}: {p:?}");
    }
}
