//! Google service-account JSON keys and the signed JWT assertion exchanged for a token.

use crate::auth::SecretString;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use std::time::SystemTime;

/// Lifetime of an assertion (Google accepts at most one hour).
const ASSERTION_SECONDS: u64 = 3600;

/// The fields of a service-account key the gateway uses. `Debug` hides the private key.
pub struct ServiceAccountKey {
    /// `client_email`: the JWT issuer.
    pub client_email: String,
    /// `token_uri`: where the assertion is exchanged (the JWT audience).
    pub token_uri: String,
    private_key_id: Option<String>,
    signing_key: EncodingKey,
}

impl std::fmt::Debug for ServiceAccountKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceAccountKey")
            .field("client_email", &self.client_email)
            .field("token_uri", &self.token_uri)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct KeyFile {
    #[serde(rename = "type")]
    kind: String,
    client_email: String,
    token_uri: String,
    private_key: SecretString,
    #[serde(default)]
    private_key_id: Option<String>,
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    scope: &'a str,
    aud: &'a str,
    iat: u64,
    exp: u64,
}

impl ServiceAccountKey {
    /// Parses the JSON text of a key; `what` names its source in errors (never the content).
    pub fn parse(json: &SecretString, what: &str) -> Result<Self, String> {
        let key: KeyFile = serde_json::from_str(json.expose_secret()).map_err(|e| {
            format!("{what}: not a service-account JSON key (need type, client_email, token_uri, private_key): {}", e.classify_message())
        })?;
        if key.kind != "service_account" {
            return Err(format!(
                "{what}: type is {:?}, not \"service_account\"",
                key.kind
            ));
        }
        let signing_key = EncodingKey::from_rsa_pem(key.private_key.expose_secret().as_bytes())
            .map_err(|_| format!("{what}: private_key is not an RSA private key in PEM"))?;
        Ok(Self {
            client_email: key.client_email,
            token_uri: key.token_uri,
            private_key_id: key.private_key_id,
            signing_key,
        })
    }

    /// The RS256-signed JWT for `scope`, audience `aud`, issued at `now`.
    pub fn assertion(&self, scope: &str, aud: &str, now: SystemTime) -> Result<String, String> {
        let iat = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_err(|_| "clock before 1970".to_string())?
            .as_secs();
        let mut header = Header::new(Algorithm::RS256);
        header.kid = self.private_key_id.clone();
        let claims = Claims {
            iss: &self.client_email,
            scope,
            aud,
            iat,
            exp: iat + ASSERTION_SECONDS,
        };
        jsonwebtoken::encode(&header, &claims, &self.signing_key)
            .map_err(|e| format!("signing the service-account assertion failed: {e}"))
    }
}

/// A serde error's category without the input excerpt it may quote.
trait Classify {
    fn classify_message(&self) -> String;
}

impl Classify for serde_json::Error {
    fn classify_message(&self) -> String {
        format!(
            "{:?} error at line {} column {}",
            self.classify(),
            self.line(),
            self.column()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aigw_test_keys::{SERVICE_ACCOUNT_KEY_ID, rsa_test_key, service_account_json};
    use jsonwebtoken::{DecodingKey, Validation};

    #[derive(Deserialize, Debug)]
    struct Seen {
        iss: String,
        scope: String,
        aud: String,
        iat: u64,
        exp: u64,
    }

    #[test]
    fn assertion_verifies_with_the_public_half() {
        let key = ServiceAccountKey::parse(&SecretString::from(service_account_json()), "test key")
            .unwrap();
        let now = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000);
        let jwt = key
            .assertion(
                "https://www.googleapis.com/auth/cloud-platform",
                "http://t/token",
                now,
            )
            .unwrap();
        let public = DecodingKey::from_rsa_pem(rsa_test_key().public_pem.as_bytes()).unwrap();
        let mut v = Validation::new(Algorithm::RS256);
        v.set_audience(&["http://t/token"]);
        v.validate_exp = false;
        let seen = jsonwebtoken::decode::<Seen>(&jwt, &public, &v).unwrap();
        assert_eq!(seen.claims.iss, key.client_email);
        assert_eq!(
            seen.claims.scope,
            "https://www.googleapis.com/auth/cloud-platform"
        );
        assert_eq!(seen.claims.aud, "http://t/token");
        assert_eq!(seen.claims.exp - seen.claims.iat, 3600);
        assert_eq!(seen.header.kid.as_deref(), Some(SERVICE_ACCOUNT_KEY_ID));
        assert!(!format!("{key:?}").contains("PRIVATE"));
    }

    #[test]
    fn bad_keys_are_named_not_quoted() {
        let err = ServiceAccountKey::parse(
            &SecretString::from("{\"private_key\":\"fake-pk\"}"),
            "credentials_file /k.json",
        )
        .unwrap_err();
        assert!(
            err.starts_with("credentials_file /k.json: not a service-account JSON key"),
            "{err}"
        );
        assert!(!err.contains("fake-pk"));
        let bad = r#"{"type":"service_account","client_email":"a@b","token_uri":"http://t","private_key":"fake-pk"}"#;
        let err = ServiceAccountKey::parse(&SecretString::from(bad), "k").unwrap_err();
        assert_eq!(err, "k: private_key is not an RSA private key in PEM");
    }
}
