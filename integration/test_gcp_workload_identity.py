"""Google workload identity federation (upstream-auth kind gcp_workload_identity): the filter
exchanges an external OIDC token (a file on the native module, an environment variable on
wasm) at testupstream's fake Google STS, then, when a service account is impersonated, trades
the federated token for the account's token at the fake `generateAccessToken`; the provider
accepts only that final token, and only while it is valid."""

import asyncio
import time
from pathlib import Path

import httpx
import pytest
from openai import OpenAI

from support import own_gateway, token_upstream
from support.secrets import GCP_WIF_SUBJECT_TOKEN, GCP_WIF_UNUSED_KEY
from support.token_upstream import fetches

WORKERS = 2  # Envoy --concurrency of the gateway under test
POOL = "//iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/aigw"
SA = "{}@aigw-fake-project.iam.gserviceaccount.com"
BACKENDS = ("wif-direct", "wif-sa", "wif-burst", "wif-short", "wif-denied")
GENERATE = ":generateAccessToken"


def client(backend: str, account: str | None) -> dict:
    c = {"kind": "gcp_workload_identity", "backend": backend,
         "audience": f"{POOL}/providers/{backend}", "subject_token": GCP_WIF_SUBJECT_TOKEN}
    if account:
        c["service_account"] = SA.format(account)
    return c


def start_google(workdir: Path, name: str, lifetime_s: int, delay_ms: int, clients: list):
    # the provider answers as all backends; their static keys go unused
    keys = {b: f"{GCP_WIF_UNUSED_KEY}-{b}" for b in BACKENDS}
    return token_upstream.start(workdir, f"{name}-wif", clients, keys, lifetime_s, delay_ms)


