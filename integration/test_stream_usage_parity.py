"""Streaming usage equals non-streaming usage: the same chat request, sent once buffered and
once streamed (with `stream_options.include_usage`), is recorded with the same token counts in
the access log (token-usage's metadata) and reports the same `usage` to the client, on every
backend schema: OpenAI, Azure OpenAI, Anthropic, Gemini (the suite's gateway) and Bedrock
(test_bedrock's signed gateway)."""

import json

import httpx
import pytest
from test_bedrock import MODEL as BEDROCK_MODEL
from test_bedrock import bedrock_gateway  # noqa: F401 (fixture)

from support import gateway as gw
from support.accesslog import NUMBER_KEYS, metadata
from support.bodies import request_id
from support.upstream import CLIENT_KEY

PROMPT = "Count the tokens of this sentence the same way twice, please."
SUITE_MODELS = [gw.MODEL_A, gw.MODEL_AZURE, gw.MODEL_ANTHROPIC, gw.MODEL_GEMINI]


def send(g, model: str, stream: bool) -> tuple[dict, dict]:
    """The client's `usage` and the access-log metadata of one chat request."""
    rid = request_id()
    body = {"model": model, "max_tokens": 30,
            "messages": [{"role": "system", "content": "Be brief."},
                         {"role": "user", "content": PROMPT}]}
    if stream:
        body.update(stream=True, stream_options={"include_usage": True})
    headers = {"authorization": f"Bearer {CLIENT_KEY}", "x-request-id": rid}
    with httpx.Client(timeout=15.0) as c:
        r = c.post(f"{g.url}/v1/chat/completions", json=body, headers=headers)
    assert r.status_code == 200, r.text
    if stream:
        events = [line[len("data: "):] for line in r.text.splitlines()
                  if line.startswith("data: ") and line != "data: [DONE]"]
        usages = [json.loads(e).get("usage") for e in events]
        usage = [u for u in usages if u][-1]
    else:
        usage = r.json()["usage"]
    return usage, metadata(g.access_log.entry(rid))


def check_parity(g, model: str):
    plain_usage, plain_log = send(g, model, stream=False)
    stream_usage, stream_log = send(g, model, stream=True)
    print(f"\n{model}: buffered {[plain_log[k] for k in NUMBER_KEYS]}, "
          f"streamed {[stream_log[k] for k in NUMBER_KEYS]} ({', '.join(NUMBER_KEYS)})")
    assert plain_log["input_tokens"] > 0 and plain_log["output_tokens"] > 0, plain_log
    for key in NUMBER_KEYS:
        assert stream_log[key] == plain_log[key], (key, plain_log, stream_log)
    for key in ("prompt_tokens", "completion_tokens", "total_tokens"):
        assert stream_usage[key] == plain_usage[key], (key, plain_usage, stream_usage)
    assert stream_log["backend"] == plain_log["backend"]


@pytest.mark.parametrize("model", SUITE_MODELS)
def test_stream_usage_equals_buffered_usage(gateway, model):
    check_parity(gateway, model)


def test_anthropic_messages_stream_usage_equals_buffered_usage(gateway):
    """The Anthropic client schema (`/anthropic/v1/messages`) to the Anthropic backend."""
    logs = []
    for stream in (False, True):
        rid = request_id()
        body = {"model": gw.MODEL_ANTHROPIC, "max_tokens": 30, "stream": stream,
                "messages": [{"role": "user", "content": PROMPT}]}
        r = httpx.post(f"{gateway.url}/anthropic/v1/messages", json=body, timeout=15.0,
                       headers={"x-api-key": CLIENT_KEY, "anthropic-version": "2023-06-01",
                                "x-request-id": rid})
        assert r.status_code == 200, r.text
        logs.append(metadata(gateway.access_log.entry(rid)))
    assert logs[0]["input_tokens"] > 0 and logs[0]["output_tokens"] > 0, logs
    assert [logs[1][k] for k in NUMBER_KEYS] == [logs[0][k] for k in NUMBER_KEYS], logs


def test_stream_usage_equals_buffered_usage_on_bedrock(bedrock_gateway):  # noqa: F811
    check_parity(bedrock_gateway, BEDROCK_MODEL)
