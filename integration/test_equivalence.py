"""The native and the wasm builds behave identically: same status, relevant headers and body
bytes, and the same metadata values in the access log, for every scenario."""

import pytest

from support.accesslog import metadata
from support.bodies import request_id
from support.gateway import COSTS
from support.scenarios import COMPARED_HEADERS, SCENARIOS, Scenario
from support.sse import stream_post

pytestmark = pytest.mark.equivalence


def observe(gateway, scenario: Scenario) -> dict:
    """Sends the scenario to one gateway; returns what must be equal across builds."""
    rid = request_id()
    headers = {"x-request-id": rid, **scenario.headers}
    with gateway.client() as client:
        if scenario.stream:
            s = stream_post(client, scenario.path, scenario.body, headers=headers)
            status, resp_headers, body = s.status, s.headers, s.raw
        else:
            if scenario.raw is not None:
                headers["content-type"] = "application/json"
                r = client.post(scenario.path, content=scenario.raw, headers=headers)
            else:
                r = client.post(scenario.path, json=scenario.body, headers=headers)
            status, resp_headers, body = r.status_code, r.headers, r.content
    entry = gateway.access_log.entry(rid)
    return {
        "status": status,
        "headers": {h: resp_headers.get(h) for h in COMPARED_HEADERS},
        "body": body,
        "log_status": entry["status"],
        "metadata": metadata(entry, COSTS),
    }


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_native_and_wasm_agree(gateway_factory, scenario):
    native = observe(gateway_factory("native"), scenario)
    wasm = observe(gateway_factory("wasm"), scenario)
    assert native["status"] == wasm["status"]
    assert native["headers"] == wasm["headers"]
    assert native["body"] == wasm["body"], "response bodies differ byte for byte"
    assert native["log_status"] == wasm["log_status"]
    assert native["metadata"] == wasm["metadata"]
