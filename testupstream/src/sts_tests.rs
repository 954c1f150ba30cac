use super::*;
use hyper::header::HeaderValue;

const ROLE: &str = "arn:aws:iam::123456789012:role/aigw";
const TOKEN: &str = "fake-wi-unit-token";

fn roles() -> Vec<Role<'static>> {
    vec![Role {
        backend: "br",
        role_arn: ROLE,
        web_identity_token: TOKEN,
    }]
}

fn form_headers() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(
        "content-type",
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    h
}

fn ok_form() -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("Action", "AssumeRoleWithWebIdentity")
        .append_pair("Version", "2011-06-15")
        .append_pair("RoleArn", ROLE)
        .append_pair("RoleSessionName", "aigw")
        .append_pair("WebIdentityToken", TOKEN)
        .finish()
}

fn code(method: Method, query: Option<&str>, body: &str) -> Result<usize, (u16, &'static str)> {
    check(&method, query, &form_headers(), body.as_bytes(), &roles())
        .map(|c| c.role)
        .map_err(|(s, c, _)| (s.as_u16(), c))
}

#[test]
fn accepts_post_form_and_get_query() {
    assert_eq!(code(Method::POST, None, &ok_form()), Ok(0));
    assert_eq!(code(Method::GET, Some(&ok_form()), ""), Ok(0));
    let call = check(
        &Method::POST,
        None,
        &form_headers(),
        format!("{}&DurationSeconds=900", ok_form()).as_bytes(),
        &roles(),
    )
    .ok()
    .unwrap();
    assert_eq!(call.duration, Some(900));
}

#[test]
fn refuses_what_sts_refuses() {
    let f = ok_form();
    let cases = [
        (
            f.replace("Version=2011-06-15", "Version=2010-01-01"),
            (400, "InvalidAction"),
        ),
        (
            f.replace("Action=AssumeRoleWithWebIdentity", "Action=AssumeRole"),
            (400, "InvalidAction"),
        ),
        (
            f.replace("role%2Faigw", "role%2Fother"),
            (403, "AccessDenied"),
        ),
        (
            f.replace(TOKEN, "fake-other"),
            (400, "InvalidIdentityToken"),
        ),
        (
            f.replace("RoleSessionName=aigw", "RoleSessionName=a+b"),
            (400, "ValidationError"),
        ),
        (
            f.replace("&WebIdentityToken=fake-wi-unit-token", ""),
            (400, "MissingParameter"),
        ),
        (format!("{f}&Policy=x"), (400, "InvalidParameterValue")),
        (format!("{f}&DurationSeconds=60"), (400, "ValidationError")),
        (format!("{f}&RoleArn=x"), (400, "InvalidParameterValue")),
    ];
    for (form, want) in cases {
        assert_eq!(code(Method::POST, None, &form), Err(want), "{form}");
    }
    assert_eq!(code(Method::PUT, None, &f), Err((400, "InvalidAction")));
    assert_eq!(
        code(Method::POST, Some("Action=x"), &f),
        Err((400, "InvalidParameterCombination"))
    );
}

#[test]
fn answers_parse_as_sts_answers() {
    let expires = UNIX_EPOCH + Duration::from_secs(1_700_003_600);
    let xml = success_xml(
        &roles()[0],
        "aigw",
        "ASIAFAKE1",
        "fake-s&k",
        "fake-st",
        expires,
    );
    let issued = aigw_core::auth::sts::parse_sts_response(
        200,
        xml.as_bytes(),
        UNIX_EPOCH + Duration::from_secs(1_700_000_000),
    )
    .unwrap();
    assert_eq!(issued.expires_at, expires);
    assert_eq!(issued.value.access_key_id(), "ASIAFAKE1");
    use secrecy::ExposeSecret;
    assert_eq!(issued.value.secret_access_key().expose_secret(), "fake-s&k");
    let err = error_xml(StatusCode::BAD_REQUEST, "InvalidIdentityToken", "no <good>");
    let e = aigw_core::auth::sts::parse_sts_response(400, err.as_bytes(), UNIX_EPOCH).unwrap_err();
    assert_eq!(e, "STS answered 400 (InvalidIdentityToken)");
}

#[test]
fn issued_credentials_sign_for_bedrock_until_they_expire() {
    use crate::tokens::{Client, Issuer, TokenConfig};
    let issuer = Issuer::new(TokenConfig {
        lifetime_s: 1,
        delay_ms: 0,
        clients: vec![Client::AwsSts {
            backend: "br".into(),
            role_arn: ROLE.into(),
            web_identity_token: TOKEN.into(),
        }],
    });
    let (status, xml) = issuer.answer_sts(
        &Method::POST,
        None,
        &form_headers(),
        &bytes::Bytes::from(ok_form()),
    );
    assert_eq!(status, StatusCode::OK);
    let issued = aigw_core::auth::sts::parse_sts_response(
        200,
        &xml,
        SystemTime::now() - Duration::from_secs(1),
    )
    .unwrap();
    let key_id = issued.value.access_key_id().to_string();
    let aws = issuer.aws_credentials(&key_id).unwrap();
    use secrecy::ExposeSecret;
    assert_eq!(
        issued.value.session_token().unwrap().expose_secret(),
        aws.session_token
    );
    assert_eq!(aws.backend, "br");
    assert!(aws.expires <= SystemTime::now() + Duration::from_secs(1));
    let (status, xml) = issuer.answer_sts(
        &Method::POST,
        None,
        &form_headers(),
        &bytes::Bytes::from(ok_form().replace(TOKEN, "fake-wrong")),
    );
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        String::from_utf8(xml)
            .unwrap()
            .contains("<Code>InvalidIdentityToken</Code>")
    );
}
