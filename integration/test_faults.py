"""Fault injection: the provider resets the connection mid-stream, sends invalid JSON,
answers 200 with an HTML page, stalls before the first byte or mid-stream, ends the body
halfway through an event, and the client disconnects mid-stream (Bedrock's event-stream
faults, a truncated frame included, are in test_bedrock.py); then Envoy's RSS after 200
rounds of all of them.

What the client gets:
- Translated backends (Anthropic here): a provider answer that cannot be read becomes an
  OpenAI error (502 `server_error`), in a stream an error chunk followed by `[DONE]`.
- A connection broken before the response headers: Envoy's 502, in the OpenAI shape (the
  control plane's `local_reply_config`).
- A stream broken after its headers were sent: the gateway can only end the response, and
  does so by closing it mid-body, which client libraries report as an error.
- OpenAI-schema backends are passed through: the provider's body reaches the client as it is
  (truncated JSON included; the client's library reports it), unless its media type is not
  JSON or SSE (an HTML page becomes an OpenAI error, 502 for a status 200) or a chat stream
  ends cleanly without `[DONE]` (it gets an error event and `[DONE]`).
Envoy stays up throughout: a normal request succeeds after every fault."""

import json
from concurrent.futures import ThreadPoolExecutor

import httpx

from support.bodies import chat, reply
from support.faults import attempt, rss_kib
from support.gateway import MODEL_A, MODEL_ANTHROPIC

# Allowed RSS growth of Envoy over 200 rounds of every fault (allocator slack, stats).
RSS_BOUND_KIB = 16 * 1024
# Clients sending the 200 rounds at once.
WORKERS = 8


def assert_healthy(client):
    text = "healthy after a fault"
    r = client.post("/v1/chat/completions", json=chat(MODEL_A, text))
    assert r.status_code == 200, r.text
    assert r.json()["choices"][0]["message"]["content"] == reply("openai", text)


def assert_error_chunk_then_done(events: list):
    assert events[-1] == "[DONE]", events
    assert json.loads(events[-2])["error"]["type"] == "server_error", events


def test_reset_mid_stream(client):
    for model in (MODEL_A, MODEL_ANTHROPIC):
        got = attempt(client, "reset-mid-stream", stream=True, model=model)
        assert got.status == 200 and not got.complete, got
        events = got.sse_events()
        assert events and "[DONE]" not in events, events
        assert_healthy(client)


def test_reset_before_the_whole_body(client):
    # Pass-through: the headers went on at once, the body breaks off.
    got = attempt(client, "reset-mid-stream", stream=False)
    assert got.status == 200 and not got.complete, got
    # Translated: the response was held, so the client gets an error in its schema.
    got = attempt(client, "reset-mid-stream", stream=False, model=MODEL_ANTHROPIC)
    assert got.complete and got.status == 502, got
    assert got.json_error()["type"] == "server_error"
    assert_healthy(client)


def test_invalid_json(client):
    got = attempt(client, "invalid-json", stream=False, model=MODEL_ANTHROPIC)
    assert got.complete and got.status == 502, got
    assert "unreadable" in got.json_error()["message"]
    got = attempt(client, "invalid-json", stream=True, model=MODEL_ANTHROPIC)
    assert got.complete and got.status == 200, got
    assert_error_chunk_then_done(got.sse_events())
    got = attempt(client, "invalid-json", stream=False)
    assert (got.status, got.body) == (200, b'{"id":"chatcmpl-broken","choices":[{"message":')
    assert_healthy(client)


def test_html_page_with_status_200(client):
    for stream in (False, True):
        got = attempt(client, "html", stream=stream, model=MODEL_ANTHROPIC)
        assert got.complete and got.status == 502, got
        assert got.json_error()["type"] == "server_error"
    for stream in (False, True):
        got = attempt(client, "html", stream=stream)
        assert got.complete and got.status == 502, got
        error = got.json_error()
        assert error["type"] == "server_error" and "text/html" in error["message"], error
    assert_healthy(client)


