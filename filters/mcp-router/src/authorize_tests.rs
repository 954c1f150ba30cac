use crate::authorize::ACCESS_DENIED;
use crate::filter::McpRouterFactory;
use crate::test_support::*;
use aigw_host::test_host::{TestHost, TestRegistry, complete_callout};
use aigw_host::{FilterFactory, HeadersStatus, MetadataValue};
use aigw_test_keys::{RSA_KID, jwks, rsa_test_key};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};
use std::time::{SystemTime, UNIX_EPOCH};

const RESOURCE: &str = "https://gw.test.example/mcp";
const ISSUER: &str = "https://auth.test.example";

fn config() -> String {
    let mut config: Value = serde_json::from_str(CONFIG).unwrap();
    config["authorization"] = json!({
        "resource": RESOURCE, "issuer": ISSUER, "jwks": jwks(),
        "scopes_supported": ["mcp:tools"],
        "rules": [
            {"name": "non-calls", "allow": "method != 'tools/call'"},
            {"name": "weather-with-scope",
             "allow": "server == 'weather' && 'mcp:tools' in scopes && arguments.city != 'Atlantis'"},
        ],
    });
    config.to_string()
}

fn authz_filter() -> crate::filter::McpRouterFilter {
    McpRouterFactory::with_env(&config(), env, &mut TestRegistry::default())
        .unwrap()
        .create_filter()
}

fn token(exp_offset: i64, scope: &str) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let claims = json!({"iss": ISSUER, "aud": RESOURCE, "sub": "alice",
        "exp": now + exp_offset, "scope": scope});
    let pem = rsa_test_key().private_pem.as_bytes();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(RSA_KID.into());
    encode(&header, &claims, &EncodingKey::from_rsa_pem(pem).unwrap()).unwrap()
}

fn authed_post(token: &str) -> TestHost {
    let session = session();
    let mut host = post(Some(&session));
    host.request_headers
        .push(("authorization".into(), format!("Bearer {token}")));
    host
}

#[test]
fn metadata_is_served_on_the_well_known_paths() {
    for path in [
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-protected-resource",
    ] {
        let mut host = TestHost::with_request_headers(&[(":method", "GET"), (":path", path)]);
        let (hs, _) = host.run_request(&mut authz_filter(), b"");
        assert_eq!(hs, HeadersStatus::StopIteration);
        let (status, doc) = reply_json(&host);
        assert_eq!(status, 200);
        assert_eq!(doc["resource"], RESOURCE);
        assert_eq!(doc["authorization_servers"], json!([ISSUER]));
    }
    // Without authorization the path is not the filter's.
    let mut host = TestHost::with_request_headers(&[
        (":method", "GET"),
        (":path", "/.well-known/oauth-protected-resource/mcp"),
    ]);
    let (hs, _) = host.run_request(&mut filter(), b"");
    assert_eq!(hs, HeadersStatus::Continue);
}

#[test]
fn requests_without_a_valid_token_get_a_401_challenge() {
    let expired = token(-3600, "mcp:tools");
    for (auth, error) in [
        (None, None),
        (Some("Bearer not-a-jwt".to_string()), Some("invalid_token")),
        (Some(format!("Bearer {expired}")), Some("invalid_token")),
    ] {
        let mut host = post(None);
        if let Some(auth) = &auth {
            host.request_headers
                .push(("authorization".into(), auth.clone()));
        }
        let init = json!({"jsonrpc":"2.0","id":1,"method":"initialize","params":{}});
        host.run_request(&mut authz_filter(), init.to_string().as_bytes());
        let reply = host.local_reply.as_ref().unwrap();
        assert_eq!(reply.status, 401);
        let www = header(&reply.headers, "www-authenticate").unwrap();
        assert!(
            www.starts_with("Bearer resource_metadata=\"https://gw.test.example/.well-known/oauth-protected-resource/mcp\""),
            "{www}"
        );
        match error {
            None => assert!(!www.contains("error="), "{www}"),
            Some(code) => assert!(www.contains(&format!("error=\"{code}\"")), "{www}"),
        }
        assert!(host.callouts.is_empty());
    }
}

