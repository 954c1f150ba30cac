"""Legacy completions and embeddings: usage reaches the client and the access log."""

from support.accesslog import metadata
from support.bodies import reply, request_id
from support.gateway import COSTS, MODEL_A


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
