"""Every fake secret the suite gives the gateway, in one place, for the secret-hygiene test
(test_zz_secret_hygiene.py), which runs last and looks for each of them in every Envoy log,
access log, generated config and admin endpoint output. A test that hands the gateway a new
secret registers it here (`register`), at import time, so that the check sees it."""

from . import fake_aws, mcp_gateway, upstream

_SECRETS: dict = {}


def register(name: str, value: str):
    """Adds a secret (`name` says where it comes from, for the failure message)."""
    if len(value) < 8:
        raise ValueError(f"secret {name} is too short to search for reliably: {value!r}")
    _SECRETS[value] = name


def all_secrets() -> dict:
    """Secret value -> name, for every registered secret."""
    return dict(_SECRETS)


for _backend, _key in upstream.KEYS.items():
    register(f"upstream key of backend {_backend}", _key)
register("the client's own key (never forwarded)", upstream.CLIENT_KEY)
register("AWS secret access key", fake_aws.SECRET_ACCESS_KEY)
register("AWS session token", fake_aws.SESSION_TOKEN)
register("rotated AWS secret access key", fake_aws.ROTATED_SECRET)
register("MCP session key", mcp_gateway.SESSION_KEY)

# Token credentials (test_token_credentials.py, which takes them from this list by
# position); every token testupstream issues starts with "fake-issued-token-".
SECRETS = [
    # Token credentials (test_token_credentials.py)
    "fake-oauth-client-secret-4f1c",
    "fake-oauth-burst-secret-8d2e",
    "fake-oauth-short-secret-2b7a",
    "fake-oauth-wrong-secret-0000",
    "fake-entra-client-secret-6c3d",
    "fake-entra-federated-token-9e5f",
    "fake-static-key-oauth-unused",
    "fake-static-key-entra-unused",
    "fake-static-key-gcp-unused",
    # Every token testupstream issues starts with this prefix.
    "fake-issued-token-",
    # The test service account's private key (testdata/auth/gcp-test-service-account.json).
    "MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCpGl5RELpm",
    # The configured key of backend byok (never accepted upstream: the override is required).
    "fake-byok-configured-key-7a1b",
]

for _secret in SECRETS:
    register("token-credential test secret", _secret)

# AWS STS AssumeRoleWithWebIdentity (test_aws_web_identity.py): the web-identity token the
# fake STS accepts, and the unused static secret of the backends the Bedrock fake answers as.
# The temporary secret keys and session tokens STS issues start with "fake-issued-token-".
AWS_WEB_IDENTITY_TOKEN = "fake-web-identity-token-eyJhbGciOi-5d1c"
AWS_WEB_IDENTITY_UNUSED_SECRET = "fake-sts-static-secret-unused-3e8a"
register("AWS web-identity token", AWS_WEB_IDENTITY_TOKEN)
register("static secret of the STS test backends", AWS_WEB_IDENTITY_UNUSED_SECRET)

# Google workload identity federation (test_gcp_workload_identity.py): the external OIDC token
# the fake Google STS accepts, and the prefix of the unused static keys of its backends.
GCP_WIF_SUBJECT_TOKEN = "fake-oidc-subject-token-eyJraWQi-71b4"
GCP_WIF_UNUSED_KEY = "fake-wif-static-key-unused-9c2f"
register("GCP workload identity subject token", GCP_WIF_SUBJECT_TOKEN)
register("static keys of the workload identity test backends", GCP_WIF_UNUSED_KEY)