#[test]
fn rules_decide_per_tool_and_denied_calls_are_never_forwarded() {
    let good = token(300, "mcp:tools");
    let call = |name: &str, city: &str| {
        json!({"jsonrpc":"2.0","id":5,"method":"tools/call",
            "params":{"name": name, "arguments": {"city": city}}})
        .to_string()
    };
    let mut host = authed_post(&good);
    host.run_request(
        &mut authz_filter(),
        call("weather__forecast", "Oslo").as_bytes(),
    );
    assert_eq!(
        forwarded_to(&host),
        Some("weather"),
        "an allowed call is forwarded"
    );

    for (token, body) in [
        (&good, call("calc__add", "Oslo")),
        (&good, call("weather__forecast", "Atlantis")),
        (&token(300, "other"), call("weather__forecast", "Oslo")),
    ] {
        let mut host = authed_post(token);
        host.run_request(&mut authz_filter(), body.as_bytes());
        let (status, reply) = reply_json(&host);
        assert_eq!(
            (status, &reply["error"]["code"]),
            (200, &json!(ACCESS_DENIED))
        );
        assert_eq!(reply["id"], 5);
        assert!(host.callouts.is_empty(), "a denied call is not forwarded");
        assert_eq!(forwarded_to(&host), None, "a denied call is not forwarded");
        let (_, labels, _) = &host.metric_records[0];
        assert_eq!(
            labels[..3],
            ["tools/call", "", "denied"],
            "no tool label when denied"
        );
        let error = host.metadata.get("mcp_error");
        assert_eq!(error, Some(&MetadataValue::Str("denied".into())));
    }
    // Other methods pass the `non-calls` rule.
    let mut host = authed_post(&good);
    let list = json!({"jsonrpc":"2.0","id":2,"method":"tools/list"});
    host.run_request(&mut authz_filter(), list.to_string().as_bytes());
    assert_eq!(host.callouts.len(), 2);
}

#[test]
fn bad_authorization_config_names_the_field() {
    let mut config: Value = serde_json::from_str(&config()).unwrap();
    config["authorization"]["rules"][1]["allow"] = json!("tool == user");
    let err = McpRouterFactory::with_env(&config.to_string(), env, &mut TestRegistry::default())
        .unwrap_err();
    assert!(
        err.contains(
            "authorization.rules[1].allow: CEL error at column 9: unknown variable `user`"
        ),
        "{err}"
    );
    config["authorization"]["jwks"] = json!({"keys": []});
    let err = McpRouterFactory::with_env(&config.to_string(), env, &mut TestRegistry::default())
        .unwrap_err();
    assert!(err.contains("authorization.jwks:"), "{err}");
}

#[test]
fn tools_list_hides_tools_the_caller_may_not_call() {
    let list = json!({"jsonrpc":"2.0","id":2,"method":"tools/list"}).to_string();
    let tools = json!({"jsonrpc":"2.0","id":2,"result":{"tools":[{"name":"forecast"}]}});
    let calc = json!({"jsonrpc":"2.0","id":2,"result":{"tools":[{"name":"add"}]}});
    let names = |scope: &str| {
        let mut host = authed_post(&token(300, scope));
        let mut f = authz_filter();
        host.run_request(&mut f, list.as_bytes());
        complete_callout(&mut host, &mut f, 1, json_reply(200, None, tools.clone()));
        complete_callout(&mut host, &mut f, 2, json_reply(200, None, calc.clone()));
        let (_, reply) = reply_json(&host);
        let tools = reply["result"]["tools"].as_array().unwrap().clone();
        tools
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    // `forecast` depends on its arguments: it stays listed (the call is checked); no rule
    // can allow `calc__add`, so it is hidden.
    assert_eq!(names("mcp:tools"), ["weather__forecast"]);
    // Without the scope no rule allows `forecast`, whatever its arguments.
    assert_eq!(names("other"), Vec::<String>::new());
}
