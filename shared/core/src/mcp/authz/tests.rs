use super::challenge::ProtectedResource;
use super::rules::{AccessRules, Decision, RequestFacts, RuleConfig};
use super::token::{KeySet, TokenError, TokenVerifier, bearer, scopes};
use aigw_test_keys::{EC_KID, RSA_KID, TestKey, ec_test_key, jwks, rsa_other_key, rsa_test_key};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Map, Value, json};
use std::time::{SystemTime, UNIX_EPOCH};

const ISSUER: &str = "https://auth.test.example";
const AUDIENCE: &str = "https://gw.test.example/mcp";

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Checks tokens against the test JWKS.
struct Verifier(TokenVerifier, KeySet);

impl Verifier {
    fn verify(&self, token: &str) -> Result<Map<String, Value>, TokenError> {
        self.0.verify(&self.1, token)
    }
}

fn verifier() -> Verifier {
    Verifier(
        TokenVerifier::new(ISSUER, &[AUDIENCE.to_string()]).unwrap(),
        KeySet::parse(&jwks().to_string()).unwrap(),
    )
}

/// A token signed by `key` with `kid` over `claims` merged into valid defaults.
fn token(key: &TestKey, alg: Algorithm, kid: Option<&str>, claims: Value) -> String {
    let mut body = json!({"iss": ISSUER, "aud": AUDIENCE, "sub": "alice",
        "exp": now() + 300, "scope": "mcp:tools mcp:read"});
    for (k, v) in claims.as_object().unwrap() {
        if v.is_null() {
            body.as_object_mut().unwrap().remove(k);
        } else {
            body[k] = v.clone();
        }
    }
    let pem = &key.private_pem;
    let key = match alg {
        Algorithm::ES256 => EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
        _ => EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
    };
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_string);
    encode(&header, &body, &key).unwrap()
}

fn rsa(claims: Value) -> String {
    token(rsa_test_key(), Algorithm::RS256, Some(RSA_KID), claims)
}

#[test]
fn valid_rsa_and_ec_tokens_give_their_claims() {
    let v = verifier();
    let claims = v.verify(&rsa(json!({}))).unwrap();
    assert_eq!(claims["sub"], "alice");
    let ec = token(ec_test_key(), Algorithm::ES256, Some(EC_KID), json!({}));
    assert_eq!(v.verify(&ec).unwrap()["iss"], ISSUER);
    assert_eq!(scopes(&claims), ["mcp:tools", "mcp:read"]);
}

#[test]
fn each_bad_token_gets_its_own_reason() {
    let v = verifier();
    let cases = [
        (rsa(json!({"exp": now() - 3600})), TokenError::Expired),
        (rsa(json!({"nbf": now() + 3600})), TokenError::NotYetValid),
        (
            rsa(json!({"iss": "https://evil.example"})),
            TokenError::WrongIssuer,
        ),
        (
            rsa(json!({"aud": "https://other.example"})),
            TokenError::WrongAudience,
        ),
        (
            token(rsa_other_key(), Algorithm::RS256, Some(RSA_KID), json!({})),
            TokenError::BadSignature,
        ),
        (
            token(
                rsa_test_key(),
                Algorithm::RS256,
                Some("no-such-kid"),
                json!({}),
            ),
            TokenError::UnknownKey,
        ),
        (
            token(rsa_test_key(), Algorithm::RS256, None, json!({})),
            TokenError::UnknownKey,
        ),
        (
            rsa(json!({"exp": null})),
            TokenError::BadClaims("missing exp".into()),
        ),
    ];
    for (token, want) in cases {
        assert_eq!(v.verify(&token), Err(want));
    }
    assert!(matches!(
        v.verify("not.a.jwt"),
        Err(TokenError::Malformed(_))
    ));
}

#[test]
fn a_key_algorithm_mismatch_and_symmetric_tokens_are_refused() {
    let v = verifier();
    // Signed with the RSA key under the EC key's kid.
    let wrong = token(rsa_test_key(), Algorithm::RS256, Some(EC_KID), json!({}));
    assert!(matches!(v.verify(&wrong), Err(TokenError::Malformed(_))));
    let hs = encode(
        &Header::new(Algorithm::HS256),
        &json!({"iss": ISSUER, "aud": AUDIENCE, "exp": now() + 60}),
        &EncodingKey::from_secret(b"fake-shared-secret"),
    )
    .unwrap();
    assert!(matches!(v.verify(&hs), Err(TokenError::Malformed(_))));
}

