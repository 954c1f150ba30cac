//! Bearer-token (JWT) verification against a JSON Web Key Set.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde_json::{Map, Value};
use std::fmt;

/// Signature algorithms accepted (asymmetric only: a JWKS is public).
const ALGORITHMS: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// Clock skew tolerated on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECS: u64 = 30;

/// One usable public key of a set: its `kid`, its declared algorithm, the key.
type Key = (Option<String>, Option<Algorithm>, DecodingKey);

/// The issuer's public signing keys (a parsed JSON Web Key Set).
pub struct KeySet {
    keys: Vec<Key>,
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySet")
            .field("keys", &self.keys.len())
            .finish()
    }
}

impl KeySet {
    /// Parses JWKS JSON text given in config: every key must be usable; errors start with
    /// the field at fault (`jwks`, `jwks.keys[i]`).
    pub fn parse(jwks: &str) -> Result<Self, String> {
        let set: JwkSet =
            serde_json::from_str(jwks).map_err(|e| format!("jwks: not a JWKS: {e}"))?;
        if set.keys.is_empty() {
            return Err("jwks: the key set has no keys".into());
        }
        let keys = set
            .keys
            .iter()
            .enumerate()
            .map(|(i, jwk)| key(jwk).map_err(|e| format!("jwks.keys[{i}]: {e}")))
            .collect::<Result<_, _>>()?;
        Ok(Self { keys })
    }

    /// Parses a JWKS an issuer published: keys this gateway cannot verify with (encryption
    /// keys, symmetric or unknown algorithms) are skipped; at least one must be usable.
    pub fn parse_published(body: &[u8]) -> Result<Self, String> {
        #[derive(serde::Deserialize)]
        struct Published {
            keys: Vec<Value>,
        }
        let set: Published =
            serde_json::from_slice(body).map_err(|e| format!("not a JWKS: {e}"))?;
        let keys: Vec<Key> = set
            .keys
            .into_iter()
            .filter(|k| {
                k.get("use")
                    .and_then(Value::as_str)
                    .is_none_or(|u| u == "sig")
            })
            .filter_map(|k| serde_json::from_value::<Jwk>(k).ok())
            .filter_map(|jwk| key(&jwk).ok())
            .collect();
        if keys.is_empty() {
            return Err("a JWKS without a usable signing key".into());
        }
        Ok(Self { keys })
    }

    /// Number of usable keys.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }
}

/// Checks bearer tokens: signature by a key of a [`KeySet`], issuer, audience, expiry.
#[derive(Debug)]
pub struct TokenVerifier {
    issuer: String,
    audiences: Vec<String>,
}

/// Why a token was refused; the text is safe to send to the client and to log (it never
/// contains the token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    /// No `Authorization: Bearer` header.
    Missing,
    /// Not a JWT, or an algorithm or header this gateway does not accept.
    Malformed(String),
    /// No key of the set has the token's `kid` (or several keys and no `kid`).
    UnknownKey,
    /// The signature does not verify.
    BadSignature,
    /// `exp` is in the past.
    Expired,
    /// `nbf` is in the future.
    NotYetValid,
    /// `iss` is not the configured issuer.
    WrongIssuer,
    /// `aud` names none of the configured audiences.
    WrongAudience,
    /// A required claim (`exp`, `iss`, `aud`) is missing or has the wrong type.
    BadClaims(String),
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing => write!(f, "a bearer token is required"),
            Self::Malformed(why) => write!(f, "the token is malformed: {why}"),
            Self::UnknownKey => write!(f, "the token is signed with an unknown key"),
            Self::BadSignature => write!(f, "the token signature is invalid"),
            Self::Expired => write!(f, "the token has expired"),
            Self::NotYetValid => write!(f, "the token is not valid yet"),
            Self::WrongIssuer => write!(f, "the token has the wrong issuer"),
            Self::WrongAudience => write!(f, "the token was issued for another audience"),
            Self::BadClaims(why) => write!(f, "the token claims are invalid: {why}"),
        }
    }
}

