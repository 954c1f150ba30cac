use super::*;
use secrecy::ExposeSecret;

const OK: &str = r#"<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:ai:gateway</SubjectFromWebIdentityToken>
    <Audience>sts.amazonaws.com</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/aigw/aigw-gateway</Arn>
      <AssumedRoleId>AROAFAKEEXAMPLE:aigw-gateway</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>fake-session-token-xyz</SessionToken>
      <SecretAccessKey>fake-secret-access-key</SecretAccessKey>
      <Expiration>2023-11-14T23:13:20Z</Expiration>
      <AccessKeyId>ASIAFAKEEXAMPLE</AccessKeyId>
    </Credentials>
    <Provider>arn:aws:iam::123456789012:oidc-provider/oidc.example</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>"#;

fn at(s: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(s)
}

#[test]
fn reads_credentials_and_expiration() {
    // 2023-11-14T23:13:20Z is 1700003600.
    let issued = parse_sts_response(200, OK.as_bytes(), at(1_700_000_000)).unwrap();
    assert_eq!(issued.expires_at, at(1_700_003_600));
    assert_eq!(issued.issued_at, at(1_700_000_000));
    let c = &issued.value;
    assert_eq!(c.access_key_id(), "ASIAFAKEEXAMPLE");
    assert_eq!(
        c.secret_access_key().expose_secret(),
        "fake-secret-access-key"
    );
    assert_eq!(
        c.session_token().unwrap().expose_secret(),
        "fake-session-token-xyz"
    );
}

#[test]
fn errors_carry_status_and_code_only() {
    let body = r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>InvalidIdentityToken</Code>
  <Message>token fake-wi-token is not valid</Message></Error>
  <RequestId>x</RequestId></ErrorResponse>"#;
    let err = parse_sts_response(400, body.as_bytes(), at(0)).unwrap_err();
    assert_eq!(err, "STS answered 400 (InvalidIdentityToken)");
    let err = parse_sts_response(503, b"<html>", at(0)).unwrap_err();
    assert_eq!(err, "STS answered 503");
    let err = parse_sts_response(200, b"<Other/>", at(0)).unwrap_err();
    assert!(err.contains("no AssumeRoleWithWebIdentityResult"), "{err}");
}

#[test]
fn refuses_expired_or_unusable_credentials() {
    let err = parse_sts_response(200, OK.as_bytes(), at(1_700_003_600)).unwrap_err();
    assert!(err.contains("already expired"), "{err}");
    let bad = OK.replace("2023-11-14T23:13:20Z", "tomorrow");
    let err = parse_sts_response(200, bad.as_bytes(), at(0)).unwrap_err();
    assert!(err.contains("RFC 3339"), "{err}");
    let bad = OK.replace("fake-session-token-xyz", "two words");
    let err = parse_sts_response(200, bad.as_bytes(), at(0)).unwrap_err();
    assert!(err.contains("header cannot carry"), "{err}");
    assert!(!err.contains("two words"));
}
