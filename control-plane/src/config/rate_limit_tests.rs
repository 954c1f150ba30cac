//! Parsing and validation of the `rate_limits:` section.

use std::path::Path;

use super::rate_limit::{OnServiceError, Window};
use super::*;

const BASE: &str = r#"
backends:
  - name: openai
    schema: OpenAI
    endpoint: http://127.0.0.1:8080/v1
    auth: { kind: bearer, key_env: OPENAI_API_KEY }
routes:
  - name: gpt
    models: [gpt-4o-mini]
    backend: openai
"#;

fn with(section: &str) -> String {
    format!("{BASE}rate_limits:\n{section}")
}

fn problems(section: &str) -> Vec<String> {
    let text = with(section);
    let base = Path::new("/");
    let env = |_: &str| None;
    parse(&text, base, &env)
        .unwrap_err()
        .iter()
        .map(source::Problem::located)
        .collect()
}

#[test]
fn parses_with_defaults() {
    let c = from_yaml(
        &with("  limits:\n    - { name: a, window: hour, budget_tokens: 5 }\n"),
        Path::new("/"),
    )
    .unwrap();
    let r = c.rate_limits.unwrap();
    assert_eq!(r.service, None);
    assert_eq!(r.timeout_ms, 1000);
    assert_eq!(r.default_output_tokens, 256);
    assert_eq!(r.on_service_error, OnServiceError::Deny);
    assert_eq!(r.limits[0].window, Window::Hour);
    assert_eq!(r.limits[0].key, Default::default());
}

#[test]
fn problems_name_the_field_and_line() {
    let p = problems(concat!(
        "  service: nowhere\n",
        "  timeout_ms: 0\n",
        "  default_output_tokens: 0\n",
        "  limits:\n",
        "    - { name: 'a b', window: minute, budget_tokens: 0, key: { user_header: X-User } }\n",
        "    - { name: 'a b', window: day, budget_tokens: 5000000000 }\n",
    ));
    let want = [
        r#"rate_limits.service: "nowhere" must be host:port (the address of `aigw ratelimit`) (line 12, column 12)"#,
        "rate_limits.timeout_ms: 0 must be between 1 and 60000 (line 13, column 15)",
        "rate_limits.default_output_tokens: 0 must be between 1 and 4294967295 (line 14, column 26)",
        r#"rate_limits.limits[0].name: "a b" must be non-empty and use only letters, digits, '-' and '_' (line 16, column 15)"#,
        "rate_limits.limits[0].budget_tokens: 0 must be between 1 and 4294967295 (line 16, column 53)",
        r#"rate_limits.limits[0].key.user_header: "X-User" must be a lowercase HTTP header name (letters, digits, '-', '_') (line 16, column 76)"#,
        r#"rate_limits.limits[1].name: "a b" must be non-empty and use only letters, digits, '-' and '_' (line 17, column 15)"#,
        r#"rate_limits.limits[1].name: duplicate limit "a b" (also rate_limits.limits[0]) (line 17, column 15)"#,
        "rate_limits.limits[1].budget_tokens: 5000000000 must be between 1 and 4294967295 (line 17, column 50)",
    ];
    assert_eq!(p, want);
}

#[test]
fn unknown_fields_and_windows_are_refused() {
    let p = problems("  limits:\n    - { name: a, window: week, budget_tokens: 5 }\n");
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("rate_limits.limits[0].window: unknown variant `week`"),
        "{p:?}"
    );
    let p = problems("  limits: []\n");
    assert_eq!(
        p,
        ["rate_limits.limits: at least one limit is required (line 12, column 11)"]
    );
}

#[test]
fn scopes_and_claims_are_checked() {
    let p = problems(concat!(
        "  limits:\n",
        "    - name: a\n",
        "      window: minute\n",
        "      budget_tokens: 5\n",
        "      routes: [gpt, nope]\n",
        "      models: ['']\n",
        "      key: { user_header: x-user, user_jwt_claim: sub, team_jwt_claim: '' }\n",
    ));
    let want = [
        r#"rate_limits.limits[0].routes: no route is named "nope""#,
        "rate_limits.limits[0].models: model names must be non-empty, without control characters",
        "rate_limits.limits[0].key.user_jwt_claim: give user_header or user_jwt_claim, not both",
        "rate_limits.limits[0].key.user_jwt_claim: needs rate_limits.jwt (the issuer whose tokens are verified)",
        "rate_limits.limits[0].key.team_jwt_claim: must not be empty",
        "rate_limits.limits[0].key.team_jwt_claim: needs rate_limits.jwt (the issuer whose tokens are verified)",
    ];
    let got: Vec<&str> = p
        .iter()
        .map(|s| s.split(" (line").next().unwrap())
        .collect();
    assert_eq!(got, want);
}

#[test]
fn a_bad_jwt_issuer_is_refused_naming_the_field() {
    let p = problems(concat!(
        "  jwt: { issuer: https://auth.test.example, audiences: [aigw], jwks: { keys: [] } }\n",
        "  limits:\n",
        "    - { name: a, window: minute, budget_tokens: 5, key: { user_jwt_claim: sub } }\n",
    ));
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("rate_limits.jwt.jwks: the key set has no keys"),
        "{p:?}"
    );
    let p = problems(concat!(
        "  jwt: { issuer: '', audiences: [aigw], jwks: { keys: [{ kty: oct, k: AQAB }] } }\n",
        "  limits:\n",
        "    - { name: a, window: minute, budget_tokens: 5 }\n",
    ));
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].starts_with("rate_limits.jwt."), "{p:?}");
}

#[test]
fn the_jwks_is_inline_or_fetched_never_both_nor_neither() {
    let limits = concat!(
        "  limits:\n",
        "    - { name: a, window: minute, budget_tokens: 5, key: { user_jwt_claim: sub } }\n",
    );
    let jwt = |fields: &str| {
        format!(
            "  jwt: {{ issuer: https://auth.test.example, audiences: [aigw]{fields} }}\n{limits}"
        )
    };
    let c = from_yaml(
        &with(&jwt(
            ", jwks_uri: https://auth.test.example/.well-known/jwks.json",
        )),
        Path::new("/"),
    )
    .unwrap();
    let parsed = c.rate_limits.unwrap().jwt.unwrap();
    assert_eq!(parsed.jwks, None);
    assert_eq!(parsed.jwks_cache_seconds, 600);
    let cases = [
        (
            ", jwks: { keys: [{ kty: oct, k: AQAB }] }, jwks_uri: https://auth.test.example/jwks",
            "rate_limits.jwt.jwks_uri: give jwks or jwks_uri, not both",
        ),
        (
            "",
            "rate_limits.jwt.jwks: give the issuer's keys (jwks) or where to fetch them (jwks_uri)",
        ),
        (
            ", jwks_uri: ftp://auth.test.example/jwks",
            "rate_limits.jwt.jwks_uri: scheme must be http or https",
        ),
        (
            ", jwks_uri: https://auth.test.example/jwks, jwks_cache_seconds: 0",
            "rate_limits.jwt.jwks_cache_seconds: 0 must be between 1 and 86400",
        ),
    ];
    for (fields, want) in cases {
        let p = problems(&jwt(fields));
        assert_eq!(p.len(), 1, "{fields}: {p:?}");
        assert!(p[0].starts_with(want), "{fields}: {p:?}");
    }
    let p = problems(&format!(
        "  jwt: {{ issuer: '', audiences: [aigw], jwks_uri: https://auth.test.example/jwks }}\n{limits}"
    ));
    assert!(
        p[0].starts_with("rate_limits.jwt.issuer: must not be empty"),
        "{p:?}"
    );
}
