"""Token accounting of the Responses API (`/v1/responses`, passed through to OpenAI and Azure)
with the official `openai` client: usage and costs in the access log, equal for a buffered and
a streamed request; the GenAI token metrics; a client that hangs up mid-stream is charged for
the deltas it received; and a token budget that reserves each request's tiktoken estimate,
settles the real usage and refuses with a 429."""

import json
import time

import httpx
import openai
import pytest

from support import own_gateway
from support.accesslog import NUMBER_KEYS, metadata
from support.bodies import reply, request_id
from support.gateway import (
    AZURE_DEPLOYMENT,
    COSTS,
    MODEL_A,
    MODEL_AZURE,
    MODEL_RESPONSES,
)
from support.metrics import TIME_TO_FIRST_TOKEN, TOKEN_USAGE, wait_histogram
from support.ratelimit import start_ratelimit
from support.upstream import CLIENT_KEY, KEYS

INSTRUCTIONS = "Be brief."
PROMPT = "Count the tokens of this response request the same way twice please"


def expected_usage(backend: str, text: str) -> dict:
    """What testupstream reports for INSTRUCTIONS and `text` answered by `backend`: one
    token per word."""
    input_tokens = len(INSTRUCTIONS.split()) + len(text.split())
    output_tokens = len(reply(backend, text).split())
    return {"input_tokens": input_tokens, "output_tokens": output_tokens,
            "total_tokens": input_tokens + output_tokens}


def client_for(url: str, **headers) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{url}/v1", api_key=CLIENT_KEY, max_retries=0,
                         default_headers=headers or None)


def send(oai: openai.OpenAI, model: str, stream: bool, text: str = PROMPT, **extra):
    """One Responses request (streamed with `responses.stream`); returns the final response
    object and the request id."""
    rid = request_id()
    kwargs = {"model": model, "instructions": INSTRUCTIONS, "max_output_tokens": 64,
              "input": [{"role": "user", "content": [{"type": "input_text", "text": text}]}],
              "extra_headers": {"x-request-id": rid, **extra}}
    if stream:
        with oai.responses.stream(**kwargs) as events:
            for _ in events:
                pass
            final = events.get_final_response()
    else:
        final = oai.responses.create(**kwargs)
    return final, rid


@pytest.mark.parametrize("model,backend,served_model", [
    (MODEL_A, "openai", MODEL_A), (MODEL_AZURE, "azure", AZURE_DEPLOYMENT)])
def test_buffered_and_streamed_usage_are_logged_alike(gateway, model, backend, served_model):
    want = expected_usage(backend, PROMPT)
    with client_for(gateway.url) as oai:
        logged = {}
        for stream in (False, True):
            final, rid = send(oai, model, stream)
            assert final.usage.input_tokens == want["input_tokens"]
            assert final.usage.output_tokens == want["output_tokens"]
            meta = metadata(gateway.access_log.entry(rid), COSTS)
            assert meta == {
                **want, "cached_input_tokens": 0, "cache_creation_input_tokens": 0,
                "reasoning_tokens": 0, "llm_input_token": want["input_tokens"],
                "llm_total_token": want["total_tokens"], "request_model": model,
                "response_model": served_model, "backend": backend,
            }, ("streamed" if stream else "buffered", meta)
            logged[stream] = meta
    print(f"\n{backend}: buffered {[logged[False][k] for k in NUMBER_KEYS]}, "
          f"streamed {[logged[True][k] for k in NUMBER_KEYS]} ({', '.join(NUMBER_KEYS)})")
    assert logged[False] == logged[True]


def test_token_usage_metrics(gateway, module_kind):
    texts = ["responses metrics one", "responses metrics number two with more words"]
    with client_for(gateway.url) as oai:
        send(oai, MODEL_RESPONSES, False, texts[0])
        send(oai, MODEL_RESPONSES, True, texts[1], **{"x-testupstream-chunk-delay-ms": "5"})
    usages = [expected_usage("openai", t) for t in texts]
    base = {"gen_ai_request_model": MODEL_RESPONSES, "gen_ai_operation_name": "chat",
            "gen_ai_response_model": MODEL_RESPONSES, "aigw_backend": "openai"}
    for token_type in ("input", "output"):
        labels = {**base, "gen_ai_token_type": token_type}
        count, total = wait_histogram(gateway.admin_url, module_kind, TOKEN_USAGE, labels, 2)
        expected = sum(u[f"{token_type}_tokens"] for u in usages)
        print(f"{module_kind} {token_type}: {count:.0f} records, sum {total} (want {expected})")
        assert count == 2
        # Envoy histogram sums are approximate (bin midpoints): half a unit per record + 1 %.
        assert abs(total - expected) <= 1 + 0.01 * expected
    count, _ = wait_histogram(gateway.admin_url, module_kind, TIME_TO_FIRST_TOKEN, base, 1)
    assert count == 1, "only the streamed request has a time to first token"


