"""Bad requests get OpenAI-style 400s from the gateway; client credentials never leak."""

from support.bodies import chat, reply
from support.gateway import MODEL_A
from support.upstream import CLIENT_KEY


def assert_openai_400(r, param=None):
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert "x-testupstream-backend" not in r.headers, "the gateway must answer, not the provider"
    err = r.json()["error"]
    assert err["type"] == "invalid_request_error"
    assert err["message"]
    if param is not None:
        assert err["param"] == param


def test_malformed_json_is_400(client):
    r = client.post("/v1/chat/completions", content=b'{"model": "gpt-4o-mini", "messages": [',
                    headers={"content-type": "application/json"})
    assert_openai_400(r)


def test_missing_model_is_400(client):
    r = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "x"}]})
    assert_openai_400(r, param="model")


def test_client_credentials_never_reach_the_provider(client):
    # testupstream rejects any key but the backend's: a 200 proves the client's were replaced.
    headers = {"authorization": f"Bearer {CLIENT_KEY}", "api-key": CLIENT_KEY,
               "x-api-key": CLIENT_KEY, "x-goog-api-key": CLIENT_KEY}
    r = client.post("/v1/chat/completions", json=chat(MODEL_A, "who am i"), headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["choices"][0]["message"]["content"] == reply("openai", "who am i")
