"""The opt-in per-identity token counter (`identity_metrics`): tokens counted per user and
team header value and requested model in Envoy's Prometheus output, equal to the usage the
responses reported; a hostile header value cannot add a label."""

import time

import httpx
import pytest

from support import metrics, own_gateway
from support.upstream import KEYS

COUNTER = "aigw_identity_token_usage"


@pytest.fixture(scope="module")
def gateway(upstream, module_kind, tmp_path_factory):
    workdir = tmp_path_factory.mktemp(f"identity-metrics-{module_kind}")
    backends = [{"name": "openai", "schema": "OpenAI",
                 "endpoint": f"http://127.0.0.1:{upstream.port}/v1",
                 "auth": {"kind": "bearer", "key_env": "AIGW_IT_OPENAI_KEY"}}]
    routes = [{"name": "chat", "models": ["gpt-4o-mini"], "backend": "openai"}]
    extra = {"identity_metrics": {"user_header": "x-user-id", "team_header": "x-team-id"}}
    g = own_gateway.start(workdir / "envoy", module_kind, backends, routes,
                          {"AIGW_IT_OPENAI_KEY": KEYS["openai"]}, extra)
    yield g
    g.envoy.stop()


def chat(gateway, headers: dict, words: int) -> dict:
    body = {"model": "gpt-4o-mini", "max_tokens": 16,
            "messages": [{"role": "user", "content": " ".join(["word"] * words)}]}
    r = httpx.post(f"{gateway.url}/v1/chat/completions", json=body, headers=headers, timeout=15)
    assert r.status_code == 200, r.text
    return r.json()["usage"]


def counted(gateway, kind: str) -> dict:
    """{(user, team, model, token_type): value} of the counter."""
    names = {p + COUNTER + suffix for p in metrics.PREFIXES[kind] for suffix in ("", "_total")}
    return {(labels.get("aigw_user"), labels.get("aigw_team"),
             labels.get("gen_ai_request_model"), labels.get("gen_ai_token_type")): value
            for name, labels, value in metrics.scrape(gateway.admin_url) if name in names}


def test_tokens_are_counted_per_user_and_team(gateway, module_kind):
    user = f"alice-{time.time_ns()}@example.com"
    sent = [chat(gateway, {"x-user-id": user, "x-team-id": "search"}, words)
            for words in (10, 30)]
    bob = chat(gateway, {"x-user-id": "bob;aigw_team=admin x"}, 5)
    want = {
        (user, "search", "gpt-4o-mini", "input"): sum(u["prompt_tokens"] for u in sent),
        (user, "search", "gpt-4o-mini", "output"): sum(u["completion_tokens"] for u in sent),
        ("bob_aigw_team_admin_x", "", "gpt-4o-mini", "input"): bob["prompt_tokens"],
    }
    deadline = time.monotonic() + 6  # stats are flushed every second
    while True:
        seen = counted(gateway, module_kind)
        if all(seen.get(k) == v for k, v in want.items()) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    print(f"\n{module_kind}: " + ", ".join(f"{k[0]}/{k[1] or '-'} {k[3]}={seen.get(k)}"
                                           for k in want))
    for key, value in want.items():
        assert seen.get(key) == value, (key, value, seen)
    # The hostile value stayed one label value: no series carries a team of "admin".
    assert all(team != "admin" for (_, team, _, _) in seen)
