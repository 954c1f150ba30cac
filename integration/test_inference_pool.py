"""Inference pool backends: Envoy's ext_proc filter streams each request of a pool's route to
the pool's endpoint picker (our `fake-epp`, Envoy's ext_proc protocol in full-duplex streamed
mode, picking round robin), and the pool's ORIGINAL_DST cluster connects to the endpoint it
picked. Two model servers (testupstream on 127.0.0.2 and 127.0.0.3, same target port) name
themselves in every answer; the picker names its pick in `x-fake-epp-picked`. One picker
answers by header, one by `envoy.lb` dynamic metadata (with a wrong port, which the pool's
`target_port` replaces). The picker refuses (400) requests it must not see, so a passing
request also proves what Envoy sent it: the model header set, the client's destination header
removed. A pool whose picker is down answers an OpenAI-shaped 503; other routes never call a
picker."""

import time

import httpx
import openai
import pytest

from support import epp, own_gateway
from support.bodies import chat, reply
from support.gateway import KEY_ENV
from support.procs import free_port
from support.upstream import CLIENT_KEY, KEYS

SERVERS = {"pod-a": "127.0.0.2", "pod-b": "127.0.0.3"}
HEADER_MODEL = "llama-header"
METADATA_MODEL = "llama-metadata"
METADATA_OVERRIDE = "meta-llama/Llama-3.1-8B-Instruct"
DOWN_MODEL = "llama-down"
PLAIN_MODEL = "gpt-4o-mini"
AUTH = {"kind": "bearer", "key_env": "AIGW_IT_OPENAI_KEY"}


@pytest.fixture(scope="module")
def pool_gateway(module_kind, upstream, tmp_path_factory):
    workdir = tmp_path_factory.mktemp(f"pool-{module_kind}")
    procs = []
    port = 0
    for backend_id, ip in SERVERS.items():
        proc, port = epp.start_server(workdir, ip, port, backend_id, KEYS["openai"])
        procs.append(proc)
    endpoints = [f"{ip}:{port}" for ip in SERVERS.values()]
    header_epp, header_port = epp.start_picker(workdir, "header", endpoints, "header")
    # Port 9 (discard): the pool's target_port must replace it.
    wrong_port = [f"{ip}:9" for ip in SERVERS.values()]
    metadata_epp, metadata_port = epp.start_picker(workdir, "metadata", wrong_port, "metadata")
    procs += [header_epp, metadata_epp]
    down_port = free_port()

    def pool(name, picker_port):
        return {"name": name, "schema": "OpenAI", "auth": dict(AUTH), "inference_pool": {
            "endpoint_picker": f"http://127.0.0.1:{picker_port}", "target_port": port}}

    backends = [
        pool("pool-header", header_port),
        pool("pool-metadata", metadata_port),
        pool("pool-down", down_port),
        {"name": "openai", "schema": "OpenAI", "auth": dict(AUTH),
         "endpoint": f"http://127.0.0.1:{upstream.port}/v1"},
    ]
    routes = [
        {"name": "header", "models": [HEADER_MODEL], "backend": "pool-header"},
        {"name": "metadata", "models": [METADATA_MODEL], "backend": "pool-metadata",
         "model_override": METADATA_OVERRIDE},
        {"name": "down", "models": [DOWN_MODEL], "backend": "pool-down"},
        {"name": "plain", "models": [PLAIN_MODEL], "backend": "openai"},
    ]
    g = own_gateway.start(workdir / "gateway", module_kind, backends, routes, KEY_ENV)
    g.pickers = {"header": header_epp, "metadata": metadata_epp}
    yield g
    g.envoy.stop()
    for p in procs:
        p.stop()
    panics = g.panic_lines()
    assert not panics, panics


@pytest.fixture
def oai(pool_gateway):
    with openai.OpenAI(base_url=f"{pool_gateway.url}/v1", api_key=CLIENT_KEY,
                       max_retries=0, timeout=20.0) as c:
        yield c


def served_by_pick(headers) -> str:
    """The server that answered, checked to be at the address the picker chose."""
    server = headers["x-testupstream-backend"]
    picked_ip = headers["x-fake-epp-picked"].rsplit(":", 1)[0]
    assert SERVERS[server] == picked_ip, (server, headers["x-fake-epp-picked"])
    return server


