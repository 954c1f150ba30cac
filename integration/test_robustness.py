"""Streams the filters must survive: chunked uploads, empty bodies, clients that hang up
mid-stream, and many interleaved streams on Envoy's single worker (per-stream state must not
mix). A filter panic would show as failures of later requests (a trapped wasm VM answers 503)."""

from concurrent.futures import ThreadPoolExecutor

import httpx

from support.accesslog import metadata
from support.bodies import chat, chat_usage, reply, request_id
from support.gateway import COSTS, MODEL_A, MODEL_B
from support.sse import stream_post


def test_chunked_request_body(client):
    text = "sent in several pieces"
    raw = httpx.Request("POST", "/", json=chat(MODEL_A, text)).read()

    def pieces():
        for i in range(0, len(raw), 7):
            yield raw[i:i + 7]

    r = client.post("/v1/chat/completions", content=pieces(),
                    headers={"content-type": "application/json"})
    assert r.status_code == 200, r.text
    assert r.json()["choices"][0]["message"]["content"] == reply("openai", text)


def test_empty_body_is_400(client):
    r = client.post("/v1/chat/completions", content=b"",
                    headers={"content-type": "application/json"})
    assert r.status_code == 400, r.text
    assert r.json()["error"]["type"] == "invalid_request_error"


def test_client_hanging_up_mid_stream_leaves_the_gateway_healthy(client, gateway):
    body = chat(MODEL_A, "a stream the client abandons", stream=True)
    for _ in range(3):
        with client.stream("POST", "/v1/chat/completions", json=body,
                           headers={"x-testupstream-chunk-delay-ms": "50"}) as r:
            assert r.status_code == 200
            next(r.iter_raw())  # first event, then hang up
    text = "still fine afterwards"
    r = client.post("/v1/chat/completions", json=chat(MODEL_A, text))
    assert r.status_code == 200, r.text
    assert r.json()["choices"][0]["message"]["content"] == reply("openai", text)


def test_interleaved_streams_keep_their_own_state(gateway):
    def one(i: int):
        model, backend = (MODEL_A, "openai") if i % 2 else (MODEL_B, "modelb")
        text = f"stream number {i} " + "pad " * (i % 5)
        rid = request_id()
        with gateway.client() as c:
            s = stream_post(c, "/v1/chat/completions", chat(model, text, stream=True),
                            headers={"x-testupstream-chunk-delay-ms": "10", "x-request-id": rid})
        return i, model, backend, text, rid, s

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(one, range(24)))
    for i, model, backend, text, rid, s in results:
        assert s.status == 200, (i, s.raw[:200])
        chunks = s.json_events()
        content = "".join(c["choices"][0]["delta"].get("content", "")
                          for c in chunks if c["choices"])
        assert content == reply(backend, text), i
        usage = chat_usage(text, backend)
        meta = metadata(gateway.access_log.entry(rid), COSTS)
        assert meta["request_model"] == model, i
        assert meta["backend"] == backend, i
        assert meta["input_tokens"] == usage["prompt_tokens"], i
        assert meta["output_tokens"] == usage["completion_tokens"], i