@pytest.fixture(scope="module")
def google(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("google-wif")
    long_proc, long_port = start_google(workdir, "long", 600, 300, [
        client("wif-direct", None), client("wif-sa", "llm-invoker"),
        client("wif-burst", "llm-burst"), client("wif-denied", "llm-denied")])
    short_proc, short_port = start_google(workdir, "short", 3, 0,
                                          [client("wif-short", "llm-short")])
    yield {"long": long_port, "short": short_port}
    long_proc.stop()
    short_proc.stop()


@pytest.fixture(scope="module")
def gateway(google, module_kind, tmp_path_factory):
    workdir = tmp_path_factory.mktemp(f"wif-{module_kind}")
    subject, env = token_upstream.file_or_env(workdir, module_kind, GCP_WIF_SUBJECT_TOKEN,
                                                "subject_token", "AIGW_IT_OIDC_TOKEN")

    def backend(name, port, account=None):
        base = f"http://127.0.0.1:{port}"
        auth = {"kind": "gcp_workload_identity", "token_url": f"{base}/v1/token",
                "audience": f"{POOL}/providers/{name}", **subject}
        if account:
            auth["service_account_impersonation_url"] = (
                f"{base}/v1/projects/-/serviceAccounts/{SA.format(account)}{GENERATE}")
        return {"name": name, "schema": "OpenAI", "endpoint": f"{base}/v1", "auth": auth}

    long, short = google["long"], google["short"]
    backends = [backend("wif-direct", long), backend("wif-sa", long, "llm-invoker"),
                backend("wif-burst", long, "llm-burst"), backend("wif-short", short, "llm-short"),
                # impersonates an account its federated identity may not use
                backend("wif-denied", long, "llm-invoker")]
    routes = [{"name": b["name"], "models": [f"model-{b['name']}"], "backend": b["name"]}
              for b in backends]
    g = own_gateway.start(workdir, module_kind, backends, routes, env, concurrency=WORKERS)
    yield g
    g.envoy.stop()
    assert not g.panic_lines()


def chat(gateway, backend: str, text: str = "hello wif"):
    c = OpenAI(base_url=f"{gateway.url}/v1", api_key="sk-test-client-zzzz", max_retries=0)
    return c.chat.completions.with_raw_response.create(
        model=f"model-{backend}", messages=[{"role": "user", "content": text}])


@pytest.mark.parametrize("backend", ["wif-direct", "wif-sa"])
def test_each_variant_end_to_end(gateway, google, backend):
    before = fetches(google["long"])
    raw = chat(gateway, backend)
    assert raw.http_response.status_code == 200
    assert raw.headers["x-testupstream-backend"] == backend
    assert raw.parse().choices[0].message.content.startswith(f"Hello from {backend}!")
    for _ in range(6):
        assert chat(gateway, backend).http_response.status_code == 200
    after = fetches(google["long"])
    exchanges = after[backend] - before.get(backend, 0)
    assert 1 <= exchanges <= WORKERS
    generated = after.get(backend + GENERATE, 0) - before.get(backend + GENERATE, 0)
    assert generated == (exchanges if backend == "wif-sa" else 0)


def test_federated_token_alone_is_refused_by_the_provider(google):
    # With impersonation configured, the STS token is only good for generateAccessToken.
    base = f"http://127.0.0.1:{google['long']}"
    r = httpx.post(f"{base}/v1/token", data={
        "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
        "audience": f"{POOL}/providers/wif-sa", "scope": "https://www.googleapis.com/auth/cloud-platform",
        "requested_token_type": "urn:ietf:params:oauth:token-type:access_token",
        "subject_token": GCP_WIF_SUBJECT_TOKEN,
        "subject_token_type": "urn:ietf:params:oauth:token-type:jwt"})
    assert r.status_code == 200, r.text
    federated = r.json()["access_token"]
    r = httpx.post(f"{base}/v1/chat/completions", headers={"authorization": f"Bearer {federated}"},
                   json={"model": "m", "messages": [{"role": "user", "content": "x"}]})
    assert r.status_code == 401


def test_cold_cache_burst_exchanges_once_per_worker(gateway, google):
    assert fetches(google["long"]).get("wif-burst", 0) == 0

    async def burst():
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=gateway.url, limits=limits, timeout=30) as c:
            body = {"model": "model-wif-burst", "messages": [{"role": "user", "content": "x"}]}
            return await asyncio.gather(*[c.post("/v1/chat/completions", json=body)
                                          for _ in range(200)])

    responses = asyncio.run(burst())
    statuses = [r.status_code for r in responses]
    assert statuses == [200] * 200, [r.text for r in responses if r.status_code != 200][:3]
    counts = fetches(google["long"])
    print(f"200 concurrent requests on {WORKERS} workers: {counts['wif-burst']} exchanges, "
          f"{counts['wif-burst' + GENERATE]} generateAccessToken calls")
    assert counts["wif-burst"] == WORKERS
    assert counts["wif-burst" + GENERATE] == WORKERS


def test_tokens_expire_and_are_refreshed_without_a_failed_request(gateway, google):
    deadline = time.monotonic() + 8
    statuses = []
    while time.monotonic() < deadline:
        statuses.append(chat(gateway, "wif-short").http_response.status_code)
        time.sleep(0.1)
    assert set(statuses) == {200}, statuses
    count = fetches(google["short"])["wif-short" + GENERATE]
    print(f"{len(statuses)} requests over 8 s with 3 s tokens: {count} impersonations")
    assert count >= 3


def test_refused_impersonation_is_a_clear_503_without_secrets(gateway):
    r = httpx.post(f"{gateway.url}/v1/chat/completions", timeout=15,
                   json={"model": "model-wif-denied",
                         "messages": [{"role": "user", "content": "x"}]})
    assert r.status_code == 503
    error = r.json()["error"]
    assert error["code"] == "upstream_credentials_unavailable"
    assert "generateAccessToken answered 403 (PERMISSION_DENIED)" in error["message"]
    time.sleep(0.3)
    log = gateway.envoy.log.read_text(errors="replace")
    assert "upstream-auth backend wif-denied: token fetch failed" in log
    assert GCP_WIF_SUBJECT_TOKEN not in log
    assert "fake-issued-token-" not in log
