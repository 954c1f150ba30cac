"""Fault injection: the provider resets the connection mid-stream, sends invalid JSON,
answers 200 with an HTML page, stalls before the first byte or mid-stream, and the client
disconnects mid-stream. Each time the client gets a well-formed error or a properly
terminated stream (or, once the provider broke a stream whose headers were already sent, a
connection closed mid-body, which the client's library reports), Envoy stays up, and after
200 rounds of every fault Envoy's RSS is back within a bound of its baseline."""

import httpx

from support.bodies import chat, reply
from support.faults import attempt, rss_kib
from support.gateway import MODEL_A

# Allowed RSS growth of Envoy over 200 rounds of every fault (allocator slack and stats).
RSS_BOUND_KIB = 16 * 1024


def assert_healthy(client):
    text = "healthy after a fault"
    r = client.post("/v1/chat/completions", json=chat(MODEL_A, text))
    assert r.status_code == 200, r.text
    assert r.json()["choices"][0]["message"]["content"] == reply("openai", text)


def test_reset_mid_stream(client, gateway):
    got = attempt(client, "reset-mid-stream", stream=True)
    # Headers and the first events were already with the client: the gateway can only end
    # the response, and does so by closing it mid-body, which clients report as an error.
    assert got.status == 200
    assert not got.complete
    events = got.sse_events()
    assert events and all(e != "[DONE]" for e in events), events
    assert_healthy(client)


def test_reset_mid_body(client, gateway):
    got = attempt(client, "reset-mid-stream", stream=False)
    print(got)
    assert got.status == 502 or not got.complete, got
    if got.complete:
        got.json_error()
    assert_healthy(client)


def test_invalid_json(client, gateway):
    got = attempt(client, "invalid-json", stream=False)
    print(got)
    assert got.complete
    assert got.status == 502, got
    assert got.json_error()["type"] == "server_error"
    assert_healthy(client)


def test_invalid_json_in_stream(client, gateway):
    got = attempt(client, "invalid-json", stream=True)
    print(got)
    assert got.complete and got.status == 200
    assert got.sse_events()[-1] == "[DONE]"
    assert_healthy(client)


def test_html_page_with_status_200(client, gateway):
    got = attempt(client, "html", stream=False)
    print(got)
    assert got.complete
    assert got.status == 502, got
    assert got.json_error()["type"] == "server_error"
    assert_healthy(client)


def test_stall_before_first_byte(client, gateway):
    # The client gives up first (LLM routes have long timeouts on purpose).
    got = attempt(client, "stall-before-headers", stream=True, stall_ms=3000, timeout=0.5)
    assert got.timed_out and got.status is None, got
    assert_healthy(client)


def test_stall_mid_stream(client, gateway):
    got = attempt(client, "stall-mid-stream", stream=True, stall_ms=300)
    assert got.complete and got.status == 200, got
    assert got.sse_events()[-1] == "[DONE]"
    got = attempt(client, "stall-mid-stream", stream=True, stall_ms=3000, timeout=0.5)
    assert got.timed_out and got.status == 200, got
    assert_healthy(client)


def test_client_disconnect_mid_stream(client, gateway):
    body = chat(MODEL_A, "the client leaves", stream=True)
    with client.stream("POST", "/v1/chat/completions", json=body,
                       headers={"x-testupstream-chunk-delay-ms": "100"}) as r:
        assert r.status_code == 200
        next(r.iter_raw())
    assert_healthy(client)


def one_round(client):
    for stream in (True, False):
        attempt(client, "reset-mid-stream", stream)
        attempt(client, "invalid-json", stream)
        attempt(client, "html", stream)
    attempt(client, "stall-before-headers", True, stall_ms=200, timeout=0.05)
    attempt(client, "stall-mid-stream", True, stall_ms=200, timeout=0.05)
    body = chat(MODEL_A, "the client leaves", stream=True)
    with client.stream("POST", "/v1/chat/completions", json=body,
                       headers={"x-testupstream-chunk-delay-ms": "20"}) as r:
        next(r.iter_raw())



def test_rss_returns_to_baseline_after_200_rounds(gateway):
    pid = gateway.envoy.popen.pid
    with httpx.Client(base_url=gateway.url, timeout=10.0) as c:
        for _ in range(20):  # warm-up: connection pools, stats, allocator
            one_round(c)
        baseline = rss_kib(pid)
        for _ in range(200):
            one_round(c)
        assert_healthy(c)
    after = rss_kib(pid)
    print(f"Envoy ({gateway.kind}) RSS: baseline {baseline} KiB, after 200 rounds {after} KiB")
    assert after - baseline <= RSS_BOUND_KIB, (baseline, after)
