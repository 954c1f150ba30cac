"""Azure OpenAI: deployment path with api-version, api-key header, model override."""

from support.bodies import chat, chat_usage, reply
from support.gateway import AZURE_DEPLOYMENT, MODEL_AZURE
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
