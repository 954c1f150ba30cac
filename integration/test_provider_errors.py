"""Provider errors reach the client unchanged and are logged without token counts."""

from support.accesslog import metadata
from support.bodies import chat, request_id
from support.gateway import COSTS, MODEL_A


def test_provider_error_is_passed_through(client, gateway):
    rid = request_id()
    r = client.post("/v1/chat/completions", json=chat(MODEL_A, "rate limit me"),
                    headers={"x-testupstream-status": "429", "x-request-id": rid})
    assert r.status_code == 429, r.text
    assert r.headers["x-testupstream-backend"] == "openai"
    err = r.json()["error"]
    assert err["code"] == "injected_failure"
    entry = gateway.access_log.entry(rid)
    assert entry["status"] == 429
    assert entry["upstream_cluster"] == "aigw-backend-openai"
    assert metadata(entry, COSTS)["total_tokens"] in (None, 0)
