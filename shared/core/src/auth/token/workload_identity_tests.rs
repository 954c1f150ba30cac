use super::*;

fn wif(impersonate: bool) -> WorkloadIdentity {
    WorkloadIdentity {
        audience: "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q".into(),
        subject: SubjectToken::Fixed(SecretString::from("fake-oidc-subject")),
        subject_token_type: JWT_TOKEN_TYPE.into(),
        scopes: vec!["https://www.googleapis.com/auth/cloud-platform".into()],
        impersonation: impersonate.then(|| {
            TokenUrl::parse("https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken").unwrap()
        }),
    }
}

#[test]
fn exchange_form_and_impersonation_call() {
    let w = wif(true);
    let mut form = form_urlencoded::Serializer::new(String::new());
    w.exchange_form(&mut form).unwrap();
    let pairs: Vec<(String, String)> = form_urlencoded::parse(form.finish().as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(get("grant_type"), Some(TOKEN_EXCHANGE_GRANT));
    assert_eq!(get("requested_token_type"), Some(ACCESS_TOKEN_TYPE));
    assert_eq!(get("subject_token"), Some("fake-oidc-subject"));
    assert_eq!(get("subject_token_type"), Some(JWT_TOKEN_TYPE));
    assert_eq!(
        get("scope"),
        Some("https://www.googleapis.com/auth/cloud-platform")
    );
    assert_eq!(pairs.len(), 6);
    let call = w
        .impersonation_request(&SecretString::from("Bearer fake-federated"))
        .unwrap();
    assert_eq!(call.authority, "iamcredentials.googleapis.com");
    assert!(
        call.path
            .ends_with("sa@p.iam.gserviceaccount.com:generateAccessToken")
    );
    assert_eq!(call.authorization.expose_secret(), "Bearer fake-federated");
    assert_eq!(
        call.body,
        br#"{"scope":["https://www.googleapis.com/auth/cloud-platform"]}"#
    );
    assert!(!format!("{call:?}{w:?}").contains("fake-"));
    assert!(
        wif(false)
            .impersonation_request(&SecretString::from("x"))
            .is_none()
    );
}

#[test]
fn subject_token_file_is_read_at_each_exchange() {
    let file = tempfile::NamedTempFile::new().unwrap();
    let mut w = wif(false);
    w.subject = SubjectToken::File(file.path().to_path_buf());
    std::fs::write(file.path(), "fake-oidc-2\n").unwrap();
    let mut form = form_urlencoded::Serializer::new(String::new());
    w.exchange_form(&mut form).unwrap();
    assert!(form.finish().contains("subject_token=fake-oidc-2&"));
    std::fs::write(file.path(), "").unwrap();
    let mut form = form_urlencoded::Serializer::new(String::new());
    let err = w.exchange_form(&mut form).unwrap_err();
    assert!(err.starts_with("subject_token_file ") && err.ends_with(" is empty"));
}

#[test]
fn reads_generated_tokens_and_errors() {
    let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let body = br#"{"accessToken":"fake-sa-token","expireTime":"2023-11-14T23:13:20Z"}"#;
    let t = parse_impersonation_response(200, body, now).unwrap();
    assert_eq!(t.value.expose_secret(), "Bearer fake-sa-token");
    assert_eq!(t.expires_at, now + Duration::from_secs(3600));
    let denied = br#"{"error":{"code":403,"message":"Permission iam.serviceAccounts.getAccessToken denied on fake-sa-token","status":"PERMISSION_DENIED"}}"#;
    let err = parse_impersonation_response(403, denied, now).unwrap_err();
    assert_eq!(err, "generateAccessToken answered 403 (PERMISSION_DENIED)");
    let err = parse_impersonation_response(200, b"{}", now).unwrap_err();
    assert!(err.contains("no accessToken"));
}
