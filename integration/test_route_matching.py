"""Routes matching a model prefix or regex, request headers and the host, in the real Envoy
(through `aigw run` with its own config): exact names win over patterns, and a route whose
header or host does not match falls through to the OpenAI-style 404."""

import httpx
import pytest
import yaml

from support import paths
from support.bodies import chat
from support.gateway import KEY_ENV
from support.procs import Proc, free_port


def config(upstream_port: int, listen: int, admin: int, kind: str) -> dict:
    base = f"http://127.0.0.1:{upstream_port}/v1"
    return {
        "listen": f"127.0.0.1:{listen}", "admin": f"127.0.0.1:{admin}", "module": kind,
        "backends": [
            {"name": "openai", "schema": "OpenAI", "endpoint": base,
             "auth": {"kind": "bearer", "key_env": "AIGW_IT_OPENAI_KEY"}},
            {"name": "modelb", "schema": "OpenAI", "endpoint": base,
             "auth": {"kind": "bearer", "key_env": "AIGW_IT_MODELB_KEY"}},
        ],
        "routes": [
            {"name": "prefix", "model_prefix": "gpt-4o", "backend": "openai"},
            {"name": "exact", "models": ["gpt-4o-b"], "backend": "modelb"},
            {"name": "regex", "model_regex": "o[0-9]+-mini", "backend": "modelb"},
            {"name": "tenant", "models": ["tenant-model"], "backend": "modelb",
             "headers": [{"name": "x-tenant", "exact": "blue"}]},
            {"name": "host", "models": ["host-model"], "backend": "openai",
             "host": "llm.example.test"},
        ],
    }


@pytest.fixture(scope="module")
def matching_gateway(upstream, module_kind, tmp_path_factory):
    """`aigw run` on the matching config; yields an HTTP client for its listener."""
    workdir = tmp_path_factory.mktemp(f"route-matching-{module_kind}")
    listen, admin = free_port(), free_port()
    path = workdir / "gateway.yaml"
    path.write_text(yaml.safe_dump(config(upstream.port, listen, admin, module_kind)))
    argv = [paths.aigw(), "run", str(path), "--state-dir", workdir / "state"]
    env = {"ENVOY_BIN": str(paths.envoy_bin()), **KEY_ENV}
    proc = Proc("aigw run (route matching)", argv, workdir / "aigw-run.log", env=env)
    try:
        proc.wait_http_ok(f"http://127.0.0.1:{admin}/ready", timeout=30)
        with httpx.Client(base_url=f"http://127.0.0.1:{listen}", timeout=15.0) as client:
            yield client
    finally:
        proc.stop()


def backend_of(client: httpx.Client, model: str, **headers) -> str | int:
    """The testupstream backend that served `model`, or the status when none did."""
    r = client.post("/v1/chat/completions", json=chat(model, "which route"), headers=headers)
    if r.status_code != 200:
        return r.status_code
    return r.headers["x-testupstream-backend"]


def test_exact_model_wins_over_an_earlier_prefix(matching_gateway):
    assert backend_of(matching_gateway, "gpt-4o-b") == "modelb"
    assert backend_of(matching_gateway, "gpt-4o-anything") == "openai"


def test_regex_matches_the_whole_model_name(matching_gateway):
    assert backend_of(matching_gateway, "o3-mini") == "modelb"
    assert backend_of(matching_gateway, "o3-mini-high") == 404


def test_header_match(matching_gateway):
    assert backend_of(matching_gateway, "tenant-model", **{"x-tenant": "blue"}) == "modelb"
    assert backend_of(matching_gateway, "tenant-model", **{"x-tenant": "red"}) == 404
    assert backend_of(matching_gateway, "tenant-model") == 404


def test_host_match_with_any_port(matching_gateway):
    assert backend_of(matching_gateway, "host-model", host="llm.example.test:1975") == "openai"
    assert backend_of(matching_gateway, "host-model", host="llm.example.test") == "openai"
    assert backend_of(matching_gateway, "host-model", host="other.example.test") == 404


def test_models_lists_only_exact_names(matching_gateway):
    ids = [m["id"] for m in matching_gateway.get("/v1/models").json()["data"]]
    assert ids == ["gpt-4o-b", "tenant-model", "host-model"]