impl TokenVerifier {
    /// Builds the verifier; errors start with the field at fault (`issuer`, `audiences`).
    pub fn new(issuer: &str, audiences: &[String]) -> Result<Self, String> {
        if issuer.is_empty() {
            return Err("issuer: must not be empty".into());
        }
        if audiences.is_empty() || audiences.iter().any(String::is_empty) {
            return Err("audiences: at least one non-empty audience is required".into());
        }
        Ok(Self {
            issuer: issuer.to_string(),
            audiences: audiences.to_vec(),
        })
    }

    /// The claims of `token` once its signature by a key of `keys`, issuer, audience and
    /// times check out.
    pub fn verify(&self, keys: &KeySet, token: &str) -> Result<Map<String, Value>, TokenError> {
        let header = decode_header(token).map_err(|e| TokenError::Malformed(e.to_string()))?;
        if !ALGORITHMS.contains(&header.alg) {
            return Err(TokenError::Malformed(format!(
                "algorithm {:?} is not accepted",
                header.alg
            )));
        }
        let candidates: Vec<&Key> = match &header.kid {
            Some(kid) => keys
                .keys
                .iter()
                .filter(|(k, _, _)| k.as_deref() == Some(kid.as_str()))
                .collect(),
            None if keys.keys.len() == 1 => keys.keys.iter().collect(),
            None => Vec::new(),
        };
        let Some((_, alg, key)) = candidates.first() else {
            return Err(TokenError::UnknownKey);
        };
        if alg.is_some_and(|a| a != header.alg) {
            return Err(TokenError::Malformed(
                "the algorithm differs from the key's".into(),
            ));
        }
        let mut validation = Validation::new(header.alg);
        validation.leeway = LEEWAY_SECS;
        validation.validate_nbf = true;
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&self.audiences);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        decode::<Map<String, Value>>(token, key, &validation)
            .map(|data| data.claims)
            .map_err(|e| match e.into_kind() {
                ErrorKind::InvalidSignature => TokenError::BadSignature,
                ErrorKind::ExpiredSignature => TokenError::Expired,
                ErrorKind::ImmatureSignature => TokenError::NotYetValid,
                ErrorKind::InvalidIssuer => TokenError::WrongIssuer,
                ErrorKind::InvalidAudience => TokenError::WrongAudience,
                ErrorKind::MissingRequiredClaim(c) => TokenError::BadClaims(format!("missing {c}")),
                ErrorKind::InvalidClaimFormat(c) => {
                    TokenError::BadClaims(format!("{c} has the wrong type"))
                }
                other => TokenError::Malformed(format!("{other:?}")),
            })
    }
}

/// The decoding key of `jwk` with its `kid` and declared algorithm.
fn key(jwk: &Jwk) -> Result<Key, String> {
    let alg = match &jwk.common.key_algorithm {
        None => None,
        Some(a) => {
            let alg: Algorithm = a
                .to_string()
                .parse()
                .map_err(|_| format!("alg {a} is not a signature algorithm"))?;
            if !ALGORITHMS.contains(&alg) {
                return Err(format!("alg {a} is not accepted (asymmetric keys only)"));
            }
            Some(alg)
        }
    };
    let decoding = DecodingKey::from_jwk(jwk).map_err(|e| format!("unusable key: {e}"))?;
    Ok((jwk.common.key_id.clone(), alg, decoding))
}

/// The scopes a token grants: the space-separated `scope` claim (RFC 8693), or an `scp`
/// claim as a list or a space-separated string.
pub fn scopes(claims: &Map<String, Value>) -> Vec<String> {
    let split = |s: &str| s.split_whitespace().map(str::to_string).collect();
    match (claims.get("scope"), claims.get("scp")) {
        (Some(Value::String(s)), _) => split(s),
        (_, Some(Value::String(s))) => split(s),
        (_, Some(Value::Array(items))) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

/// The token of an `Authorization: Bearer <token>` header value.
pub fn bearer(header: Option<&str>) -> Result<&str, TokenError> {
    let value = header.ok_or(TokenError::Missing)?.trim();
    let (scheme, token) = value.split_once(' ').ok_or(TokenError::Missing)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(TokenError::Missing);
    }
    Ok(token)
}
