"""A client that hangs up mid-stream is still charged for what it received: token-usage
counts the output events that passed when the stream ends before its usage chunk."""

import json
import time

from support.accesslog import metadata
from support.bodies import chat, chat_usage, request_id
from support.gateway import COSTS, MODEL_A
from support.metrics import TOKEN_USAGE, histogram, scrape, wait_histogram

# Long enough that the gateway has not forwarded the 4th event when the client hangs up.
DELAY_MS = "400"


def read_content_events(response, wanted: int) -> int:
    """Reads raw SSE until `wanted` events with delta content arrived; returns how many did."""
    buffer = b""
    seen = 0
    for chunk in response.iter_raw():
        buffer += chunk
        while b"\n\n" in buffer:
            event, buffer = buffer.split(b"\n\n", 1)
            data = event.decode().removeprefix("data:").strip()
            if data and data != "[DONE]":
                choices = json.loads(data).get("choices") or [{}]
                if choices[0].get("delta", {}).get("content"):
                    seen += 1
        if seen >= wanted:
            return seen
    return seen


def settled_histogram(admin_url: str, kind: str, labels: dict) -> tuple:
    """The histogram once records of earlier requests have been flushed (stats flush every
    second): two scrapes 1.2 s apart agree."""
    seen = histogram(scrape(admin_url), kind, TOKEN_USAGE, labels)
    for _ in range(10):
        time.sleep(1.2)
        now = histogram(scrape(admin_url), kind, TOKEN_USAGE, labels)
        if now == seen:
            return now
        seen = now
    return seen


def test_client_gone_after_three_chunks_is_charged_for_them(client, gateway, module_kind):
    text = "tell me a fairly long story about the sea please"
    full = chat_usage(text, "openai")
    output = {"gen_ai_request_model": MODEL_A, "gen_ai_token_type": "output"}
    before = settled_histogram(gateway.admin_url, module_kind, output)
    rid = request_id()
    with client.stream("POST", "/v1/chat/completions", json=chat(MODEL_A, text, stream=True),
                       headers={"x-request-id": rid, "x-testupstream-chunk-delay-ms": DELAY_MS}) as r:
        assert r.status_code == 200
        assert read_content_events(r, 3) == 3
    # Leaving the block closes the connection mid-stream.

    meta = metadata(gateway.access_log.entry(rid, timeout=10.0), COSTS)
    print(f"{module_kind}: partial output_tokens={meta['output_tokens']} of "
          f"{full['completion_tokens']}")
    assert meta["output_tokens"] == 3
    assert meta["total_tokens"] == 3
    assert meta["llm_total_token"] == 3
    assert meta["input_tokens"] == 0
    assert full["completion_tokens"] > 3
    after = wait_histogram(gateway.admin_url, module_kind, TOKEN_USAGE, output, before[0] + 1)
    assert after[0] - before[0] == 1
    # Envoy histogram sums are approximate (bin midpoints): half a unit per record.
    assert abs((after[1] - before[1]) - 3) <= 0.5
