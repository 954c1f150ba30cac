"""Route costs and CEL cost expressions, as the access log shows them."""

from support.accesslog import number
from support.bodies import chat, chat_usage, request_id
from support.gateway import MODEL_A, MODEL_B
from support.sse import stream_post


def test_cel_route_cost_of_a_chat_completion(client, gateway):
    text = "what does this cost"
    rid = request_id()
    r = client.post("/v1/chat/completions", json=chat(MODEL_B, text), headers={"x-request-id": rid})
    assert r.status_code == 200, r.text
    usage = chat_usage(text, "modelb")
    entry = gateway.access_log.entry(rid)
    want = usage["prompt_tokens"] * 3 + usage["completion_tokens"] * 12 + 1000
    assert number(entry["usd_micros"]) == want


def test_cel_route_cost_of_a_stream(client, gateway):
    text = "what does this stream cost"
    rid = request_id()
    s = stream_post(client, "/v1/chat/completions", chat(MODEL_B, text, stream=True),
                    headers={"x-request-id": rid})
    assert s.status == 200, s.raw
    usage = chat_usage(text, "modelb")
    want = usage["prompt_tokens"] * 3 + usage["completion_tokens"] * 12 + 1000
    assert number(gateway.access_log.entry(rid)["usd_micros"]) == want


def test_other_routes_do_not_get_the_route_cost(client, gateway):
    rid = request_id()
    r = client.post("/v1/chat/completions", json=chat(MODEL_A, "no route cost here"),
                    headers={"x-request-id": rid})
    assert r.status_code == 200, r.text
    assert number(gateway.access_log.entry(rid).get("usd_micros")) is None


def test_a_client_cannot_pick_the_route_of_its_costs(client, gateway):
    rid = request_id()
    r = client.post("/v1/chat/completions", json=chat(MODEL_A, "pretend to be route b"),
                    headers={"x-request-id": rid, "x-aigw-route": "b"})
    assert r.status_code == 200, r.text
    assert number(gateway.access_log.entry(rid).get("usd_micros")) is None