def test_client_gone_after_three_deltas_is_charged_for_them(gateway):
    text = "tell me a fairly long story about the responses api please"
    assert expected_usage("openai", text)["output_tokens"] > 3
    rid = request_id()
    body = {"model": MODEL_A, "input": text, "stream": True}
    headers = {"authorization": f"Bearer {CLIENT_KEY}", "x-request-id": rid,
               "x-testupstream-chunk-delay-ms": "400"}
    with httpx.Client(base_url=gateway.url, timeout=15.0) as c, \
            c.stream("POST", "/v1/responses", json=body, headers=headers) as r:
        assert r.status_code == 200
        buffer, deltas = b"", 0
        for chunk in r.iter_raw():
            buffer += chunk
            while b"\n\n" in buffer:
                event, buffer = buffer.split(b"\n\n", 1)
                data = next(line for line in event.decode().splitlines()
                            if line.startswith("data:"))
                deltas += json.loads(data[len("data:"):])["type"] == "response.output_text.delta"
            if deltas >= 3:
                break
    # Leaving the block closed the connection mid-stream.
    meta = metadata(gateway.access_log.entry(rid, timeout=10.0), COSTS)
    assert (meta["input_tokens"], meta["output_tokens"], meta["total_tokens"]) == (0, 3, 3)
    assert meta["llm_total_token"] == 3
    assert meta["response_model"] == MODEL_A


def reservations(g, count: int) -> list:
    """The `reserved_tokens` of the gateway's first `count` Responses requests (waits up to
    5 s for their access-log lines)."""
    deadline = time.monotonic() + 5
    while True:
        entries = [e for e in g.access_log.entries() if e.get("path") == "/v1/responses"]
        if len(entries) >= count or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert len(entries) >= count, f"{len(entries)} Responses access-log lines, want {count}"
    return [int(e["reserved_tokens"]) for e in entries]


def test_token_budget_reserves_settles_and_refuses_responses(upstream, module_kind, tmp_path):
    budget, max_output = 600, 40
    service, addr = start_ratelimit(tmp_path, None)
    backends = [{"name": "openai", "schema": "OpenAI",
                 "endpoint": f"http://127.0.0.1:{upstream.port}/v1",
                 "auth": {"kind": "bearer", "key_env": "AIGW_IT_OPENAI_KEY"}}]
    routes = [{"name": "a", "models": [MODEL_A], "backend": "openai"}]
    limits = {"service": addr, "limits": [{"name": "team-minute", "window": "minute",
                                           "budget_tokens": budget,
                                           "key": {"team_header": "x-team-id"}}]}
    g = None
    try:
        g = own_gateway.start(tmp_path / "envoy", module_kind, backends, routes,
                              {"AIGW_IT_OPENAI_KEY": KEYS["openai"]}, {"rate_limits": limits})
        left = 60 - time.time() % 60
        if left < 15:  # the whole test must fall in one minute window
            time.sleep(left + 0.2)
        served, admitted, refused = 0, 0, None
        with client_for(g.url, **{"x-team-id": "team-responses"}) as oai:
            for i in range(60):
                try:
                    final = oai.responses.create(model=MODEL_A, input=f"{PROMPT} {i}",
                                                 max_output_tokens=max_output)
                except openai.RateLimitError as e:
                    refused = e
                    break
                served += final.usage.total_tokens
                admitted += 1
                time.sleep(0.05)  # lets this request's settle land before the next
        reserved = reservations(g, admitted + 1)
        print(f"\n{module_kind}: budget {budget}: {admitted} Responses requests admitted, "
              f"{served} tokens served; reservations {sorted(set(reserved))}")
        assert refused is not None, "the budget never refused a Responses request"
        assert refused.code == "rate_limit_exceeded"
        assert 1 <= int(refused.response.headers["retry-after"]) <= 60
        assert served <= budget
        # Each reservation is the prompt estimate plus max_output_tokens, above the real usage.
        assert min(reserved) > max_output
        # Without settles at stream end only budget // reservation requests would fit.
        assert admitted > budget // max(reserved)
        # Another team has its own budget.
        with client_for(g.url, **{"x-team-id": "team-other"}) as other:
            assert other.responses.create(model=MODEL_A, input="hi").usage.total_tokens > 0
    finally:
        if g:
            g.envoy.stop()
        service.stop()
