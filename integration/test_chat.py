"""Chat completions through translate + upstream-auth + token-usage, plain and streamed."""

from support.bodies import chat, chat_usage, reply
from support.gateway import MODEL_A
from support.sse import stream_post
from support.upstream import CLIENT_KEY

TEXT = "hello there gateway"


def test_chat_completion_reaches_the_right_backend_with_usage(client):
    r = client.post("/v1/chat/completions", json=chat(MODEL_A, TEXT),
                    headers={"authorization": f"Bearer {CLIENT_KEY}"})
    assert r.status_code == 200, r.text
    assert r.headers["x-testupstream-backend"] == "openai"
    assert "x-aigw-backend" not in r.headers, "token-usage must remove the internal header"
    body = r.json()
    assert body["object"] == "chat.completion"
    assert body["model"] == MODEL_A
    assert body["choices"][0]["message"]["content"] == reply("openai", TEXT)
    usage = chat_usage(TEXT, "openai")
    assert {k: body["usage"][k] for k in usage} == usage


def test_streaming_chat_is_real_sse_with_final_usage(client):
    text = "stream these five words please"
    s = stream_post(client, "/v1/chat/completions", chat(MODEL_A, text, stream=True,
                                                         include_usage=True),
                    headers={"x-testupstream-chunk-delay-ms": "40"})
    assert s.status == 200, s.raw
    assert s.headers["content-type"].startswith("text/event-stream")
    assert s.headers["x-testupstream-backend"] == "openai"
    assert s.events[-1] == "[DONE]"
    chunks = s.json_events()
    words = reply("openai", text).split()
    # role chunk, one chunk per word, finish chunk, usage chunk
    assert len(chunks) == 1 + len(words) + 2
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    content = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    assert content == " ".join(words)
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["choices"] == []
    usage = chat_usage(text, "openai")
    assert {k: chunks[-1]["usage"][k] for k in usage} == usage
    # Really streamed: events arrived over time, not in one piece at the end.
    assert len(s.arrivals) > len(chunks) // 2, f"only {len(s.arrivals)} network chunks"
    assert s.arrivals[-1] - s.arrivals[0] > 0.2, s.arrivals
