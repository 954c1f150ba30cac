"""The two-tier example of envoy-configs/two-tier/ run for real: both tiers are started from
the checked-in gateway configs with only the addresses changed (the OpenAI backend and the
vLLM servers become testupstream; server llama-0, which takes half of the first attempts,
becomes a failing server answering 503; the rate-limit service is an in-memory
`aigw ratelimit`). The `openai` client talks to tier one only."""

import httpx
import openai
import pytest
import yaml

from support import failing_upstream, own_gateway, paths
from support.bodies import reply
from support.ratelimit import start_ratelimit
from support.upstream import CLIENT_KEY, KEYS

EXAMPLE = paths.REPO_ROOT / "envoy-configs" / "two-tier"
MODEL = "llama-3.1-8b-instruct"
SERVED_NAME = "meta-llama/Llama-3.1-8B-Instruct"  # tier two's model override
REQUESTS = 24
KEY_BUDGET = 20_000  # tier one's per-key minute budget (key-minute)
# Credentials the example names; testupstream answers as the backend whose key it gets.
ENV = {"OPENAI_API_KEY": KEYS["openai"], "TIER_TWO_API_KEY": KEYS["azure"],
       "VLLM_API_KEY": KEYS["modelb"]}


def example(name: str) -> dict:
    return yaml.safe_load((EXAMPLE / name).read_text())


def stat(admin_url: str, name: str) -> int:
    text = httpx.get(f"{admin_url}/stats", params={"filter": f"^{name}$"}, timeout=5.0).text
    return sum(int(v) for k, _, v in (line.partition(": ") for line in text.splitlines())
               if k == name)


@pytest.fixture(scope="module")
def tiers(module_kind, upstream, tmp_path_factory):
    workdir = tmp_path_factory.mktemp(f"two-tier-{module_kind}")
    failing, failing_port = failing_upstream.start(workdir, "status:503")
    ratelimit, service = start_ratelimit(workdir, None)
    base = f"http://127.0.0.1:{upstream.port}/v1"

    two = example("tier-two.yaml")
    for b in two["backends"]:
        b["endpoint"] = (f"http://127.0.0.1:{failing_port}/v1" if b["name"] == "llama-0"
                         else base)
    tier_two = own_gateway.start(workdir / "tier-two", module_kind, two["backends"],
                                 two["routes"], ENV, {"costs": two["costs"]})

    one = example("tier-one.yaml")
    endpoints = {"openai": base, "tier-two": f"{tier_two.url}/v1"}
    for b in one["backends"]:
        b["endpoint"] = endpoints[b["name"]]
    one["rate_limits"]["service"] = service
    tier_one = own_gateway.start(workdir / "tier-one", module_kind, one["backends"],
                                 one["routes"], ENV,
                                 {"costs": one["costs"], "rate_limits": one["rate_limits"]})
    yield tier_one, tier_two
    for g in (tier_one, tier_two):
        g.envoy.stop()
        assert not g.panic_lines()
    ratelimit.stop()
    failing.stop()


@pytest.fixture
def oai(tiers):
    with openai.OpenAI(base_url=f"{tiers[0].url}/v1", api_key=CLIENT_KEY, max_retries=0,
                       timeout=20.0) as c:
        yield c


def test_pool_serves_through_both_tiers(tiers, oai):
    tier_one, tier_two = tiers
    for i in range(REQUESTS):
        text = f"two tier request number {i}"
        raw = oai.chat.completions.with_raw_response.create(
            model=MODEL, messages=[{"role": "user", "content": text}], max_tokens=20)
        # Tier two's vLLM key reached the server: tier one's key and the client's did not.
        assert raw.headers["x-testupstream-backend"] == "modelb"
        assert int(raw.headers["x-ratelimit-limit"]) == KEY_BUDGET
        answer = raw.parse()
        assert answer.model == SERVED_NAME
        assert answer.choices[0].message.content == reply("modelb", text)
    # llama-0 (weight 2 of 4) failed every first attempt it got; each was retried on the pool.
    failed = stat(tier_two.admin_url, "cluster.aigw-backend-llama-0.upstream_rq_total")
    retried = sum(stat(tier_two.admin_url, f"cluster.aigw-route-llama-llama-{n}.upstream_rq_retry")
                  for n in range(3))
    served = sum(stat(tier_two.admin_url, f"cluster.aigw-backend-llama-{n}.upstream_rq_total")
                 for n in (1, 2))
    print(f"{tier_one.kind}: {REQUESTS} requests, llama-0 failed {failed}, retried {retried}")
    assert 0 < failed < REQUESTS and retried == failed and served == REQUESTS
    assert stat(tier_one.admin_url, "cluster.aigw-backend-tier-two.upstream_rq_200") == REQUESTS


def test_cloud_model_stays_in_tier_one(oai):
    text = "a cloud model from the edge"
    raw = oai.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": text}])
    assert raw.headers["x-testupstream-backend"] == "openai"
    assert raw.parse().choices[0].message.content == reply("openai", text)


def test_key_budget_is_enforced_in_tier_one(tiers, oai):
    tier_two = tiers[1]
    before = stat(tier_two.admin_url, "http.aigw.downstream_rq_total")
    with pytest.raises(openai.RateLimitError) as e:
        # The reservation (max_tokens plus a quarter of the body) exceeds the key's budget.
        oai.chat.completions.create(model=MODEL, max_tokens=KEY_BUDGET,
                                    messages=[{"role": "user", "content": "too much"}])
    assert e.value.status_code == 429
    assert e.value.code == "rate_limit_exceeded"
    assert stat(tier_two.admin_url, "http.aigw.downstream_rq_total") == before, \
        "refused in tier one, never sent to tier two"
