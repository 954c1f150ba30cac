"""`GET /v1/models` is answered by translate (router role) from the models the routes name;
other methods get an OpenAI-style 405."""

from support.gateway import MODEL_A, MODEL_AZURE, MODEL_B

# The fixed `created` the control plane writes (control-plane/src/bootstrap/routes.rs).
MODELS_CREATED = 1735689600


def test_models_lists_every_exact_model_of_the_routes(client):
    r = client.get("/v1/models")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["object"] == "list"
    owners = {m["id"]: m["owned_by"] for m in body["data"]}
    assert owners[MODEL_A] == "openai"
    assert owners[MODEL_B] == "modelb"
    assert owners[MODEL_AZURE] == "azure"
    assert len(owners) == len(body["data"]), "each model once"
    for m in body["data"]:
        assert m["object"] == "model"
        assert m["created"] == MODELS_CREATED


def test_models_with_a_query_is_the_same_list(client):
    assert client.get("/v1/models?limit=1").json() == client.get("/v1/models").json()


def test_other_methods_on_models_get_405(client):
    r = client.post("/v1/models", json={})
    assert r.status_code == 405, r.text
    assert r.headers["allow"] == "GET"
    err = r.json()["error"]
    assert err["type"] == "invalid_request_error"
    assert err["message"] == "Method POST is not allowed on /v1/models; use GET."
