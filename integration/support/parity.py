"""Streaming usage equals non-streaming usage: one chat request sent buffered and streamed
(with `stream_options.include_usage`) must be recorded with the same token counts in the access
log and report the same `usage` to the client. Used by the parity tests of every backend."""

import json

import httpx

from .accesslog import NUMBER_KEYS, metadata
from .bodies import request_id
from .upstream import CLIENT_KEY

PROMPT = "Count the tokens of this sentence the same way twice, please."


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
    """Sends the same request to gateway `g` for `model` buffered and streamed; asserts equal
    usage."""
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
