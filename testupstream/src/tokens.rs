//! Fake token endpoints: generic OAuth2 client credentials (`POST /oauth2/token`), Azure
//! Entra ID (`POST /{tenant}/oauth2/v2.0/token`) and Google's JWT bearer exchange
//! (`POST /google/token`, the assertion's RS256 signature verified with the test key's
//! public half). Grant requests are checked strictly; tokens are short-lived and the fake
//! providers accept a token only while it is valid. AWS STS `AssumeRoleWithWebIdentity`
//! (`/`, see [`crate::sts`]) issues temporary AWS credentials the Bedrock fake accepts.
//! Google workload identity federation: token exchange (`POST /v1/token`) and
//! `generateAccessToken` (`POST /v1/projects/-/serviceAccounts/{email}:generateAccessToken`).
//! `GET /testupstream/token-fetches` answers `{"<backend>": <grant requests>}`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use hyper::{HeaderMap, Method, StatusCode};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::json;

/// Path of the fetch counters.
pub const FETCHES_PATH: &str = "/testupstream/token-fetches";
const OAUTH2_PATH: &str = "/oauth2/token";
const GOOGLE_PATH: &str = "/google/token";
const ENTRA_SUFFIX: &str = "/oauth2/v2.0/token";
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const JWT_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// Prefix of every issued token (tests grep logs for it).
pub const TOKEN_PREFIX: &str = "fake-issued-token-";

/// The `--token-config` file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    /// Lifetime of issued tokens in seconds.
    pub lifetime_s: u64,
    /// Clients allowed to get tokens.
    pub clients: Vec<Client>,
    /// Pause before answering a grant request (milliseconds), so concurrent requests at a
    /// cold cache really overlap the fetch.
    #[serde(default)]
    pub delay_ms: u64,
}

/// One client of a token endpoint; its tokens authenticate as backend `backend`.
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Client {
    /// Generic OAuth2 client credentials.
    Oauth2 {
        backend: String,
        client_id: String,
        client_secret: String,
        scope: String,
    },
    /// Entra ID: a client secret or a federated client assertion.
    AzureEntra {
        backend: String,
        tenant_id: String,
        client_id: String,
        #[serde(default)]
        client_secret: Option<String>,
        #[serde(default)]
        client_assertion: Option<String>,
    },
    /// Google service account: JWTs signed by the key whose public half is in the file.
    Google {
        backend: String,
        client_email: String,
        public_key_file: String,
    },
    /// Google workload identity federation: the pool provider `audience` accepts exactly
    /// `subject_token`; with `service_account`, the federated token is only good for that
    /// account's `generateAccessToken`, whose token then authenticates as `backend`.
    GcpWorkloadIdentity {
        backend: String,
        audience: String,
        subject_token: String,
        #[serde(default)]
        service_account: Option<String>,
    },
    /// AWS STS: a role assumed with the one web-identity token accepted.
    AwsSts {
        backend: String,
        role_arn: String,
        web_identity_token: String,
    },
}

/// Temporary AWS credentials STS issued.
#[derive(Clone)]
pub struct AwsIssued {
    /// Backend they authenticate as.
    pub backend: String,
    /// Secret access key.
    pub secret: String,
    /// Session token (`x-amz-security-token`).
    pub session_token: String,
    /// When they expire.
    pub expires: SystemTime,
}

impl Client {
    fn backend(&self) -> &str {
        match self {
            Self::Oauth2 { backend, .. }
            | Self::AzureEntra { backend, .. }
            | Self::Google { backend, .. }
            | Self::AwsSts { backend, .. }
            | Self::GcpWorkloadIdentity { backend, .. } => backend,
        }
    }
}

/// Issues and checks tokens.
pub struct Issuer {
    config: TokenConfig,
    state: Mutex<State>,
}

impl std::fmt::Debug for Issuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuer").finish_non_exhaustive()
    }
}

#[derive(Default)]
struct State {
    issued: HashMap<String, (String, Instant)>,
    /// Temporary AWS credentials by access key id.
    aws: HashMap<String, AwsIssued>,
    /// Federated tokens only good for impersonation: token -> (service account, expiry).
    federated: HashMap<String, (String, Instant)>,
    fetches: BTreeMap<String, u64>,
    counter: u64,
}

