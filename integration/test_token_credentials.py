"""Token credentials (upstream-auth kinds oauth2, azure_entra, gcp_service_account): the
filter fetches tokens from testupstream's fake OAuth2, Entra ID and Google token endpoints
through an Envoy cluster, caches them per worker, refreshes them before expiry, and fetches
once per worker for a burst of requests at a cold cache."""

import asyncio
import json
import time
from pathlib import Path

import httpx
import pytest
from openai import OpenAI

from support import own_gateway, test_keys, token_upstream
from support.secrets import SECRETS
from support.token_upstream import fetches

WORKERS = 2  # Envoy --concurrency of the gateway under test
TENANT = "aigw-fake-tenant"
API_VERSION = "2024-10-21"
OAUTH_SECRET, BURST_SECRET, SHORT_SECRET, WRONG_SECRET = SECRETS[0:4]
ENTRA_SECRET, FEDERATED_TOKEN = SECRETS[4:6]
STATIC_KEYS = {"oauth": SECRETS[6], "entra": SECRETS[7], "entra-fed": SECRETS[7] + "-fed",
               "gcp": SECRETS[8], "oauth-burst": SECRETS[6] + "-burst",
               "oauth-short": SECRETS[6] + "-short", "oauth-bad": SECRETS[6] + "-bad"}
BYOK_CONFIGURED_KEY = SECRETS[11]


def start_issuer(workdir: Path, name: str, lifetime_s: int, delay_ms: int, clients: list):
    return token_upstream.start(workdir, name, clients, STATIC_KEYS, lifetime_s, delay_ms)


