"""Token rate limits: Envoy's ratelimit filter reserves each request's estimate with
`aigw ratelimit` before it goes upstream and books the real usage at stream end.

Two Envoys share one 10,000-token-per-minute budget through one `aigw ratelimit` backed by a
Redis the test starts; local mode is `aigw run` serving the service in memory itself. Usage comes
from testupstream's deterministic answers, read back from each response; each request's
reservation (the prompt's tiktoken estimate plus `max_tokens`) from the access log."""

import asyncio
import shutil
import time
import uuid
from types import SimpleNamespace

import httpx
import openai
import pytest
import yaml

from support import own_gateway, paths
from support.accesslog import AccessLog
from support.procs import Proc, free_port
from support.ratelimit import start_ratelimit
from support.upstream import KEYS

BUDGET = 10_000
USERS = 20
REQUESTS = 200
MAX_TOKENS = 20
PROMPT = " ".join(["token"] * 80)
MODEL = "gpt-4o-mini"
# The burst and the follow-up must fit in one fixed minute window.
NEEDED_SECONDS = 20


def body(user: int) -> bytes:
    return httpx.Request("POST", "http://x", json={
        "model": MODEL, "max_tokens": MAX_TOKENS,
        "messages": [{"role": "user", "content": f"{PROMPT} from user{user}"}],
    }).content


def reserved_estimates(gateways: list, count: int) -> list:
    """The `reserved_tokens` of the first `count` access-log lines of the gateways' requests
    (waits up to 5 s for them): what translate reserved, prompt estimate plus max_tokens."""
    deadline = time.monotonic() + 5
    while True:
        entries = [e for g in gateways for e in g.access_log.entries()
                   if e.get("path") == "/v1/chat/completions"]
        if len(entries) >= count or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    values = [int(e["reserved_tokens"]) for e in entries]
    assert len(values) >= count, f"{len(values)} access-log lines with a reservation, want {count}"
    return values


def start_redis(workdir) -> str:
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server not found: scripts/setup.sh installs it (apt-get install redis-server)",
                    pytrace=False)
    port = free_port()
    proc = Proc("redis", [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                          "--appendonly", "no"], workdir / "redis.log")
    proc.wait_for_output(r"Ready to accept connections")
    return proc, f"redis://127.0.0.1:{port}/0"


def gateway_sections(upstream, service: str | None) -> dict:
    """Backend, route and a team budget; without `service`, aigw run serves one itself."""
    limits = {"limits": [{"name": "team-minute", "window": "minute", "budget_tokens": BUDGET,
                          "key": {"team_header": "x-team-id"}}]}
    if service:
        limits["service"] = service
    return {
        "backends": [{"name": "openai", "schema": "OpenAI",
                      "endpoint": f"http://127.0.0.1:{upstream.port}/v1",
                      "auth": {"kind": "bearer", "key_env": "AIGW_IT_OPENAI_KEY"}}],
        "routes": [{"name": "a", "models": [MODEL], "backend": "openai"}],
        "rate_limits": limits,
    }


def start_gateway(workdir, kind: str, upstream, service: str):
    sections = gateway_sections(upstream, service)
    return own_gateway.start(workdir, kind, sections["backends"], sections["routes"],
                             {"AIGW_IT_OPENAI_KEY": KEYS["openai"]},
                             {"rate_limits": sections["rate_limits"]})


def wait_for_window_room():
    """Waits, when needed, so the test runs within one minute window."""
    left = 60 - time.time() % 60
    if left < NEEDED_SECONDS:
        time.sleep(left + 0.2)


async def burst(urls: list, team: str) -> list:
    """REQUESTS concurrent chat requests from USERS users, spread over the gateways."""
    async with httpx.AsyncClient(timeout=30.0, limits=httpx.Limits(max_connections=REQUESTS)) as c:
        async def one(i: int):
            user = i % USERS
            return await c.post(f"{urls[i % len(urls)]}/v1/chat/completions", content=body(user),
                                headers={"content-type": "application/json", "x-team-id": team,
                                         "x-user-id": f"user{user}"})
        return await asyncio.gather(*(one(i) for i in range(REQUESTS)))


