use super::*;
use serde_json::json;

fn params(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap()
}

fn meta() -> Value {
    json!({
        PROTOCOL_VERSION_META: STATELESS_VERSION,
        CLIENT_CAPABILITIES_META: {},
        CLIENT_INFO_META: {"name": "c", "version": "1"},
    })
}

fn headers<'h>(method: &'h str, name: Option<&'h str>) -> RoutingHeaders<'h> {
    RoutingHeaders {
        version: Some(STATELESS_VERSION),
        method: Some(method),
        name,
    }
}

#[test]
fn a_complete_envelope_with_agreeing_headers_passes() {
    let p = params(json!({"name": "a__add", "_meta": meta()}));
    let envelope = envelope("tools/call", &p, headers("tools/call", Some("a__add"))).unwrap();
    assert_eq!(
        envelope.client_info,
        Some(json!({"name": "c", "version": "1"}))
    );
    let p = params(json!({"_meta": meta()}));
    assert!(envelope_ok("tools/list", &p, headers("tools/list", None)));
}

fn envelope_ok(method: &str, p: &Map<String, Value>, h: RoutingHeaders<'_>) -> bool {
    envelope(method, p, h).is_ok()
}

#[test]
fn a_missing_or_incomplete_meta_is_invalid_params() {
    let h = headers("tools/list", None);
    let error = envelope("tools/list", &Map::new(), h).unwrap_err();
    assert_eq!(error.code, INVALID_PARAMS);
    let p = params(json!({"_meta": {PROTOCOL_VERSION_META: STATELESS_VERSION}}));
    let error = envelope("tools/list", &p, h).unwrap_err();
    assert_eq!(error.code, INVALID_PARAMS);
    assert!(
        error.message.contains(CLIENT_CAPABILITIES_META),
        "{error:?}"
    );
}

#[test]
fn headers_that_disagree_with_the_body_are_a_header_mismatch() {
    let p = params(json!({"name": "a__add", "_meta": meta()}));
    let cases = [
        headers("tools/list", Some("a__add")),
        headers("tools/call", Some("b__echo")),
        headers("tools/call", None),
        RoutingHeaders {
            version: Some("2025-11-25"),
            ..headers("tools/call", Some("a__add"))
        },
        RoutingHeaders {
            version: None,
            ..headers("tools/call", Some("a__add"))
        },
        RoutingHeaders {
            method: None,
            ..headers("tools/call", Some("a__add"))
        },
    ];
    for h in cases {
        let error = envelope("tools/call", &p, h).unwrap_err();
        assert_eq!(error.code, HEADER_MISMATCH, "{h:?}");
    }
}

#[test]
fn resource_uris_compare_after_base64_decoding() {
    let uri = "a+docs://read me";
    let p = params(json!({"uri": uri, "_meta": meta()}));
    let encoded = format!("=?base64?{}?=", STANDARD.encode(uri));
    assert!(envelope_ok(
        "resources/read",
        &p,
        headers("resources/read", Some(&encoded))
    ));
    let broken = "=?base64?%%%?=";
    let error = envelope(
        "resources/read",
        &p,
        headers("resources/read", Some(broken)),
    );
    assert_eq!(error.unwrap_err().code, HEADER_MISMATCH);
}

#[test]
fn other_versions_are_refused_with_the_supported_list() {
    let mut m = meta();
    m[PROTOCOL_VERSION_META] = json!("2027-01-01");
    let p = params(json!({"_meta": m}));
    let h = RoutingHeaders {
        version: Some("2027-01-01"),
        ..headers("tools/list", None)
    };
    let error = envelope("tools/list", &p, h).unwrap_err();
    assert_eq!(error.code, UNSUPPORTED_PROTOCOL_VERSION);
    let response = error.to_response(&json!(7));
    assert_eq!(response["id"], 7);
    assert_eq!(
        response["error"]["data"],
        json!({"supported": SUPPORTED_VERSIONS, "requested": "2027-01-01"})
    );
}

#[test]
fn headers_of_handshake_requests_are_checked_only_when_present() {
    let p = params(json!({"name": "a__add"}));
    assert!(check_headers("tools/call", &p, RoutingHeaders::default()).is_ok());
    let h = RoutingHeaders {
        method: Some("tools/call"),
        name: Some("a__add"),
        version: None,
    };
    assert!(check_headers("tools/call", &p, h).is_ok());
    let h = RoutingHeaders {
        method: Some("prompts/get"),
        ..h
    };
    assert_eq!(
        check_headers("tools/call", &p, h).unwrap_err().code,
        HEADER_MISMATCH
    );
}

#[test]
fn discover_merges_backends_and_names_the_gateway() {
    let a = json!({"capabilities": {"tools": {}}, "instructions": "use a"});
    let b = json!({"capabilities": {"prompts": {}}});
    let result = discover_result([("a", &a), ("b", &b)]);
    assert_eq!(result["supportedVersions"], json!(SUPPORTED_VERSIONS));
    assert_eq!(result["capabilities"], json!({"tools": {}, "prompts": {}}));
    assert_eq!(result["instructions"], "[a] use a");
    assert_eq!(result["resultType"], "complete");
    assert_eq!(
        result["_meta"][SERVER_INFO_META]["name"],
        super::super::merge::GATEWAY_NAME
    );
}

#[test]
fn results_are_completed_for_stateless_clients() {
    let mut list = json!({"tools": []});
    complete("tools/list", &mut list);
    assert_eq!(
        list,
        json!({"tools": [], "resultType": "complete", "ttlMs": 0, "cacheScope": "private"})
    );
    let mut call = json!({"content": [], "resultType": "input_required"});
    complete("tools/call", &mut call);
    assert_eq!(call, json!({"content": [], "resultType": "input_required"}));
}
