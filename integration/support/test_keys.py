"""Key pairs the suite signs with, generated when the suite starts so that no private key is
ever committed: an RSA key (kid `test-rsa-1`, RS256) and a P-256 key (kid `test-ec-1`, ES256)
that sign test JWTs, another RSA key no gateway knows (bad-signature tests), the JWKS of the
first two, and a Google service-account JSON key made from the first RSA key. The gateway
only ever receives public halves, except the service-account key, which secrets.py
registers for the secret-hygiene test."""

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

RSA_KID = "test-rsa-1"
EC_KID = "test-ec-1"
SERVICE_ACCOUNT_EMAIL = "aigw-test@aigw-fake-project.iam.gserviceaccount.com"
SERVICE_ACCOUNT_KEY_ID = "aigw-test-key-1"


def _private_pem(key) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


_rsa_test = rsa.generate_private_key(public_exponent=65537, key_size=2048)
_ec_test = ec.generate_private_key(ec.SECP256R1())

RSA_TEST_KEY = _private_pem(_rsa_test)
"""PKCS#8 PEM of the RSA key that signs valid RS256 tokens (kid RSA_KID)."""
RSA_OTHER_KEY = _private_pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))
"""PKCS#8 PEM of an RSA key no gateway knows."""
EC_TEST_KEY = _private_pem(_ec_test)
"""PKCS#8 PEM of the P-256 key that signs valid ES256 tokens (kid EC_KID)."""
RSA_TEST_PUBLIC_KEY = _rsa_test.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
"""SPKI PEM of RSA_TEST_KEY's public half (the service account's public key)."""

JWKS = {"keys": [
    {**RSAAlgorithm.to_jwk(_rsa_test.public_key(), as_dict=True),
     "kid": RSA_KID, "use": "sig", "alg": "RS256"},
    {**ECAlgorithm.to_jwk(_ec_test.public_key(), as_dict=True),
     "kid": EC_KID, "use": "sig", "alg": "ES256"},
]}
"""The JWKS of RSA_TEST_KEY and EC_TEST_KEY, as gateways are configured with it."""


def service_account(token_uri: str) -> dict:
    """A Google service-account JSON key (private key RSA_TEST_KEY) whose token endpoint is
    `token_uri`."""
    return {"type": "service_account", "project_id": "aigw-fake-project",
            "private_key_id": SERVICE_ACCOUNT_KEY_ID, "private_key": RSA_TEST_KEY,
            "client_email": SERVICE_ACCOUNT_EMAIL, "client_id": "100000000000000000001",
            "token_uri": token_uri}


def write_public_key(directory: Path) -> Path:
    """Writes RSA_TEST_PUBLIC_KEY (what testupstream's fake Google token endpoint verifies
    assertions with) into `directory`; its path."""
    path = directory / "service-account-public.pem"
    path.write_text(RSA_TEST_PUBLIC_KEY)
    return path


def private_key_fragment() -> str:
    """A line of the service-account private key's base64 body, unique to this run's key:
    what the secret-hygiene test looks for."""
    return RSA_TEST_KEY.splitlines()[2]
