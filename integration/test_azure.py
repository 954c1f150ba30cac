"""Azure OpenAI: deployment path with api-version, api-key header, model override."""

from support.bodies import chat, chat_usage, reply
from support.gateway import AZURE_DEPLOYMENT, MODEL_AZURE
from support.sse import stream_post
from support.upstream import CLIENT_KEY


def test_azure_path_key_and_override(client):
    # testupstream answers as `azure` only on /openai/deployments/<d>/chat/completions with a
    # valid api-version and `api-key: <azure key>`; it reports the deployment as the model.
    text = "hello azure"
    r = client.post("/v1/chat/completions", json=chat(MODEL_AZURE, text),
                    headers={"authorization": f"Bearer {CLIENT_KEY}", "api-key": CLIENT_KEY})
    assert r.status_code == 200, r.text
    assert r.headers["x-testupstream-backend"] == "azure"
    body = r.json()
    assert body["model"] == AZURE_DEPLOYMENT
    assert body["choices"][0]["message"]["content"] == reply("azure", text)
    usage = chat_usage(text, "azure")
    assert {k: body["usage"][k] for k in usage} == usage


def test_azure_streaming_with_override(client):
    text = "stream from azure"
    s = stream_post(client, "/v1/chat/completions",
                    chat(MODEL_AZURE, text, stream=True, include_usage=True))
    assert s.status == 200, s.raw
    assert s.headers["x-testupstream-backend"] == "azure"
    assert s.events[-1] == "[DONE]"
    chunks = s.json_events()
    assert {c["model"] for c in chunks} == {AZURE_DEPLOYMENT}
    content = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    assert content == reply("azure", text)
    usage = chat_usage(text, "azure")
    assert {k: chunks[-1]["usage"][k] for k in usage} == usage
