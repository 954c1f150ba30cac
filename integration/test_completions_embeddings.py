"""Legacy completions and embeddings: usage reaches the client and the access log."""

from support.accesslog import metadata
from support.bodies import reply, request_id
from support.gateway import COSTS, MODEL_A
from support.sse import stream_post


def test_completions_usage(client, gateway):
    prompt = "complete this short prompt"
    rid = request_id()
    r = client.post("/v1/completions", json={"model": MODEL_A, "prompt": prompt},
                    headers={"x-request-id": rid})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["object"] == "text_completion"
    assert body["choices"][0]["text"] == reply("openai", prompt)
    usage = body["usage"]
    assert usage["prompt_tokens"] == len(prompt.split())
    assert usage["completion_tokens"] == len(reply("openai", prompt).split())
    meta = metadata(gateway.access_log.entry(rid), COSTS)
    assert meta["input_tokens"] == usage["prompt_tokens"]
    assert meta["output_tokens"] == usage["completion_tokens"]
    assert meta["total_tokens"] == usage["total_tokens"]


def test_embeddings_usage(client, gateway):
    rid = request_id()
    r = client.post("/v1/embeddings", json={"model": MODEL_A, "input": ["first text", "second"]},
                    headers={"x-request-id": rid})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["object"] == "list"
    assert [d["index"] for d in body["data"]] == [0, 1]
    assert body["usage"] == {"prompt_tokens": 3, "total_tokens": 3}
    meta = metadata(gateway.access_log.entry(rid), COSTS)
    assert meta["input_tokens"] == 3
    assert meta["total_tokens"] == 3
    assert meta["llm_input_token"] == 3


def test_streamed_completions_usage(client, gateway):
    prompt = "stream a legacy completion"
    rid = request_id()
    s = stream_post(client, "/v1/completions",
                    {"model": MODEL_A, "prompt": prompt, "stream": True},
                    headers={"x-request-id": rid})
    assert s.status == 200, s.raw
    assert s.events[-1] == "[DONE]"
    chunks = s.json_events()
    text = "".join(c["choices"][0]["text"] for c in chunks if c["choices"])
    assert text == reply("openai", prompt)
    # Costs are configured, so usage was requested upstream and arrives in the last chunk.
    usage = chunks[-1]["usage"]
    assert usage["prompt_tokens"] == len(prompt.split())
    meta = metadata(gateway.access_log.entry(rid), COSTS)
    assert meta["input_tokens"] == usage["prompt_tokens"]
    assert meta["output_tokens"] == usage["completion_tokens"]