@pytest.mark.parametrize("model", [HEADER_MODEL, METADATA_MODEL])
def test_requests_reach_the_endpoint_the_picker_chose(model, pool_gateway, oai):
    seen = []
    for i in range(6):
        text = f"pool request {i} for {model}"
        raw = oai.chat.completions.with_raw_response.create(
            model=model, messages=[{"role": "user", "content": text}])
        server = served_by_pick(raw.headers)
        completion = raw.parse()
        assert completion.choices[0].message.content == reply(server, text)
        expected_model = METADATA_OVERRIDE if model == METADATA_MODEL else model
        assert completion.model == expected_model, "the pool's translate filter ran"
        assert completion.usage.total_tokens > 0
        seen.append(server)
    # Round robin: both servers, alternating.
    assert set(seen) == set(SERVERS), seen
    assert all(a != b for a, b in zip(seen, seen[1:])), seen


def test_streaming_goes_through_the_picker_chunk_by_chunk(pool_gateway, oai):
    text = "stream one two three four five six seven eight"
    delay_ms = 100
    raw = oai.chat.completions.with_raw_response.create(
        model=HEADER_MODEL, messages=[{"role": "user", "content": text}], stream=True,
        stream_options={"include_usage": True},
        extra_headers={"x-testupstream-chunk-delay-ms": str(delay_ms)})
    server = served_by_pick(raw.headers)
    arrivals, content, usage = [], "", None
    for chunk in raw.parse():
        arrivals.append(time.monotonic())
        if chunk.choices:
            content += chunk.choices[0].delta.content or ""
        if chunk.usage:
            usage = chunk.usage
    assert content == reply(server, text)
    assert usage is not None and usage.completion_tokens == len(reply(server, text).split())
    # Chunks arrive as the server writes them, not all at once at the end.
    assert len(arrivals) > 10
    assert arrivals[-1] - arrivals[0] >= (len(arrivals) - 2) * delay_ms / 1000 * 0.5


def test_a_client_cannot_choose_the_endpoint(pool_gateway):
    # The picker refuses (400) a request that reaches it with this header.
    headers = {"x-gateway-destination-endpoint": pool_gateway.admin_url.removeprefix("http://")}
    with pool_gateway.client() as c:
        r = c.post("/v1/chat/completions", json=chat(HEADER_MODEL, "pick for me"),
                   headers=headers)
    assert r.status_code == 200, r.text
    served_by_pick(r.headers)


def test_a_picker_that_is_down_gives_an_openai_503(pool_gateway, oai):
    for stream in (False, True):
        with pytest.raises(openai.InternalServerError) as e:
            oai.chat.completions.create(
                model=DOWN_MODEL, messages=[{"role": "user", "content": "anyone there"}],
                stream=stream)
        assert e.value.status_code == 503
        body = e.value.response.json()
        assert body["error"]["code"] == "endpoint_picker_unavailable", body
        assert body["error"]["type"] == "server_error"
        assert e.value.response.headers["content-type"] == "application/json"


def test_other_routes_never_call_a_picker(pool_gateway):
    # Were any picker's ext_proc on, the one that is down would answer 503.
    with pool_gateway.client() as c:
        r = c.post("/v1/chat/completions", json=chat(PLAIN_MODEL, "no pool here"))
        assert r.status_code == 200, r.text
        assert r.headers["x-testupstream-backend"] == "openai"
        assert "x-fake-epp-picked" not in r.headers
        r = c.post("/v1/chat/completions", json=chat("no-such-model", "unknown"))
        assert r.status_code == 404, r.text


def test_stopping_the_picker_fails_closed(pool_gateway, oai):
    # Runs last in this module: stops the header pool's picker.
    pool_gateway.pickers["header"].stop()
    with pytest.raises(openai.InternalServerError) as e:
        oai.chat.completions.create(
            model=HEADER_MODEL, messages=[{"role": "user", "content": "picker gone"}])
    assert e.value.status_code == 503
    assert e.value.response.json()["error"]["code"] == "endpoint_picker_unavailable"
    with httpx.Client(base_url=pool_gateway.url, timeout=10.0) as c:
        r = c.post("/v1/chat/completions", json=chat(METADATA_MODEL, "the other pool works"))
    assert r.status_code == 200, r.text
