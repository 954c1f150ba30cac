"""Fallback across backends of different schemas, and weights: a route lists backend A
(OpenAI schema, a testupstream that fails with 503, stalls before the first byte or resets
the connection) at priority 0 and the Anthropic backend at priority 1; the client gets
Anthropic's answer translated to the OpenAI schema, with each route's model overrides applied
per attempt; a retry to an OpenAI backend gets the client's own path, body and length.
Envoy's retry stats and the GenAI metrics show the attempts. Two same-priority
backends weighted 80/20 share 200 requests within the stated tolerance."""

import time

import httpx
import openai
import pytest

from support import failing_upstream, own_gateway
from support.bodies import chat, reply
from support.gateway import ANTHROPIC_MODEL, KEY_ENV
from support.metrics import REQUEST_DURATION, histogram, scrape
from support.upstream import CLIENT_KEY

FAULTS = {"503": "status:503", "stall": "stall", "reset": "reset"}
# The model A would get (longer than the client's, so A's translate rewrites the body).
A_OVERRIDE = "a-deployment-with-a-much-longer-model-name"
PER_TRY_IDLE_TIMEOUT_S = 1
WEIGHTED_MODEL = "fb-weighted"
OPENAI_FALLBACK_MODEL = "fb-openai"
WEIGHTED_REQUESTS = 200
# 80% of 200 is 160; a binomial(200, 0.8) stays within +-24 (4.2 standard deviations)
# except about once in 30,000 runs.
WEIGHTED_TOLERANCE = 24


def anthropic_reply(text: str) -> str:
    return f"Hello from anthropic! You said: {' '.join(text.split()[:5])}"


def stat(admin_url: str, name: str) -> int:
    """One Envoy counter from /stats (0 when absent)."""
    text = httpx.get(f"{admin_url}/stats", params={"filter": f"^{name}$"}, timeout=5.0).text
    for line in text.splitlines():
        key, _, value = line.partition(": ")
        if key == name:
            return int(value)
    return 0


@pytest.fixture(scope="module")
def fallback_gateway(module_kind, upstream, tmp_path_factory):
    workdir = tmp_path_factory.mktemp(f"fallback-{module_kind}")
    procs = []
    backends = []
    routes = []
    ports = {}
    for name, fault in FAULTS.items():
        proc, port = failing_upstream.start(workdir, fault)
        procs.append(proc)
        ports[name] = port
        backends.append({"name": f"a{name}", "schema": "OpenAI",
                         "endpoint": f"http://127.0.0.1:{port}/v1",
                         "auth": {"kind": "bearer", "key_env": "AIGW_IT_OPENAI_KEY"}})
        route = {"name": f"fb-{name}", "models": [f"fb-{name}"], "backends": [
            {"name": f"a{name}", "priority": 0, "model_override": A_OVERRIDE},
            {"name": "anthropic", "priority": 1, "model_override": ANTHROPIC_MODEL}]}
        if name == "stall":
            # A per-try timeout is retried under `5xx` (documented in the README).
            route["retry"] = {"retry_on": ["5xx"],
                              "per_try_idle_timeout": f"{PER_TRY_IDLE_TIMEOUT_S}s"}
        routes.append(route)
    base = f"http://127.0.0.1:{upstream.port}"
    backends += [
        {"name": "anthropic", "schema": "Anthropic", "endpoint": base,
         "auth": {"kind": "anthropic_api_key", "key_env": "AIGW_IT_ANTHROPIC_KEY"}},
        {"name": "openai", "schema": "OpenAI", "endpoint": f"{base}/v1",
         "auth": {"kind": "bearer", "key_env": "AIGW_IT_OPENAI_KEY"}},
        {"name": "modelb", "schema": "OpenAI", "endpoint": f"{base}/v1",
         "auth": {"kind": "bearer", "key_env": "AIGW_IT_MODELB_KEY"}},
    ]
    # A under another path prefix, rewriting the body, then an OpenAI backend that does
    # neither: its attempt must not inherit A's path or content-length.
    backends.append({"name": "a503-prefixed", "schema": "OpenAI",
                     "endpoint": f"http://127.0.0.1:{ports['503']}/provider-a/v1",
                     "auth": {"kind": "bearer", "key_env": "AIGW_IT_OPENAI_KEY"}})
    routes.append({"name": "fb-openai", "models": [OPENAI_FALLBACK_MODEL], "backends": [
        {"name": "a503-prefixed", "model_override": A_OVERRIDE},
        {"name": "modelb", "priority": 1}]})
    routes.append({"name": "weighted", "models": [WEIGHTED_MODEL], "backends": [
        {"name": "openai", "weight": 80}, {"name": "modelb", "weight": 20}]})
    g = own_gateway.start(workdir / "gateway", module_kind, backends, routes, KEY_ENV)
    yield g
    g.envoy.stop()
    for p in procs:
        p.stop()
    panics = g.panic_lines()
    assert not panics, panics


