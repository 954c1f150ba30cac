"""Every secret and token the integration tests use, as literal strings (or literal prefixes
of generated tokens). A test greps all Envoy logs and admin output for each of them."""

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
