"""Fallback across backends of different schemas, and weights: a route lists backend A
(OpenAI schema, a testupstream that fails with 503, stalls before the first byte or resets
the connection) at priority 0 and the Anthropic backend at priority 1; the client gets
Anthropic's answer translated to the OpenAI schema, with each route's model overrides applied
per attempt; a retry to an OpenAI backend gets the client's own path, body and length.
Envoy's retry stats and the GenAI metrics show the attempts. Two same-priority
backends weighted 80/20 share 200 requests within the stated tolerance.
Bedrock as the fallback: one backend A answers 503, then stalls, then resets, in turn (one
fault per request that reaches it); every request still gets the AWS Bedrock backend's
answer (SigV4 recomputed by testupstream over what B's attempt sent) as an OpenAI chat
completion, buffered and streamed (ConverseStream), and the stats count each attempt."""

import time

import httpx
import openai
import pytest

from support import failing_upstream, fake_aws, own_gateway
from support.bodies import chat, reply
from support.gateway import ANTHROPIC_MODEL, KEY_ENV
from support.metrics import REQUEST_DURATION, histogram, scrape
from support.upstream import CLIENT_KEY, KEYS

FAULTS = {"503": "status:503", "stall": "stall", "reset": "reset"}
# The model A would get (longer than the client's, so A's translate rewrites the body).
A_OVERRIDE = "a-deployment-with-a-much-longer-model-name"
PER_TRY_IDLE_TIMEOUT_S = 1
# How much earlier than its duration an Envoy timer may fire, as seen from the client: the
# event loop schedules timers from its cached "now", which can be a little stale (CI once
# measured a 1 s per-try idle timeout failing over after 0.9996 s).
TIMER_SLACK_S = 0.05
WEIGHTED_MODEL = "fb-weighted"
OPENAI_FALLBACK_MODEL = "fb-openai"
WEIGHTED_REQUESTS = 200
# 80% of 200 is 160; a binomial(200, 0.8) stays within +-24 (4.2 standard deviations)
# except about once in 30,000 runs.
WEIGHTED_TOLERANCE = 24
# The Bedrock fallback: A serves these faults in turn, so each test sends exactly one request
# per fault, in this order.
CYCLE = ("503", "stall", "reset")
BEDROCK_FALLBACK_MODEL = "fb-bedrock"
BEDROCK_MODEL_ID = "anthropic.claude-3-5-sonnet-20240620-v1:0"
BEDROCK_KEY_ID, BEDROCK_SECRET = KEYS["bedrock"].split(":")
BEDROCK_ENV = {"AIGW_IT_BEDROCK_ID": BEDROCK_KEY_ID, "AIGW_IT_BEDROCK_SECRET": BEDROCK_SECRET,
               "AIGW_IT_BEDROCK_TOKEN": fake_aws.SESSION_TOKEN}


def anthropic_reply(text: str) -> str:
    return f"Hello from anthropic! You said: {' '.join(text.split()[:5])}"


def bedrock_reply(text: str) -> str:
    return f"Hello from bedrock! You said: {' '.join(text.split()[:5])}"


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
    cycling, port = failing_upstream.start(workdir, *(FAULTS[f] for f in CYCLE))
    procs.append(cycling)
    backends += [
        {"name": "acycle", "schema": "OpenAI", "endpoint": f"http://127.0.0.1:{port}/v1",
         "auth": {"kind": "bearer", "key_env": "AIGW_IT_OPENAI_KEY"}},
        {"name": "bedrock", "schema": "AWSBedrock", "endpoint": base,
         "auth": {"kind": "aws_sigv4", "region": "us-east-1",
                  "access_key_id_env": "AIGW_IT_BEDROCK_ID",
                  "secret_access_key_env": "AIGW_IT_BEDROCK_SECRET",
                  "session_token_env": "AIGW_IT_BEDROCK_TOKEN"}}]
    routes.append({"name": BEDROCK_FALLBACK_MODEL, "models": [BEDROCK_FALLBACK_MODEL],
                   "retry": {"retry_on": ["5xx"],
                             "per_try_idle_timeout": f"{PER_TRY_IDLE_TIMEOUT_S}s"},
                   "backends": [
                       {"name": "acycle", "priority": 0, "model_override": A_OVERRIDE},
                       {"name": "bedrock", "priority": 1, "model_override": BEDROCK_MODEL_ID}]})
    g = own_gateway.start(workdir / "gateway", module_kind, backends, routes,
                          {**KEY_ENV, **BEDROCK_ENV})
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
        assert PER_TRY_IDLE_TIMEOUT_S - TIMER_SLACK_S <= elapsed < PER_TRY_IDLE_TIMEOUT_S + 3, elapsed
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