def run_budget_scenario(gateways: list):
    team = f"team-{uuid.uuid4().hex[:8]}"
    wait_for_window_room()
    responses = asyncio.run(burst([g.url for g in gateways], team))
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 429}, statuses
    served = sum(r.json()["usage"]["total_tokens"] for r in responses if r.status_code == 200)
    admitted = statuses.count(200)
    first_ok = next(r for r in responses if r.status_code == 200)
    assert int(first_ok.headers["x-ratelimit-limit"]) == BUDGET
    assert 0 <= int(first_ok.headers["x-ratelimit-remaining"]) < BUDGET
    # The budget is not used up while refunds of over-estimates come back: keep asking (one
    # at a time, alternating gateways) until a request is refused.
    refused = None
    with httpx.Client(timeout=15.0) as c:
        for i in range(200):
            r = c.post(f"{gateways[i % len(gateways)].url}/v1/chat/completions", content=body(0),
                       headers={"content-type": "application/json", "x-team-id": team,
                                "x-user-id": "user0"})
            if r.status_code == 429:
                refused = r
                break
            assert r.status_code == 200, r.text
            served += r.json()["usage"]["total_tokens"]
            admitted += 1
    reservations = reserved_estimates(gateways, REQUESTS + admitted - statuses.count(200) + 1)
    estimate = max(reservations)
    # The reservation is an upper bound of each request's usage (tokenizer estimate of the
    # prompt plus the output cap), so the budget is never overshot at all.
    assert min(reservations) > MAX_TOKENS
    overshoot = served - BUDGET
    print(f"\n{len(gateways)} Envoy(s): {admitted} requests admitted, {served} tokens served "
          f"against a budget of {BUDGET}; overshoot {overshoot} tokens "
          f"(bound: {len(gateways)} x reserved estimate {estimate} = {len(gateways) * estimate})")
    assert admitted >= BUDGET // (2 * estimate), "far fewer requests admitted than the budget allows"
    assert overshoot <= len(gateways) * estimate
    assert overshoot <= 0, "a reservation that bounds the usage lets no token past the budget"
    assert refused is not None, "no request was refused after the budget was used"
    assert refused.headers["content-type"] == "application/json"
    retry_after = int(refused.headers["retry-after"])
    assert 1 <= retry_after <= 60
    assert int(refused.headers["x-ratelimit-limit"]) == BUDGET
    assert int(refused.headers["x-ratelimit-remaining"]) < estimate
    error = refused.json()["error"]
    assert error["code"] == "rate_limit_exceeded"
    assert error["type"] == "tokens"

    # The official client sees a RateLimitError with the header; another team is unaffected.
    # What is left can grow by one refund after the 429 above (the previous request's settle
    # is sent after its response), so ask for an estimate above that too.
    client = openai.OpenAI(base_url=f"{gateways[0].url}/v1", api_key="sk-test-client-zzzz",
                           max_retries=0, default_headers={"x-team-id": team})
    with pytest.raises(openai.RateLimitError) as e:
        client.chat.completions.create(model=MODEL, max_tokens=2 * estimate,
                                       messages=[{"role": "user", "content": "hi"}])
    assert e.value.code == "rate_limit_exceeded"
    assert e.value.response.headers["retry-after"]
    other = client.with_options(default_headers={"x-team-id": f"{team}-other"})
    done = other.chat.completions.create(model=MODEL, max_tokens=MAX_TOKENS,
                                         messages=[{"role": "user", "content": "hi"}])
    assert done.usage.total_tokens > 0


def test_two_envoys_share_one_budget_through_redis(upstream, module_kind, tmp_path):
    redis, redis_url = start_redis(tmp_path)
    service, addr = start_ratelimit(tmp_path, redis_url)
    gateways = []
    try:
        for name in ("envoy-a", "envoy-b"):
            gateways.append(start_gateway(tmp_path / name, module_kind, upstream, addr))
        run_budget_scenario(gateways)
    finally:
        for g in gateways:
            g.envoy.stop()
        service.stop()
        redis.stop()


def test_local_mode_aigw_run_counts_in_memory(upstream, module_kind, tmp_path):
    """`aigw run` with limits but no `service` serves the rate-limit service itself."""
    listen, admin = free_port(), free_port()
    config = tmp_path / "gateway.yaml"
    config.write_text(yaml.safe_dump({
        "listen": f"127.0.0.1:{listen}", "admin": f"127.0.0.1:{admin}", "module": module_kind,
        **gateway_sections(upstream, None)}))
    argv = [paths.aigw(), "run", str(config), "--state-dir", tmp_path / "state"]
    env = {"ENVOY_BIN": str(paths.envoy_bin()), "AIGW_IT_OPENAI_KEY": KEYS["openai"]}
    proc = Proc("aigw run", argv, tmp_path / "aigw-run.log", env=env)
    try:
        proc.wait_http_ok(f"http://127.0.0.1:{admin}/ready", timeout=30)
        proc.wait_for_output(r"rate limits counted in memory")
        run_budget_scenario([SimpleNamespace(url=f"http://127.0.0.1:{listen}",
                                             access_log=AccessLog(tmp_path / "state" / "access.log"))])
    finally:
        rc = proc.stop()
    assert rc == 0, f"aigw run exited {rc} on SIGINT:\n{proc.tail()}"


def test_per_api_key_budget_is_settled_and_separate(upstream, module_kind, tmp_path):
    """A limit per client API key (`aigw ratelimit` counting in memory): the key is named by
    a hash that survives upstream-auth replacing the credential, so stream-end settles reach
    the same counter (else every request would keep its whole reservation)."""
    budget = 1000
    service, addr = start_ratelimit(tmp_path, None)
    sections = gateway_sections(upstream, addr)
    sections["rate_limits"]["limits"] = [{"name": "key-minute", "window": "minute",
                                          "budget_tokens": budget, "key": {"api_key": True}}]
    gateway = None
    try:
        gateway = own_gateway.start(tmp_path / "envoy", module_kind, sections["backends"],
                                    sections["routes"], {"AIGW_IT_OPENAI_KEY": KEYS["openai"]},
                                    {"rate_limits": sections["rate_limits"]})
        wait_for_window_room()
        with httpx.Client(base_url=gateway.url, timeout=15.0) as c:
            def chat(key: str | None):
                headers = {"content-type": "application/json"}
                if key:
                    headers["authorization"] = f"Bearer {key}"
                r = c.post("/v1/chat/completions", content=body(0), headers=headers)
                time.sleep(0.05)  # lets the previous request's settle land first
                return r

            served, admitted = 0, 0
            for _ in range(30):
                r = chat("sk-test-client-a")
                if r.status_code == 429:
                    break
                assert r.status_code == 200, r.text
                served += r.json()["usage"]["total_tokens"]
                admitted += 1
            print(f"\nper-key budget {budget}: {admitted} requests admitted, {served} tokens served")
            assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
            assert served <= budget
            # Without settles only budget // estimate requests would fit.
            assert admitted > budget // max(reserved_estimates([gateway], admitted))
            assert chat("sk-test-client-b").status_code == 200
            assert chat(None).status_code == 200
    finally:
        if gateway:
            gateway.envoy.stop()
        service.stop()
