"""AWS STS AssumeRoleWithWebIdentity (upstream-auth kind aws_web_identity): the filter calls
testupstream's fake STS through an Envoy cluster with the web-identity token (a token file on
the native module, an environment variable on wasm, which reads no files), caches the
temporary credentials per worker, refreshes them before they expire, and signs Bedrock
requests with them and their session token. testupstream's Bedrock fake recomputes every
signature with the issued secret key and refuses expired credentials."""

import asyncio
import time
from pathlib import Path

import httpx
import pytest
from openai import OpenAI

from support import own_gateway, token_upstream
from support.secrets import AWS_WEB_IDENTITY_TOKEN, AWS_WEB_IDENTITY_UNUSED_SECRET
from support.token_upstream import fetches

WORKERS = 2  # Envoy --concurrency of the gateway under test
ROLE = "arn:aws:iam::123456789012:role/aigw-{}"  # one role per backend
MODEL_ID = "anthropic.claude-3-5-sonnet-20240620-v1:0"
BACKENDS = ("sts-bedrock", "sts-burst", "sts-short", "sts-denied")


def start_sts(workdir: Path, name: str, lifetime_s: int, delay_ms: int, backends: list):
    """testupstream as STS and Bedrock: each of `backends` may assume its role with the test
    token."""
    clients = [{"kind": "aws_sts", "backend": b, "role_arn": ROLE.format(b),
                "web_identity_token": AWS_WEB_IDENTITY_TOKEN} for b in backends]
    # the Bedrock fake answers as all backends; their static keys go unused
    keys = {b: f"AKIDFAKEUNUSED{i:04d}:{AWS_WEB_IDENTITY_UNUSED_SECRET}"
            for i, b in enumerate(BACKENDS)}
    return token_upstream.start(workdir, f"{name}-sts", clients, keys, lifetime_s, delay_ms)


@pytest.fixture(scope="module")
def sts(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("sts")
    long_proc, long_port = start_sts(workdir, "long", 600, 300, ["sts-bedrock", "sts-burst"])
    short_proc, short_port = start_sts(workdir, "short", 3, 0, ["sts-short"])
    yield {"long": long_port, "short": short_port}
    long_proc.stop()
    short_proc.stop()


@pytest.fixture(scope="module")
def gateway(sts, module_kind, tmp_path_factory):
    workdir = tmp_path_factory.mktemp(f"web-identity-{module_kind}")
    token, env = token_upstream.file_or_env(workdir, module_kind, AWS_WEB_IDENTITY_TOKEN,
                                              "web_identity_token",
                                              "AIGW_IT_WEB_IDENTITY_TOKEN")

    def backend(name, port, role=None):
        return {"name": name, "schema": "AWSBedrock", "endpoint": f"http://127.0.0.1:{port}",
                "auth": {"kind": "aws_web_identity", "region": "us-east-1",
                         "role_arn": role or ROLE.format(name),
                         "role_session_name": "aigw-it", "sts_endpoint": f"http://127.0.0.1:{port}/",
                         **token}}

    backends = [backend("sts-bedrock", sts["long"]), backend("sts-burst", sts["long"]),
                backend("sts-short", sts["short"]),
                backend("sts-denied", sts["long"], ROLE.format("not-configured"))]
    routes = [{"name": b["name"], "models": [f"model-{b['name']}"], "backend": b["name"],
               "model_override": MODEL_ID} for b in backends]
    g = own_gateway.start(workdir, module_kind, backends, routes, env, concurrency=WORKERS)
    yield g
    g.envoy.stop()
    assert not g.panic_lines()


def chat(gateway, backend: str, text: str = "hello sts", **kwargs):
    client = OpenAI(base_url=f"{gateway.url}/v1", api_key="sk-test-client-zzzz", max_retries=0)
    return client.chat.completions.with_raw_response.create(
        model=f"model-{backend}", messages=[{"role": "user", "content": text}], **kwargs)


def test_signed_with_temporary_credentials_end_to_end(gateway, sts):
    before = fetches(sts["long"]).get("sts-bedrock", 0)
    raw = chat(gateway, "sts-bedrock", "hello bedrock through sts")
    assert raw.http_response.status_code == 200
    assert raw.headers["x-testupstream-backend"] == "sts-bedrock"
    assert raw.parse().choices[0].message.content == (
        "Hello from sts-bedrock! You said: hello bedrock through sts")
    stream = chat(gateway, "sts-bedrock", "stream through sts", stream=True).parse()
    assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices) == (
        "Hello from sts-bedrock! You said: stream through sts")
    assert 1 <= fetches(sts["long"])["sts-bedrock"] - before <= WORKERS
    for _ in range(6):  # a warm cache: no more STS calls than workers in all
        assert chat(gateway, "sts-bedrock").http_response.status_code == 200
    assert fetches(sts["long"])["sts-bedrock"] - before <= WORKERS


def test_cold_cache_burst_calls_sts_once_per_worker(gateway, sts):
    assert fetches(sts["long"]).get("sts-burst", 0) == 0

    async def burst():
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=gateway.url, limits=limits, timeout=30) as c:
            body = {"model": "model-sts-burst", "messages": [{"role": "user", "content": "x"}]}
            return await asyncio.gather(*[c.post("/v1/chat/completions", json=body)
                                          for _ in range(200)])

    responses = asyncio.run(burst())
    statuses = [r.status_code for r in responses]
    assert statuses == [200] * 200, [r.text for r in responses if r.status_code != 200][:3]
    assert {r.headers["x-testupstream-backend"] for r in responses} == {"sts-burst"}
    count = fetches(sts["long"])["sts-burst"]
    print(f"STS calls for 200 concurrent requests on {WORKERS} workers: {count}")
    assert count == WORKERS


def test_credentials_expire_and_are_refreshed_without_a_failed_request(gateway, sts):
    # Credentials live 3 s (whole seconds, so 2-3 s); the Bedrock fake refuses expired ones.
    deadline = time.monotonic() + 8
    statuses = []
    while time.monotonic() < deadline:
        statuses.append(chat(gateway, "sts-short").http_response.status_code)
        time.sleep(0.1)
    assert set(statuses) == {200}, statuses
    count = fetches(sts["short"])["sts-short"]
    print(f"{len(statuses)} requests over 8 s with 3 s credentials: {count} STS calls")
    assert count >= 3


def test_refused_sts_call_is_a_clear_503_and_a_log_line_without_the_token(gateway):
    r = httpx.post(f"{gateway.url}/v1/chat/completions", timeout=15,
                   json={"model": "model-sts-denied",
                         "messages": [{"role": "user", "content": "x"}]})
    assert r.status_code == 503
    error = r.json()["error"]
    assert error["code"] == "upstream_credentials_unavailable"
    assert "backend sts-denied" in error["message"]
    assert "STS answered 403 (AccessDenied)" in error["message"]
    time.sleep(0.3)
    log = gateway.envoy.log.read_text(errors="replace")
    assert "upstream-auth backend sts-denied: STS AssumeRoleWithWebIdentity failed" in log
    assert AWS_WEB_IDENTITY_TOKEN not in log
    assert "fake-issued-token-" not in log
