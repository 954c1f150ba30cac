"""Routing by model (x-ai-eg-model) and the OpenAI-style 404 for unknown models."""

from support.bodies import chat, reply
from support.gateway import MODEL_A, MODEL_B


def test_model_b_goes_to_backend_b(client):
    r = client.post("/v1/chat/completions", json=chat(MODEL_B, "route me to b"))
    assert r.status_code == 200, r.text
    assert r.headers["x-testupstream-backend"] == "modelb"
    body = r.json()
    assert body["model"] == MODEL_B
    assert body["choices"][0]["message"]["content"] == reply("modelb", "route me to b")


def test_unknown_model_is_an_openai_404(client):
    r = client.post("/v1/chat/completions", json=chat("no-such-model", "hi"))
    assert r.status_code == 404, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert "x-testupstream-backend" not in r.headers
    err = r.json()["error"]
    assert err["type"] == "invalid_request_error"
    assert err["param"] == "model"
    assert err["message"]


def test_client_cannot_pick_the_route_with_the_model_header(client):
    # translate sets x-ai-eg-model from the body, replacing whatever the client sent.
    r = client.post("/v1/chat/completions", json=chat(MODEL_A, "spoof the route"),
                    headers={"x-ai-eg-model": MODEL_B})
    assert r.status_code == 200, r.text
    assert r.headers["x-testupstream-backend"] == "openai"