def test_truncated_stream(client):
    # The provider ends the body cleanly halfway through an event: translated or passed
    # through, the client's stream ends with an error event and [DONE] (the half event is
    # dropped).
    for model in (MODEL_ANTHROPIC, MODEL_A):
        got = attempt(client, "truncated-stream", stream=True, model=model)
        assert got.complete and got.status == 200, got
        events = got.sse_events()
        assert_error_chunk_then_done(events)
        assert all(json.loads(e) for e in events[:-1]), events
    assert "incomplete_stream" in got.sse_events()[-2]
    assert_healthy(client)


def test_stall_before_first_byte(client):
    # LLM routes have long timeouts on purpose: the client gives up first.
    for model in (MODEL_A, MODEL_ANTHROPIC):
        got = attempt(client, "stall-before-headers", stream=True, stall_ms=3000, timeout=0.5,
                      model=model)
        assert got.timed_out and got.status is None, got
        got = attempt(client, "stall-before-headers", stream=False, stall_ms=300, model=model)
        assert got.complete and got.status == 200, got
    assert_healthy(client)


def test_stall_mid_stream(client):
    for model in (MODEL_A, MODEL_ANTHROPIC):
        got = attempt(client, "stall-mid-stream", stream=True, stall_ms=300, model=model)
        assert got.complete and got.status == 200, got
        assert got.sse_events()[-1] == "[DONE]"
        got = attempt(client, "stall-mid-stream", stream=True, stall_ms=3000, timeout=0.5,
                      model=model)
        assert got.timed_out and got.status == 200, got
    assert_healthy(client)


def test_client_disconnect_mid_stream(client):
    for model in (MODEL_A, MODEL_ANTHROPIC):
        body = chat(model, "the client leaves early", stream=True)
        with client.stream("POST", "/v1/chat/completions", json=body,
                           headers={"x-testupstream-chunk-delay-ms": "100"}) as r:
            assert r.status_code == 200
            next(r.iter_raw())
    assert_healthy(client)


def one_round(client, i: int):
    """Every fault once, to the OpenAI backend in even rounds and the Anthropic one in odd."""
    model = (MODEL_A, MODEL_ANTHROPIC)[i % 2]
    attempt(client, "reset-mid-stream", True, model=model)
    attempt(client, "reset-mid-stream", False, model=model)
    attempt(client, "invalid-json", i % 4 < 2, model=model)
    attempt(client, "html", False, model=model)
    attempt(client, "stall-before-headers", True, stall_ms=100, timeout=0.02, model=model)
    attempt(client, "stall-mid-stream", True, stall_ms=100, timeout=0.02, model=model)
    body = chat(model, "the client leaves early", stream=True)
    with client.stream("POST", "/v1/chat/completions", json=body,
                       headers={"x-testupstream-chunk-delay-ms": "10"}) as r:
        next(r.iter_raw())


def rounds(url: str, indices):
    with httpx.Client(base_url=url, timeout=10.0) as c:
        for i in indices:
            one_round(c, i)


def test_rss_returns_to_baseline_after_200_rounds(gateway):
    # A stream broken after its headers costs about 1 s of wall time (Envoy's delayed close of
    # the client connection), so the rounds run on 8 clients at once.
    pid = gateway.envoy.popen.pid
    rounds(gateway.url, range(10))  # warm-up: connection pools, stats, allocator
    baseline = rss_kib(pid)
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(lambda k: rounds(gateway.url, range(k, 200, WORKERS)), range(WORKERS)))
    with httpx.Client(base_url=gateway.url, timeout=10.0) as c:
        assert_healthy(c)
    after = rss_kib(pid)
    print(f"Envoy ({gateway.kind}) RSS: baseline {baseline} KiB, "
          f"after 200 rounds of 7 faulty requests {after} KiB")
    assert after - baseline <= RSS_BOUND_KIB, (baseline, after)