#[test]
fn bad_key_sets_are_rejected_at_load() {
    let aud = [AUDIENCE.to_string()];
    assert!(KeySet::parse("{}").is_err());
    assert!(KeySet::parse(r#"{"keys":[]}"#).is_err());
    let hs = r#"{"keys":[{"kty":"oct","k":"ZmFrZQ","alg":"HS256"}]}"#;
    let err = KeySet::parse(hs).unwrap_err();
    assert!(err.starts_with("jwks.keys[0]:"), "{err}");
    assert!(TokenVerifier::new("", &aud).is_err());
    assert!(TokenVerifier::new(ISSUER, &[]).is_err());
}

#[test]
fn bearer_header_parsing() {
    assert_eq!(bearer(Some("Bearer abc")), Ok("abc"));
    assert_eq!(bearer(Some("bearer  abc ")), Ok("abc"));
    assert_eq!(bearer(None), Err(TokenError::Missing));
    assert_eq!(bearer(Some("Basic abc")), Err(TokenError::Missing));
    assert_eq!(bearer(Some("Bearer")), Err(TokenError::Missing));
}

#[test]
fn scopes_from_scp_lists_and_strings() {
    let mut claims = Map::new();
    claims.insert("scp".into(), json!(["a", "b"]));
    assert_eq!(scopes(&claims), ["a", "b"]);
    claims.insert("scp".into(), json!("c d"));
    assert_eq!(scopes(&claims), ["c", "d"]);
    assert!(scopes(&Map::new()).is_empty());
}

#[test]
fn metadata_and_challenges() {
    let servers = [ISSUER.to_string()];
    let r = ProtectedResource::new(AUDIENCE, &servers, &["mcp:tools".into()]).unwrap();
    assert_eq!(
        r.metadata_path(),
        "/.well-known/oauth-protected-resource/mcp"
    );
    assert!(r.is_metadata_path("/.well-known/oauth-protected-resource"));
    assert!(!r.is_metadata_path("/.well-known/oauth-protected-resource/other"));
    let doc: Value = serde_json::from_str(&r.document()).unwrap();
    assert_eq!(doc["resource"], AUDIENCE);
    assert_eq!(doc["authorization_servers"], json!([ISSUER]));
    assert_eq!(
        r.challenge(None),
        "Bearer resource_metadata=\"https://gw.test.example/.well-known/oauth-protected-resource/mcp\", scope=\"mcp:tools\""
    );
    let c = r.challenge(Some(("invalid_token", "the \"token\" has expired")));
    assert!(
        c.ends_with(", error=\"invalid_token\", error_description=\"the token has expired\""),
        "{c}"
    );
    assert!(ProtectedResource::new("gw.example/mcp", &servers, &[]).is_err());
    assert!(ProtectedResource::new(AUDIENCE, &[], &[]).is_err());
}

fn facts<'a>(
    claims: &'a Map<String, Value>,
    scopes: &'a [String],
    tool: &'a str,
    arguments: &'a Value,
) -> RequestFacts<'a> {
    RequestFacts {
        claims,
        scopes,
        method: "tools/call",
        server: "weather",
        tool,
        arguments,
    }
}

fn rules(allow: &[&str]) -> Result<AccessRules, String> {
    let configs: Vec<RuleConfig> = allow
        .iter()
        .enumerate()
        .map(|(i, a)| RuleConfig {
            name: format!("r{i}"),
            allow: a.to_string(),
        })
        .collect();
    AccessRules::compile(&configs)
}

#[test]
fn rules_allow_when_any_rule_says_true_and_deny_by_default() {
    let mut claims = Map::new();
    claims.insert("sub".into(), json!("alice"));
    claims.insert("groups".into(), json!(["ops"]));
    let scopes = vec!["mcp:tools".to_string()];
    let args = json!({"city": "Paris", "days": 3});
    let r = rules(&[
        r#"method != "tools/call""#,
        r#"server == "weather" && tool == "forecast" && "mcp:tools" in scopes"#,
        r#""ops" in claims.groups && arguments.days <= 7"#,
    ])
    .unwrap();
    assert_eq!(
        r.decide(&facts(&claims, &scopes, "forecast", &args)),
        Decision::Allowed("r1".into())
    );
    assert_eq!(
        r.decide(&facts(&claims, &[], "alerts", &args)),
        Decision::Allowed("r2".into())
    );
    // CEL's `&&` is false when either side is false, even if the other fails.
    let long = json!({"days": 30});
    assert_eq!(
        r.decide(&facts(&Map::new(), &[], "alerts", &long)),
        Decision::Denied { errors: vec![] }
    );
    assert_eq!(
        r.decide(&facts(&Map::new(), &[], "alerts", &args)),
        Decision::Denied {
            errors: vec!["r2: evaluation failed: No such key: groups".into()]
        }
    );
    let none = rules(&[]).unwrap();
    assert!(matches!(
        none.decide(&facts(&claims, &scopes, "forecast", &args)),
        Decision::Denied { .. }
    ));
}

#[test]
fn bad_rules_fail_to_compile_with_rule_and_position() {
    let err = rules(&["true", "tool == 'x' && user == 'bob'"])
        .err()
        .unwrap();
    assert!(
        err.starts_with("rules[1].allow: CEL error at column 16: unknown variable `user`"),
        "{err}"
    );
    let err = rules(&["method +"]).err().unwrap();
    assert!(
        err.starts_with("rules[0].allow: CEL error at column"),
        "{err}"
    );
    let err = rules(&["size(scopes)"]).err().unwrap();
    assert!(err.contains("must yield a bool"), "{err}");
    let err = rules(&["method * 2 > 1"]).err().unwrap();
    assert!(err.starts_with("rules[0].allow: CEL error"), "{err}");
    let dup = [
        RuleConfig {
            name: "a".into(),
            allow: "true".into(),
        },
        RuleConfig {
            name: "a".into(),
            allow: "true".into(),
        },
    ];
    assert!(
        AccessRules::compile(&dup)
            .unwrap_err()
            .starts_with("rules[1].name")
    );
}
