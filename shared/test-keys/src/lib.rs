//! Key pairs for tests, generated once per test binary so that no private key is ever
//! committed: an RSA key (kid `test-rsa-1`, RS256) and a P-256 key (kid `test-ec-1`, ES256)
//! that sign test JWTs, another RSA key the verifiers do not know, the JWKS of the first two,
//! and a Google service-account JSON key made from the first RSA key.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use rand::rngs::OsRng;
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};
use std::sync::OnceLock;

/// The kid of [`rsa_test_key`] in [`jwks`].
pub const RSA_KID: &str = "test-rsa-1";
/// The kid of [`ec_test_key`] in [`jwks`].
pub const EC_KID: &str = "test-ec-1";
/// The `private_key_id` of [`service_account_json`].
pub const SERVICE_ACCOUNT_KEY_ID: &str = "aigw-test-key-1";
/// The `client_email` of [`service_account_json`].
pub const SERVICE_ACCOUNT_EMAIL: &str = "aigw-test@aigw-fake-project.iam.gserviceaccount.com";

/// A generated key pair: the private half as PKCS#8 PEM, the public half as SPKI PEM and as
/// a JWK (without `kid`/`alg`/`use`).
pub struct TestKey {
    /// PKCS#8 PEM of the private key.
    pub private_pem: String,
    /// SPKI PEM of the public key.
    pub public_pem: String,
    /// The public key's JWK members (`kty` and `n`/`e` or `crv`/`x`/`y`).
    pub public_jwk: Value,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn new_rsa() -> TestKey {
    let key = rsa::RsaPrivateKey::new(&mut OsRng, 2048).expect("RSA key generation");
    let public = key.to_public_key();
    TestKey {
        private_pem: key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string(),
        public_pem: public.to_public_key_pem(LineEnding::LF).unwrap(),
        public_jwk: json!({"kty": "RSA", "n": b64(&public.n().to_bytes_be()),
            "e": b64(&public.e().to_bytes_be())}),
    }
}

/// The RSA 2048 key that signs valid RS256 test tokens (kid [`RSA_KID`]); also the key of
/// [`service_account_json`].
pub fn rsa_test_key() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(new_rsa)
}

/// An RSA 2048 key no verifier knows (bad-signature tests).
pub fn rsa_other_key() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(new_rsa)
}

/// The P-256 key that signs valid ES256 test tokens (kid [`EC_KID`]).
pub fn ec_test_key() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let key = p256::SecretKey::random(&mut OsRng);
        let public = key.public_key();
        let point = public.to_encoded_point(false);
        TestKey {
            private_pem: key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string(),
            public_pem: public.to_public_key_pem(LineEnding::LF).unwrap(),
            public_jwk: json!({"kty": "EC", "crv": "P-256",
                "x": b64(point.x().unwrap()), "y": b64(point.y().unwrap())}),
        }
    })
}

/// The JWKS holding the public halves of [`rsa_test_key`] and [`ec_test_key`].
pub fn jwks() -> Value {
    let entry = |key: &TestKey, kid: &str, alg: &str| {
        let mut jwk = key.public_jwk.clone();
        jwk["kid"] = kid.into();
        jwk["alg"] = alg.into();
        jwk["use"] = "sig".into();
        jwk
    };
    json!({"keys": [entry(rsa_test_key(), RSA_KID, "RS256"),
        entry(ec_test_key(), EC_KID, "ES256")]})
}

/// A Google service-account JSON key (project `aigw-fake-project`, key id
/// [`SERVICE_ACCOUNT_KEY_ID`]) whose private key is [`rsa_test_key`].
pub fn service_account_json() -> String {
    json!({
        "type": "service_account",
        "project_id": "aigw-fake-project",
        "private_key_id": SERVICE_ACCOUNT_KEY_ID,
        "private_key": rsa_test_key().private_pem,
        "client_email": SERVICE_ACCOUNT_EMAIL,
        "client_id": "100000000000000000001",
        "token_uri": "https://oauth2.googleapis.com/token",
    })
    .to_string()
}
