"""Streaming usage equals non-streaming usage: the same chat request, sent once buffered and
once streamed (with `stream_options.include_usage`), is recorded with the same token counts in
the access log (token-usage's metadata) and reports the same `usage` to the client, on every
backend schema: OpenAI, Azure OpenAI, Anthropic, Gemini (the suite's gateway) and Bedrock
(test_bedrock's signed gateway); Cohere and Vertex AI in their own test files
(support/parity.py)."""

import httpx
import pytest

from support import gateway as gw
from support.accesslog import NUMBER_KEYS, metadata
from support.bodies import request_id
from support.parity import PROMPT, check_parity
from support.upstream import CLIENT_KEY
from test_bedrock import MODEL as BEDROCK_MODEL
from test_bedrock import bedrock_gateway  # noqa: F401 (fixture)

SUITE_MODELS = [gw.MODEL_A, gw.MODEL_AZURE, gw.MODEL_ANTHROPIC, gw.MODEL_GEMINI]


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