@pytest.fixture(scope="module")
def issuers(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("token-issuers")
    clients = [
        {"kind": "oauth2", "backend": "oauth", "client_id": "aigw-oauth-client",
         "client_secret": OAUTH_SECRET, "scope": "llm.invoke"},
        {"kind": "oauth2", "backend": "oauth-burst", "client_id": "aigw-burst-client",
         "client_secret": BURST_SECRET, "scope": "llm.invoke"},
        {"kind": "oauth2", "backend": "oauth-bad", "client_id": "aigw-bad-client",
         "client_secret": BURST_SECRET, "scope": "llm.invoke"},
        {"kind": "azure_entra", "backend": "entra", "tenant_id": TENANT,
         "client_id": "00000000-0000-0000-0000-00000000e001", "client_secret": ENTRA_SECRET},
        {"kind": "azure_entra", "backend": "entra-fed", "tenant_id": TENANT,
         "client_id": "00000000-0000-0000-0000-00000000e002",
         "client_assertion": FEDERATED_TOKEN},
        {"kind": "google", "backend": "gcp", "client_email": test_keys.SERVICE_ACCOUNT_EMAIL,
         "public_key_file": str(test_keys.write_public_key(workdir))},
    ]
    long_proc, long_port = start_issuer(workdir, "long", 600, 300, clients)
    short = [{"kind": "oauth2", "backend": "oauth-short", "client_id": "aigw-short-client",
              "client_secret": SHORT_SECRET, "scope": "llm.invoke"}]
    short_proc, short_port = start_issuer(workdir, "short", 3, 0, short)
    yield {"long": long_port, "short": short_port, "workdir": workdir}
    long_proc.stop()
    short_proc.stop()


@pytest.fixture(scope="module")
def gateway(issuers, module_kind, tmp_path_factory):
    workdir = tmp_path_factory.mktemp(f"tokens-{module_kind}")
    long, short = issuers["long"], issuers["short"]
    base = f"http://127.0.0.1:{long}"
    key = test_keys.service_account(f"{base}/google/token")
    env = {"AIGW_IT_OAUTH_SECRET": OAUTH_SECRET, "AIGW_IT_BURST_SECRET": BURST_SECRET,
           "AIGW_IT_SHORT_SECRET": SHORT_SECRET, "AIGW_IT_WRONG_SECRET": WRONG_SECRET,
           "AIGW_IT_ENTRA_SECRET": ENTRA_SECRET}
    fed_auth, fed_env = token_upstream.file_or_env(workdir, module_kind, FEDERATED_TOKEN,
                                                   "client_assertion", "AIGW_IT_FEDERATED")
    sa_auth, sa_env = token_upstream.file_or_env(workdir, module_kind, json.dumps(key),
                                                 "credentials", "AIGW_IT_SA_KEY")
    env.update(fed_env | sa_env)

    def oauth(name, port, secret_env, client_id):
        return {"name": name, "schema": "OpenAI", "endpoint": f"http://127.0.0.1:{port}/v1",
                "auth": {"kind": "oauth2", "token_url": f"http://127.0.0.1:{port}/oauth2/token",
                         "client_id": client_id, "client_secret_env": secret_env,
                         "scopes": ["llm.invoke"]}}

    def entra(name, client_id, extra):
        return {"name": name, "schema": "AzureOpenAI", "endpoint": base,
                "azure_api_version": API_VERSION,
                "auth": {"kind": "azure_entra", "tenant_id": TENANT, "authority_host": base,
                         "client_id": client_id, **extra}}

    byok = {"name": "byok", "schema": "OpenAI", "endpoint": f"{base}/v1",
             "auth": {"kind": "bearer", "key_env": "AIGW_IT_BYOK_KEY",
                      "override_header": "x-upstream-key", "override_when_missing": "reject"}}
    env["AIGW_IT_BYOK_KEY"] = BYOK_CONFIGURED_KEY
    backends = [
        oauth("oauth", long, "AIGW_IT_OAUTH_SECRET", "aigw-oauth-client"),
        byok,
        oauth("oauth-burst", long, "AIGW_IT_BURST_SECRET", "aigw-burst-client"),
        oauth("oauth-bad", long, "AIGW_IT_WRONG_SECRET", "aigw-bad-client"),
        oauth("oauth-short", short, "AIGW_IT_SHORT_SECRET", "aigw-short-client"),
        entra("entra", "00000000-0000-0000-0000-00000000e001",
              {"client_secret_env": "AIGW_IT_ENTRA_SECRET"}),
        entra("entra-fed", "00000000-0000-0000-0000-00000000e002", fed_auth),
        {"name": "gcp", "schema": "OpenAI", "endpoint": f"{base}/v1",
         "auth": {"kind": "gcp_service_account", "token_url": f"{base}/google/token", **sa_auth}},
    ]
    backends[0]["auth"]["override_header"] = "x-upstream-key"
    routes = [{"name": b["name"], "models": [f"model-{b['name']}"], "backend": b["name"]}
              for b in backends]
    g = own_gateway.start(workdir, module_kind, backends, routes, env, concurrency=WORKERS)
    yield g
    g.envoy.stop()


def chat(gateway, backend: str, text: str = "hello tokens"):
    client = OpenAI(base_url=f"{gateway.url}/v1", api_key="sk-test-client-zzzz", max_retries=0)
    return client.chat.completions.with_raw_response.create(
        model=f"model-{backend}", messages=[{"role": "user", "content": text}])


@pytest.mark.parametrize("backend", ["oauth", "entra", "entra-fed", "gcp"])
def test_each_kind_end_to_end(gateway, issuers, backend):
    before = fetches(issuers["long"]).get(backend, 0)
    raw = chat(gateway, backend)
    assert raw.http_response.status_code == 200
    assert raw.headers["x-testupstream-backend"] == backend
    assert raw.parse().choices[0].message.content.startswith(f"Hello from {backend}!")
    assert 1 <= fetches(issuers["long"])[backend] - before <= WORKERS
    # A warm cache: more requests, no more fetches than workers in all.
    for _ in range(6):
        assert chat(gateway, backend).http_response.status_code == 200
    assert fetches(issuers["long"])[backend] - before <= WORKERS


def test_cold_cache_burst_fetches_once_per_worker(gateway, issuers):
    assert fetches(issuers["long"]).get("oauth-burst", 0) == 0

    async def burst():
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=gateway.url, limits=limits, timeout=30) as c:
            body = {"model": "model-oauth-burst", "messages": [{"role": "user", "content": "x"}]}
            return await asyncio.gather(*[c.post("/v1/chat/completions", json=body)
                                          for _ in range(200)])

    responses = asyncio.run(burst())
    statuses = [r.status_code for r in responses]
    assert statuses == [200] * 200, [r.text for r in responses if r.status_code != 200][:3]
    count = fetches(issuers["long"])["oauth-burst"]
    print(f"token fetches for 200 concurrent requests on {WORKERS} workers: {count}")
    assert count == WORKERS