/// An OAuth error answer.
type Refusal = (StatusCode, &'static str, String);

impl Issuer {
    /// An issuer for `config`.
    pub fn new(config: TokenConfig) -> Self {
        Self {
            config,
            state: Mutex::new(State::default()),
        }
    }

    /// The backend whose valid (unexpired) token `token` is.
    pub fn backend_of(&self, token: &str) -> Option<String> {
        let state = self.state.lock().ok()?;
        let (backend, expiry) = state.issued.get(token)?;
        (Instant::now() < *expiry).then(|| backend.clone())
    }

    /// Pause before answering a grant request.
    pub fn delay(&self) -> Duration {
        Duration::from_millis(self.config.delay_ms)
    }

    /// The temporary AWS credentials with access key id `key_id` (expired ones too).
    pub fn aws_credentials(&self, key_id: &str) -> Option<AwsIssued> {
        self.state.lock().ok()?.aws.get(key_id).cloned()
    }

    /// Answers a call to the fake STS (`/`): (status, XML body).
    pub fn answer_sts(
        &self,
        method: &Method,
        query: Option<&str>,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> (StatusCode, Vec<u8>) {
        let roles: Vec<crate::sts::Role<'_>> = self
            .clients()
            .filter_map(|c| match c {
                Client::AwsSts {
                    backend,
                    role_arn,
                    web_identity_token,
                } => Some(crate::sts::Role {
                    backend,
                    role_arn,
                    web_identity_token,
                }),
                _ => None,
            })
            .collect();
        let call = match crate::sts::check(method, query, headers, body, &roles) {
            Ok(call) => call,
            Err((status, code, message)) => {
                eprintln!("testupstream: STS call refused: {code}: {message}");
                return (
                    status,
                    crate::sts::error_xml(status, code, &message).into_bytes(),
                );
            }
        };
        let role = &roles[call.role];
        let lifetime = call.duration.unwrap_or(3600).min(self.config.lifetime_s);
        let expires = crate::sts::expiry(Duration::from_secs(lifetime));
        let Ok(mut state) = self.state.lock() else {
            let status = StatusCode::INTERNAL_SERVER_ERROR;
            return (
                status,
                crate::sts::error_xml(status, "InternalFailure", "state").into_bytes(),
            );
        };
        *state.fetches.entry(role.backend.to_string()).or_default() += 1;
        state.counter += 1;
        let n = state.counter;
        let hash = xxhash_rust::xxh3::xxh3_64(format!("{:?}{n}", Instant::now()).as_bytes());
        let issued = AwsIssued {
            backend: role.backend.to_string(),
            secret: format!("{TOKEN_PREFIX}aws-secret-{hash:016x}"),
            session_token: format!("{TOKEN_PREFIX}aws-session-{}-{n}-{hash:016x}", role.backend),
            expires,
        };
        let key_id = format!("ASIAFAKE{n:012}");
        let xml = crate::sts::success_xml(
            role,
            &call.session_name,
            &key_id,
            &issued.secret,
            &issued.session_token,
            expires,
        );
        state.aws.insert(key_id, issued);
        eprintln!(
            "testupstream: STS issued credentials for backend {} ({lifetime} s)",
            role.backend
        );
        (StatusCode::OK, xml.into_bytes())
    }

    /// Whether this issuer answers `path`.
    pub fn handles(path: &str) -> bool {
        path == FETCHES_PATH
            || path == crate::sts::STS_PATH
            || path == OAUTH2_PATH
            || path == GOOGLE_PATH
            || path == wif::STS_PATH
            || wif::service_account_of(path).is_some()
            || path.ends_with(ENTRA_SUFFIX)
    }

    /// Answers a request to one of the token paths: (status, JSON body).
    pub fn answer(
        &self,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> (StatusCode, Vec<u8>) {
        if path == FETCHES_PATH {
            let fetches = self
                .state
                .lock()
                .map(|s| s.fetches.clone())
                .unwrap_or_default();
            return (StatusCode::OK, json!(fetches).to_string().into_bytes());
        }
        if let Some(account) = wif::service_account_of(path) {
            return self.generate_access_token(method, account, headers, body);
        }
        let result = self.grant(method, path, headers, body);
        match result {
            Ok((token, backend)) => {
                eprintln!("testupstream: issued a token for backend {backend}");
                let body = json!({"access_token": token, "token_type": "Bearer",
                    "expires_in": self.config.lifetime_s});
                (StatusCode::OK, body.to_string().into_bytes())
            }
            Err((status, error, description)) => {
                eprintln!("testupstream: token request refused: {error}: {description}");
                let body = json!({"error": error, "error_description": description});
                (status, body.to_string().into_bytes())
            }
        }
    }

    fn grant(
        &self,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> Result<(String, String), Refusal> {
        let bad = |m: String| (StatusCode::BAD_REQUEST, "invalid_request", m);
        if method != Method::POST {
            return Err(bad(format!(
                "{method} is not allowed; token requests are POSTs"
            )));
        }
        let ct = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if ct.split(';').next() != Some("application/x-www-form-urlencoded") {
            return Err(bad(format!(
                "content-type must be application/x-www-form-urlencoded, got {ct:?}"
            )));
        }
        let mut form: BTreeMap<String, String> = BTreeMap::new();
        for (k, v) in form_urlencoded::parse(body) {
            if form.insert(k.to_string(), v.to_string()).is_some() {
                return Err(bad(format!("parameter {k} appears twice")));
            }
        }
        let client = if path == OAUTH2_PATH {
            self.oauth2(&form)?
        } else if path == wif::STS_PATH {
            self.token_exchange(&form)?
        } else if path == GOOGLE_PATH {
            let host = headers
                .get("host")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            self.google(&form, &format!("http://{host}{path}"))?
        } else {
            let tenant = path.trim_start_matches('/').trim_end_matches(ENTRA_SUFFIX);
            self.entra(tenant, &form)?
        };
        let backend = client.backend().to_string();
        let mut state = self
            .state
            .lock()
            .map_err(|_| bad("state poisoned".into()))?;
        *state.fetches.entry(backend.clone()).or_default() += 1;
        state.counter += 1;
        let token = format!(
            "{TOKEN_PREFIX}{backend}-{}-{:016x}",
            state.counter,
            xxhash_rust::xxh3::xxh3_64(format!("{:?}{}", Instant::now(), state.counter).as_bytes())
        );
        let expiry = Instant::now() + Duration::from_secs(self.config.lifetime_s);
        match client {
            Client::GcpWorkloadIdentity {
                service_account: Some(account),
                ..
            } => state
                .federated
                .insert(token.clone(), (account.clone(), expiry)),
            _ => state
                .issued
                .insert(token.clone(), (backend.clone(), expiry)),
        };
        Ok((token, backend))
    }

    fn clients(&self) -> impl Iterator<Item = &Client> {
        self.config.clients.iter()
    }

    fn oauth2(&self, form: &BTreeMap<String, String>) -> Result<&Client, Refusal> {
        expect_keys(
            form,
            &["grant_type", "client_id", "client_secret", "scope"],
            &[],
        )?;
        expect(form, "grant_type", "client_credentials")?;
        let client = self
            .clients()
            .find(|c| matches!(c, Client::Oauth2 { client_id, .. } if Some(client_id) == form.get("client_id")))
            .ok_or_else(|| invalid_client("unknown client_id"))?;
        let Client::Oauth2 {
            client_secret,
            scope,
            ..
        } = client
        else {
            unreachable!()
        };
        if form.get("client_secret") != Some(client_secret) {
            return Err(invalid_client("client_secret is wrong"));
        }
        if form.get("scope") != Some(scope) {
            return Err((
                StatusCode::BAD_REQUEST,
                "invalid_scope",
                format!("scope must be {scope:?}"),
            ));
        }
        Ok(client)
    }

    fn entra(&self, tenant: &str, form: &BTreeMap<String, String>) -> Result<&Client, Refusal> {
        expect(form, "grant_type", "client_credentials")?;
        expect(
            form,
            "scope",
            "https://cognitiveservices.azure.com/.default",
        )?;
        let client = self
            .clients()
            .find(|c| {
                matches!(c, Client::AzureEntra { tenant_id, client_id, .. }
                if tenant_id == tenant && Some(client_id) == form.get("client_id"))
            })
            .ok_or_else(|| {
                invalid_client("AADSTS700016: application not found in the directory")
            })?;
        let Client::AzureEntra {
            client_secret,
            client_assertion,
            ..
        } = client
        else {
            unreachable!()
        };
        match (client_secret, client_assertion) {
            (Some(secret), _) => {
                expect_keys(
                    form,
                    &["grant_type", "client_id", "scope", "client_secret"],
                    &[],
                )?;
                if form.get("client_secret") != Some(secret) {
                    return Err(invalid_client("AADSTS7000215: invalid client secret"));
                }
            }
            (None, Some(assertion)) => {
                expect_keys(
                    form,
                    &[
                        "grant_type",
                        "client_id",
                        "scope",
                        "client_assertion_type",
                        "client_assertion",
                    ],
                    &[],
                )?;
                expect(form, "client_assertion_type", ASSERTION_TYPE)?;
                if form.get("client_assertion") != Some(assertion) {
                    return Err(invalid_client(
                        "AADSTS700024: client assertion is not valid",
                    ));
                }
            }
            (None, None) => return Err(invalid_client("client has no credential configured")),
        }
        Ok(client)
    }

    fn google(&self, form: &BTreeMap<String, String>, audience: &str) -> Result<&Client, Refusal> {
        expect_keys(form, &["grant_type", "assertion"], &[])?;
        expect(form, "grant_type", JWT_GRANT)?;
        let jwt = &form["assertion"];
        #[derive(Deserialize)]
        struct Claims {
            iss: String,
            scope: String,
            iat: u64,
            exp: u64,
        }
        let invalid = |m: String| (StatusCode::BAD_REQUEST, "invalid_grant", m);
        for client in self.clients() {
            let Client::Google {
                client_email,
                public_key_file,
                ..
            } = client
            else {
                continue;
            };
            let pem =
                std::fs::read(public_key_file).map_err(|e| invalid(format!("public key: {e}")))?;
            let key =
                DecodingKey::from_rsa_pem(&pem).map_err(|e| invalid(format!("public key: {e}")))?;
            let mut v = Validation::new(Algorithm::RS256);
            v.set_audience(&[audience]);
            v.set_issuer(&[client_email]);
            v.set_required_spec_claims(&["exp", "iat", "aud", "iss"]);
            let claims = jsonwebtoken::decode::<Claims>(jwt, &key, &v)
                .map_err(|e| invalid(format!("Invalid JWT: {e}")))?
                .claims;
            if claims.iss != *client_email || claims.scope.is_empty() {
                return Err(invalid("Invalid JWT: iss or scope".into()));
            }
            if claims.exp <= claims.iat || claims.exp - claims.iat > 3600 {
                return Err(invalid(
                    "Invalid JWT: exp must be at most an hour after iat".into(),
                ));
            }
            return Ok(client);
        }
        Err(invalid("no service account configured".into()))
    }
}

#[path = "tokens_wif.rs"]
mod wif;

fn invalid_client(m: &str) -> Refusal {
    (StatusCode::UNAUTHORIZED, "invalid_client", m.to_string())
}

fn expect(form: &BTreeMap<String, String>, key: &str, want: &str) -> Result<(), Refusal> {
    match form.get(key) {
        Some(v) if v == want => Ok(()),
        Some(v) => Err((
            StatusCode::BAD_REQUEST,
            if key == "grant_type" {
                "unsupported_grant_type"
            } else {
                "invalid_request"
            },
            format!("{key} must be {want:?}, got {v:?}"),
        )),
        None => Err((
            StatusCode::BAD_REQUEST,
            "invalid_request",
            format!("missing {key}"),
        )),
    }
}

/// The form has exactly `required` (plus any of `optional`).
fn expect_keys(
    form: &BTreeMap<String, String>,
    required: &[&str],
    optional: &[&str],
) -> Result<(), Refusal> {
    for key in required {
        if !form.contains_key(*key) {
            return Err((
                StatusCode::BAD_REQUEST,
                "invalid_request",
                format!("missing {key}"),
            ));
        }
    }
    if let Some(extra) = form
        .keys()
        .find(|k| !required.contains(&k.as_str()) && !optional.contains(&k.as_str()))
    {
        return Err((
            StatusCode::BAD_REQUEST,
            "invalid_request",
            format!("unexpected parameter {extra}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    const SECRET: &str = "fake-unit-client-secret";

    /// An issuer with an OAuth2 client and a Google client whose public key (the generated
    /// test RSA key's) is written into `dir`.
    fn issuer(lifetime_s: u64, dir: &tempfile::TempDir) -> Issuer {
        let public_key_file = dir.path().join("public.pem");
        std::fs::write(&public_key_file, &aigw_test_keys::rsa_test_key().public_pem).unwrap();
        Issuer::new(TokenConfig {
            lifetime_s,
            delay_ms: 0,
            clients: vec![
                Client::Oauth2 {
                    backend: "o".into(),
                    client_id: "cid".into(),
                    client_secret: SECRET.into(),
                    scope: "llm".into(),
                },
                Client::Google {
                    backend: "g".into(),
                    client_email: "sa@p.iam.gserviceaccount.com".into(),
                    public_key_file: public_key_file.display().to_string(),
                },
            ],
        })
    }

    fn form_headers() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            "content-type",
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        h.insert("host", HeaderValue::from_static("127.0.0.1:9"));
        h
    }

    fn post(i: &Issuer, path: &str, body: &str) -> (StatusCode, serde_json::Value) {
        let (status, body) = i.answer(
            &Method::POST,
            path,
            &form_headers(),
            &Bytes::from(body.to_string()),
        );
        (status, serde_json::from_slice(&body).unwrap())
    }

    #[test]
    fn oauth2_grants_are_checked_strictly() {
        let dir = tempfile::tempdir().unwrap();
        let i = issuer(60, &dir);
        let ok =
            format!("grant_type=client_credentials&client_id=cid&client_secret={SECRET}&scope=llm");
        let (status, body) = post(&i, OAUTH2_PATH, &ok);
        assert_eq!(status, StatusCode::OK);
        let token = body["access_token"].as_str().unwrap();
        assert!(token.starts_with(TOKEN_PREFIX));
        assert_eq!(i.backend_of(token).as_deref(), Some("o"));
        let cases = [
            (
                "grant_type=client_credentials&client_id=cid&client_secret=nope&scope=llm",
                401,
                "invalid_client",
            ),
            (
                "grant_type=password&client_id=cid&client_secret=x&scope=llm",
                400,
                "unsupported_grant_type",
            ),
            (&*format!("{ok}&extra=1"), 400, "invalid_request"),
            (&*format!("{ok}&scope=llm"), 400, "invalid_request"),
            (
                "grant_type=client_credentials&client_id=cid&client_secret=x",
                400,
                "invalid_request",
            ),
        ];
        for (form, status, error) in cases {
            let (s, b) = post(&i, OAUTH2_PATH, form);
            assert_eq!(
                (s.as_u16(), b["error"].as_str().unwrap()),
                (status, error),
                "{form}"
            );
        }
        let (s, _) = i.answer(&Method::GET, OAUTH2_PATH, &form_headers(), &Bytes::new());
        assert_eq!(s, StatusCode::BAD_REQUEST);
        let fetches = i
            .answer(&Method::GET, FETCHES_PATH, &HeaderMap::new(), &Bytes::new())
            .1;
        assert_eq!(fetches, br#"{"o":1}"#);
    }

    #[test]
    fn expired_tokens_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let i = issuer(0, &dir);
        let ok =
            format!("grant_type=client_credentials&client_id=cid&client_secret={SECRET}&scope=llm");
        let (_, body) = post(&i, OAUTH2_PATH, &ok);
        assert_eq!(i.backend_of(body["access_token"].as_str().unwrap()), None);
        assert_eq!(i.backend_of("fake-never-issued"), None);
    }

    #[test]
    fn google_assertions_need_a_valid_signature_and_audience() {
        #[derive(serde::Serialize)]
        struct Claims<'a> {
            iss: &'a str,
            scope: &'a str,
            aud: &'a str,
            iat: u64,
            exp: u64,
        }
        let signing = jsonwebtoken::EncodingKey::from_rsa_pem(
            aigw_test_keys::rsa_test_key().private_pem.as_bytes(),
        )
        .unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let jwt = |aud: &str, lifetime: u64| {
            let claims = Claims {
                iss: "sa@p.iam.gserviceaccount.com",
                scope: "s",
                aud,
                iat: now,
                exp: now + lifetime,
            };
            jsonwebtoken::encode(
                &jsonwebtoken::Header::new(Algorithm::RS256),
                &claims,
                &signing,
            )
            .unwrap()
        };
        let form = |assertion: &str| {
            format!(
                "grant_type={}&assertion={assertion}",
                JWT_GRANT.replace(':', "%3A")
            )
        };
        let dir = tempfile::tempdir().unwrap();
        let i = issuer(60, &dir);
        let (status, body) = post(
            &i,
            GOOGLE_PATH,
            &form(&jwt("http://127.0.0.1:9/google/token", 3600)),
        );
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = post(
            &i,
            GOOGLE_PATH,
            &form(&jwt("http://elsewhere/google/token", 3600)),
        );
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_grant"))
        );
        let (status, _) = post(
            &i,
            GOOGLE_PATH,
            &form(&jwt("http://127.0.0.1:9/google/token", 7200)),
        );
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let mut forged = jwt("http://127.0.0.1:9/google/token", 3600);
        let last = forged.pop();
        forged.push(if last == Some('A') { 'B' } else { 'A' });
        let (status, _) = post(&i, GOOGLE_PATH, &form(&forged));
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
}
