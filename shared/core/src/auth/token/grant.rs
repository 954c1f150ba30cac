//! Token requests per credential kind (form-encoded POSTs, RFC 6749 section 4.4 and
//! RFC 7523).

use super::gcp_key::ServiceAccountKey;
use super::url::TokenUrl;
use super::workload_identity::WorkloadIdentity;
use crate::auth::SecretString;
use secrecy::ExposeSecret;
use std::path::PathBuf;
use std::time::SystemTime;

/// The scope of Azure OpenAI / Azure AI services tokens.
pub const ENTRA_COGNITIVE_SCOPE: &str = "https://cognitiveservices.azure.com/.default";

const CLIENT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// A secret value: fixed (read from the environment at load), or a file read at every
/// token fetch (so a rotated file, e.g. a projected service-account token, is picked up).
#[derive(Debug)]
pub enum EntraSecret {
    /// `client_secret`.
    ClientSecret(SecretString),
    /// `client_assertion` (a federated token) held fixed.
    Assertion(SecretString),
    /// `client_assertion` read from this file at each fetch.
    AssertionFile(PathBuf),
}

/// How a token is obtained.
#[derive(Debug)]
pub enum Grant {
    /// OAuth2 client credentials with `client_secret_post`.
    ClientCredentials {
        /// `client_id`.
        client_id: String,
        /// `client_secret`.
        client_secret: SecretString,
        /// Scopes, sent space-separated when any.
        scopes: Vec<String>,
    },
    /// Azure Entra ID client credentials.
    Entra {
        /// Application (client) id.
        client_id: String,
        /// Secret or federated assertion.
        secret: EntraSecret,
        /// Scope (usually [`ENTRA_COGNITIVE_SCOPE`]).
        scope: String,
    },
    /// Google service account: an RS256 JWT exchanged at the key's `token_uri`.
    ServiceAccount {
        /// The parsed key.
        key: ServiceAccountKey,
        /// OAuth scopes of the token.
        scopes: Vec<String>,
    },
    /// Google workload identity federation (the token exchange; the optional
    /// impersonation call follows it, see [`WorkloadIdentity::impersonation_request`]).
    WorkloadIdentity(WorkloadIdentity),
}

/// A token request ready for a callout. `Debug` shows no body (it holds secrets).
pub struct TokenRequest {
    /// `:authority`.
    pub authority: String,
    /// `:path`.
    pub path: String,
    /// Form-encoded body.
    pub body: Vec<u8>,
}

impl std::fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenRequest")
            .field("authority", &self.authority)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Grant {
    /// Builds the request to `url` at time `now`. Errors (an unreadable assertion file, a
    /// key that cannot sign) name the file or field, never a secret.
    pub fn request(&self, url: &TokenUrl, now: SystemTime) -> Result<TokenRequest, String> {
        let mut form = form_urlencoded::Serializer::new(String::new());
        match self {
            Self::ClientCredentials {
                client_id,
                client_secret,
                scopes,
            } => {
                form.append_pair("grant_type", "client_credentials")
                    .append_pair("client_id", client_id)
                    .append_pair("client_secret", client_secret.expose_secret());
                if !scopes.is_empty() {
                    form.append_pair("scope", &scopes.join(" "));
                }
            }
            Self::Entra {
                client_id,
                secret,
                scope,
            } => {
                form.append_pair("grant_type", "client_credentials")
                    .append_pair("client_id", client_id)
                    .append_pair("scope", scope);
                let assertion = match secret {
                    EntraSecret::ClientSecret(s) => {
                        form.append_pair("client_secret", s.expose_secret());
                        None
                    }
                    EntraSecret::Assertion(a) => Some(a.expose_secret().to_string()),
                    EntraSecret::AssertionFile(path) => Some(read_assertion(path)?),
                };
                if let Some(assertion) = assertion {
                    form.append_pair("client_assertion_type", CLIENT_ASSERTION_TYPE)
                        .append_pair("client_assertion", &assertion);
                }
            }
            Self::ServiceAccount { key, scopes } => {
                let jwt = key.assertion(&scopes.join(" "), &url.url, now)?;
                form.append_pair("grant_type", JWT_BEARER_GRANT)
                    .append_pair("assertion", &jwt);
            }
            Self::WorkloadIdentity(w) => w.exchange_form(&mut form)?,
        }
        Ok(TokenRequest {
            authority: url.authority.clone(),
            path: url.path.clone(),
            body: form.finish().into_bytes(),
        })
    }
}

fn read_assertion(path: &PathBuf) -> Result<String, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("client_assertion_file {}: cannot read: {e}", path.display()))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(format!("client_assertion_file {} is empty", path.display()));
    }
    Ok(token.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn url() -> TokenUrl {
        TokenUrl::parse("https://idp.example/oauth2/token").unwrap()
    }

    fn form(req: &TokenRequest) -> Vec<(String, String)> {
        form_urlencoded::parse(&req.body).into_owned().collect()
    }

    #[test]
    fn client_credentials_form() {
        let grant = Grant::ClientCredentials {
            client_id: "app 1".into(),
            client_secret: SecretString::from("fake-secret&=x"),
            scopes: vec!["a".into(), "b".into()],
        };
        let req = grant.request(&url(), SystemTime::UNIX_EPOCH).unwrap();
        assert_eq!(
            (req.authority.as_str(), req.path.as_str()),
            ("idp.example", "/oauth2/token")
        );
        assert_eq!(
            form(&req),
            [
                ("grant_type", "client_credentials"),
                ("client_id", "app 1"),
                ("client_secret", "fake-secret&=x"),
                ("scope", "a b")
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
        );
        assert!(!format!("{req:?}").contains("fake-secret"));
        assert!(!format!("{grant:?}").contains("fake-secret"));
    }

    #[test]
    fn entra_assertion_file_is_read_at_each_request() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(b"fake-federated-1\n").unwrap();
        let grant = Grant::Entra {
            client_id: "cid".into(),
            secret: EntraSecret::AssertionFile(file.path().to_path_buf()),
            scope: ENTRA_COGNITIVE_SCOPE.into(),
        };
        let req = grant.request(&url(), SystemTime::UNIX_EPOCH).unwrap();
        let f = form(&req);
        assert!(f.contains(&("client_assertion".into(), "fake-federated-1".into())));
        assert!(f.contains(&("client_assertion_type".into(), CLIENT_ASSERTION_TYPE.into())));
        assert!(f.contains(&("scope".into(), ENTRA_COGNITIVE_SCOPE.into())));
        std::fs::write(file.path(), "fake-federated-2").unwrap();
        let req = grant.request(&url(), SystemTime::UNIX_EPOCH).unwrap();
        assert!(form(&req).contains(&("client_assertion".into(), "fake-federated-2".into())));
        std::fs::write(file.path(), " \n").unwrap();
        let err = grant.request(&url(), SystemTime::UNIX_EPOCH).unwrap_err();
        assert!(err.ends_with("is empty"), "{err}");
    }
}