def bedrock_attempt_stats(admin_url: str) -> dict:
    """The counters that show the Bedrock fallback's attempts."""
    aggregate = f"cluster.aigw-route-{BEDROCK_FALLBACK_MODEL}-acycle"
    names = {
        "retry": f"{aggregate}.upstream_rq_retry",
        "retry_success": f"{aggregate}.upstream_rq_retry_success",
        "retry_503": f"{aggregate}.retry.upstream_rq_503",
        "per_try_idle_timeout": f"{aggregate}.upstream_rq_per_try_idle_timeout",
        "a_attempts": "cluster.aigw-backend-acycle.upstream_rq_total",
        "a_resets": "cluster.aigw-backend-acycle.upstream_cx_destroy_remote_with_active_rq",
        "bedrock_attempts": "cluster.aigw-backend-bedrock.upstream_rq_total",
    }
    return {key: stat(admin_url, name) for key, name in names.items()}


# What each fault of A adds to the counters, besides one retry, one retry success and one
# attempt on each backend.
FAULT_STATS = {"503": "retry_503", "stall": "per_try_idle_timeout", "reset": "a_resets"}


@pytest.mark.parametrize("stream", [False, True], ids=["buffered", "streamed"])
def test_failing_a_falls_back_to_bedrock(stream, fallback_gateway, oai):
    g = fallback_gateway
    labels = {"gen_ai_request_model": BEDROCK_FALLBACK_MODEL, "aigw_backend": "bedrock"}
    for failure in CYCLE:
        before = bedrock_attempt_stats(g.admin_url)
        served_before, _ = histogram(scrape(g.admin_url), g.kind, REQUEST_DURATION, labels)
        text = f"bedrock answers although backend a fails with {failure} here"
        prompt, completion = len(text.split()), len(bedrock_reply(text).split())

        started = time.monotonic()
        raw = oai.chat.completions.with_raw_response.create(
            model=BEDROCK_FALLBACK_MODEL, messages=[{"role": "user", "content": text}],
            max_tokens=50, stream=stream,
            stream_options={"include_usage": True} if stream else None)
        assert raw.headers["x-testupstream-backend"] == "bedrock", failure
        if stream:
            assert raw.headers["content-type"].startswith("text/event-stream")
            chunks = list(raw.parse())
            elapsed = time.monotonic() - started
            assert chunks[0].choices[0].delta.role == "assistant"
            content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
            assert chunks[-2].choices[0].finish_reason == "stop"
            usage = chunks[-1].usage
            assert {c.object for c in chunks} == {"chat.completion.chunk"}
            assert {c.model for c in chunks} == {BEDROCK_MODEL_ID}, "B's override, not A's"
        else:
            elapsed = time.monotonic() - started
            assert int(raw.headers["content-length"]) == len(raw.content)
            answer = raw.parse()
            assert answer.object == "chat.completion"
            assert answer.model == BEDROCK_MODEL_ID, "B's override, not A's"
            assert answer.choices[0].finish_reason == "stop"
            content, usage = answer.choices[0].message.content, answer.usage
        assert content == bedrock_reply(text), failure
        assert (usage.prompt_tokens, usage.completion_tokens) == (prompt, completion)
        if failure == "stall":
            assert PER_TRY_IDLE_TIMEOUT_S - TIMER_SLACK_S <= elapsed < PER_TRY_IDLE_TIMEOUT_S + 3, elapsed
        else:
            assert elapsed < 3, (failure, elapsed)

        after = bedrock_attempt_stats(g.admin_url)
        grew = {k: after[k] - before[k] for k in after if after[k] != before[k]}
        print(f"{g.kind} {'streamed' if stream else 'buffered'} A={failure}: {grew}")
        expected = {"retry": 1, "retry_success": 1, "a_attempts": 1, "bedrock_attempts": 1,
                    FAULT_STATS[failure]: 1}
        assert grew == expected, failure
        deadline = time.monotonic() + 5
        while True:
            served, _ = histogram(scrape(g.admin_url), g.kind, REQUEST_DURATION, labels)
            if served == served_before + 1 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert served == served_before + 1, "the GenAI metrics name Bedrock as the server"