@pytest.fixture
def oai(fallback_gateway):
    with openai.OpenAI(base_url=f"{fallback_gateway.url}/v1", api_key=CLIENT_KEY,
                       max_retries=0, timeout=20.0) as c:
        yield c


@pytest.mark.parametrize("failure", list(FAULTS))
def test_failing_a_falls_back_to_anthropic(failure, fallback_gateway, oai):
    g = fallback_gateway
    model = f"fb-{failure}"
    aggregate = f"cluster.aigw-route-{model}-a{failure}"
    # Each attempt is a request on its backend's own cluster (connection pool stats).
    attempts = {b: f"cluster.aigw-backend-{b}.upstream_rq_total"
                for b in (f"a{failure}", "anthropic")}
    attempts_before = {b: stat(g.admin_url, name) for b, name in attempts.items()}
    retries_before = stat(g.admin_url, f"{aggregate}.upstream_rq_retry")
    success_before = stat(g.admin_url, f"{aggregate}.upstream_rq_retry_success")
    labels = {"gen_ai_request_model": model, "aigw_backend": "anthropic"}
    served_before, _ = histogram(scrape(g.admin_url), g.kind, REQUEST_DURATION, labels)
    text = f"please answer although backend a fails with {failure}"

    started = time.monotonic()
    raw = oai.chat.completions.with_raw_response.create(
        model=model, messages=[{"role": "user", "content": text}], max_tokens=50)
    elapsed = time.monotonic() - started

    assert raw.headers["x-testupstream-backend"] == "anthropic"
    assert int(raw.headers["content-length"]) == len(raw.content)
    completion = raw.parse()
    assert completion.object == "chat.completion"
    assert completion.model == ANTHROPIC_MODEL, "B's own model override, not A's"
    assert completion.choices[0].message.content == anthropic_reply(text)
    if failure == "stall":
        assert PER_TRY_IDLE_TIMEOUT_S <= elapsed < PER_TRY_IDLE_TIMEOUT_S + 3, elapsed
    else:
        assert elapsed < 3, elapsed

    assert stat(g.admin_url, f"{aggregate}.upstream_rq_retry") == retries_before + 1
    assert stat(g.admin_url, f"{aggregate}.upstream_rq_retry_success") == success_before + 1
    for b, name in attempts.items():
        assert stat(g.admin_url, name) == attempts_before[b] + 1, name
    if failure == "503":
        assert stat(g.admin_url, f"{aggregate}.retry.upstream_rq_503") >= 1
    if failure == "stall":
        assert stat(g.admin_url, f"{aggregate}.upstream_rq_per_try_idle_timeout") >= 1
    deadline = time.monotonic() + 5
    while True:
        served, _ = histogram(scrape(g.admin_url), g.kind, REQUEST_DURATION, labels)
        if served == served_before + 1 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert served == served_before + 1, "the GenAI metrics name the backend that served"


def test_retry_to_an_openai_backend_gets_the_client_request(fallback_gateway):
    # Attempt one rewrote :path (prefix /provider-a/v1) and the body (longer model, so a
    # new content-length); the retry must carry the client's path and length again, or
    # testupstream answers 404 or waits for bytes that never come.
    text = "the retry starts from the client request"
    with fallback_gateway.client() as c:
        r = c.post("/v1/chat/completions", json=chat(OPENAI_FALLBACK_MODEL, text))
    assert r.status_code == 200, r.text
    assert r.headers["x-testupstream-backend"] == "modelb"
    body = r.json()
    assert body["model"] == OPENAI_FALLBACK_MODEL, "A's model override stays with A"
    assert body["choices"][0]["message"]["content"] == reply("modelb", text)


def test_streamed_fallback_is_translated(fallback_gateway, oai):
    text = "stream it from the fallback"
    chunks = list(oai.chat.completions.create(
        model="fb-503", messages=[{"role": "user", "content": text}], stream=True))
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert content == anthropic_reply(text)
    assert {c.model for c in chunks} == {ANTHROPIC_MODEL}


def test_weights_split_first_attempts(fallback_gateway):
    counts = {"openai": 0, "modelb": 0}
    with fallback_gateway.client() as c:
        for i in range(WEIGHTED_REQUESTS):
            text = f"weighted request {i}"
            r = c.post("/v1/chat/completions", json=chat(WEIGHTED_MODEL, text))
            assert r.status_code == 200, r.text
            backend = r.headers["x-testupstream-backend"]
            assert r.json()["choices"][0]["message"]["content"] == reply(backend, text)
            counts[backend] += 1
    expected = WEIGHTED_REQUESTS * 80 // 100
    assert abs(counts["openai"] - expected) <= WEIGHTED_TOLERANCE, counts
    assert counts["openai"] + counts["modelb"] == WEIGHTED_REQUESTS