def test_token_expires_and_is_refreshed_without_a_failed_request(gateway, issuers):
    # Tokens live 3 s; requests for 8 s each need a valid token at the provider.
    deadline = time.monotonic() + 8
    statuses = []
    while time.monotonic() < deadline:
        statuses.append(chat(gateway, "oauth-short").http_response.status_code)
        time.sleep(0.1)
    assert set(statuses) == {200}, statuses
    count = fetches(issuers["short"])["oauth-short"]
    print(f"{len(statuses)} requests over 8 s with 3 s tokens: {count} token fetches")
    assert count >= 3


def test_failed_fetch_is_a_clear_503_and_a_log_line_without_the_secret(gateway):
    r = httpx.post(f"{gateway.url}/v1/chat/completions", timeout=15,
                   json={"model": "model-oauth-bad", "messages": [{"role": "user", "content": "x"}]})
    assert r.status_code == 503
    error = r.json()["error"]
    assert error["code"] == "upstream_credentials_unavailable"
    assert "backend oauth-bad" in error["message"]
    assert "token endpoint answered 401 (invalid_client)" in error["message"]
    time.sleep(0.3)
    log = gateway.envoy.log.read_text(errors="replace")
    assert "upstream-auth backend oauth-bad: token fetch failed" in log
    for secret in SECRETS:
        assert secret not in log
    assert not gateway.panic_lines()


def test_per_request_override(gateway, issuers):
    # backend oauth: the override header's credential instead of the token, when sent.
    before = fetches(issuers["long"]).get("oauth", 0)
    r = httpx.post(f"{gateway.url}/v1/chat/completions", timeout=15,
                   headers={"x-upstream-key": STATIC_KEYS["gcp"]},
                   json={"model": "model-oauth", "messages": [{"role": "user", "content": "x"}]})
    assert r.status_code == 200, r.text
    assert r.headers["x-testupstream-backend"] == "gcp"  # the key testupstream knows as gcp's
    assert fetches(issuers["long"]).get("oauth", 0) == before
    # backend byok: the header is required (its configured key would be refused upstream).
    r = httpx.post(f"{gateway.url}/v1/chat/completions", timeout=15,
                   json={"model": "model-byok", "messages": [{"role": "user", "content": "x"}]})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "missing_upstream_credential"
    assert "x-upstream-key" in r.json()["error"]["message"]
    r = httpx.post(f"{gateway.url}/v1/chat/completions", timeout=15,
                   headers={"x-upstream-key": STATIC_KEYS["oauth"]},
                   json={"model": "model-byok", "messages": [{"role": "user", "content": "x"}]})
    assert r.status_code == 200, r.text
    assert r.headers["x-testupstream-backend"] == "oauth"


def test_no_secret_in_generated_config_or_admin_output(gateway):
    # Runs after the others in this file: tokens were fetched, refreshed and overridden.
    bootstrap = (Path(gateway.envoy.log).parent / "envoy.yaml").read_text()
    admin = "".join(httpx.get(f"{gateway.admin_url}{path}", timeout=10).text
                    for path in ("/config_dump?include_eds", "/stats", "/stats/prometheus",
                                 "/clusters"))
    assert "aigw-token-oauth" in admin  # the token clusters are there
    for secret in SECRETS:
        assert secret not in bootstrap, secret
        assert secret not in admin, secret
