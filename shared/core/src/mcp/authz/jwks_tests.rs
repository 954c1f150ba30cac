use super::*;
use aigw_test_keys::jwks;

const POLICY: RefreshPolicy = RefreshPolicy {
    cache: Duration::from_secs(600),
    min_interval: Duration::from_secs(30),
};

fn at(s: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + s)
}

fn keys() -> KeySet {
    KeySet::parse(&jwks().to_string()).unwrap()
}

fn uses(lookup: KeyLookup) -> bool {
    matches!(lookup, KeyLookup::Use(_))
}

#[test]
fn one_request_fetches_while_the_others_wait_then_all_use_the_keys() {
    let mut cell: JwksCell<u32> = JwksCell::default();
    assert!(matches!(cell.lookup(at(0), POLICY), KeyLookup::Fetch));
    assert!(matches!(cell.lookup(at(0), POLICY), KeyLookup::Wait));
    let g = cell.wait(7);
    assert_eq!(cell.fetched(Ok(keys()), at(1)), vec![7]);
    assert!(uses(cell.resume(g, at(1), POLICY)));
    assert!(uses(cell.lookup(at(2), POLICY)));
}

#[test]
fn keys_are_refreshed_after_the_cache_duration_and_kept_when_that_fails() {
    let mut cell: JwksCell<u32> = JwksCell::default();
    cell.lookup(at(0), POLICY);
    cell.fetched(Ok(keys()), at(0));
    assert!(uses(cell.lookup(at(599), POLICY)));
    assert!(matches!(
        cell.lookup(at(600), POLICY),
        KeyLookup::UseAndRefresh(_)
    ));
    // One refresh at a time; the others keep using the cached keys.
    assert!(uses(cell.lookup(at(600), POLICY)));
    cell.fetched(Err("the JWKS endpoint answered HTTP 503".into()), at(601));
    // Stale keys keep serving; the next refresh waits out the least interval.
    assert!(uses(cell.lookup(at(620), POLICY)));
    assert!(matches!(
        cell.lookup(at(630), POLICY),
        KeyLookup::UseAndRefresh(_)
    ));
}

#[test]
fn a_failed_first_fetch_fails_its_waiters_and_a_later_request_retries() {
    let mut cell: JwksCell<u32> = JwksCell::default();
    cell.lookup(at(0), POLICY);
    let g = cell.wait(1);
    cell.fetched(Err("connection refused".into()), at(0));
    match cell.resume(g, at(0), POLICY) {
        KeyLookup::Failed(cause) => assert_eq!(cause, "connection refused"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(cell.lookup(at(1), POLICY), KeyLookup::Fetch));
}

#[test]
fn an_abandoned_fetch_lets_a_waiter_fetch() {
    let mut cell: JwksCell<u32> = JwksCell::default();
    cell.lookup(at(0), POLICY);
    let g1 = cell.wait(1);
    let g2 = cell.wait(2);
    assert_eq!(cell.abandoned(), vec![1, 2]);
    assert!(matches!(cell.resume(g1, at(0), POLICY), KeyLookup::Fetch));
    assert!(matches!(cell.resume(g2, at(0), POLICY), KeyLookup::Wait));
}

#[test]
fn an_unknown_kid_refetches_at_most_once_per_interval() {
    let mut cell: JwksCell<u32> = JwksCell::default();
    cell.lookup(at(0), POLICY);
    cell.fetched(Ok(keys()), at(0));
    // Right after the first fetch: a rotated key is fetched at once.
    assert_eq!(cell.unknown_key(at(1), POLICY), Refetch::Fetch);
    assert_eq!(cell.unknown_key(at(2), POLICY), Refetch::Wait);
    cell.fetched(Ok(keys()), at(2));
    assert_eq!(cell.unknown_key(at(30), POLICY), Refetch::No);
    assert_eq!(cell.unknown_key(at(31), POLICY), Refetch::Fetch);
    // A refetch whose request ended before it did does not count.
    assert_eq!(cell.abandoned(), Vec::<u32>::new());
    assert_eq!(cell.unknown_key(at(32), POLICY), Refetch::Fetch);
}

#[test]
fn answers_that_are_not_a_usable_jwks_are_refused() {
    let good = jwks().to_string();
    assert_eq!(parse_jwks_response(200, good.as_bytes()).unwrap().len(), 2);
    let err = parse_jwks_response(503, good.as_bytes()).unwrap_err();
    assert_eq!(err, "the JWKS endpoint answered HTTP 503");
    let err = parse_jwks_response(200, b"<html>").unwrap_err();
    assert!(
        err.starts_with("the JWKS endpoint's answer is not a JWKS"),
        "{err}"
    );
    let symmetric = br#"{"keys":[{"kty":"oct","k":"ZmFrZQ","alg":"HS256"}]}"#;
    let err = parse_jwks_response(200, symmetric).unwrap_err();
    assert!(err.contains("without a usable signing key"), "{err}");
}

#[test]
fn published_sets_skip_keys_that_cannot_verify_tokens() {
    let mut set = jwks();
    let keys = set["keys"].as_array_mut().unwrap();
    keys.push(serde_json::json!({"kty": "oct", "k": "ZmFrZQ", "alg": "HS256"}));
    keys.push(
        serde_json::json!({"kty": "RSA", "use": "enc", "alg": "RSA-OAEP",
        "n": "AQAB", "e": "AQAB"}),
    );
    let parsed = parse_jwks_response(200, set.to_string().as_bytes()).unwrap();
    assert_eq!(parsed.len(), 2);
}
