"""Panic safety, with the host's test-only demo filter (shared/host/examples/wasm_demo.rs,
built for both hosts by scripts/setup.sh; model `panic` makes it panic while reading the
request body). No production filter has a panic knob.

- Native: the host catches the unwind at the exported entry point, logs `panic in <hook>`
  and answers 500 with an OpenAI-style error; later requests are served.
- Wasm: Rust in wasm32 aborts on panic, which traps the V8 VM. Observed on Envoy 1.40.0:
  Envoy fails the stream with a 503 without body (details `wasm_fail_stream`; a local reply
  the VM sends from its panic hook is deferred by Envoy until the VM call returns, and the
  trap discards it), the log shows the Rust panic message, and with
  `failure_policy: FAIL_RELOAD` (which `aigw translate` sets) the VM is reloaded after about
  a second, during which every request on that worker fails the same way. The listener's
  `local_reply_config` that `aigw translate` generates for wasm turns that reply into the
  same 500 the native host sends, in the client's schema; this test uses the generated
  mappers.
- Both: a request on an `/anthropic/` path gets Anthropic's error object instead."""

import json
import time

import httpx
import pytest
import yaml

from support import paths
from support.gateway import translate
from support.procs import Proc, free_port

# The native host's reply (shared/host/src/native/guard.rs INTERNAL_ERROR_BODY).
NATIVE_BODY = {"error": {"message": "internal error in gateway filter", "type": "server_error",
                         "code": "internal_error"}}
ANTHROPIC_BODY = {"type": "error", "error": {"type": "api_error",
                                              "message": "internal error in gateway filter"}}


def demo_module(kind: str):
    if kind == "native":
        path = paths.TARGET_DIR / "release" / "examples" / "libwasm_demo.so"
    else:
        path = paths.TARGET_DIR / "wasm32-wasip1" / "release" / "examples" / "wasm_demo.wasm"
    if not path.is_file():
        pytest.fail(f"missing {path}: run scripts/setup.sh", pytrace=False)
    return path


def generated_local_reply_config(kind: str, upstream_port: int, workdir) -> dict:
    """The listener's `local_reply_config` that `aigw translate` writes for `kind`."""
    config = workdir / "gateway.yaml"
    config.write_text(yaml.safe_dump({
        "listen": f"127.0.0.1:{free_port()}", "admin": f"127.0.0.1:{free_port()}",
        "module": kind,
        "backends": [{"name": "openai", "schema": "OpenAI",
                      "endpoint": f"http://127.0.0.1:{upstream_port}/v1",
                      "auth": {"kind": "bearer", "key_env": "AIGW_PANIC_TEST_KEY"}}],
        "routes": [{"name": "gpt", "models": ["gpt-4.1"], "backend": "openai"}]}))
    out = workdir / "generated.yaml"
    translate(config, kind, workdir / "access.log", out)
    listener = yaml.safe_load(out.read_text())["static_resources"]["listeners"][0]
    return listener["filter_chains"][0]["filters"][0]["typed_config"]["local_reply_config"]


def bootstrap(kind: str, module, port: int, admin: int, upstream_port: int,
              local_reply_config: dict) -> dict:
    config = {"@type": "type.googleapis.com/google.protobuf.StringValue",
              "value": json.dumps({"role": "router", "callout_cluster": "backend"})}
    if kind == "native":
        typed = {"@type": "type.googleapis.com/envoy.extensions.filters.http.dynamic_modules.v3."
                          "DynamicModuleFilter",
                 "dynamic_module_config": {"name": "wasm_demo"}, "filter_name": "wasm_demo",
                 "filter_config": config}
    else:
        typed = {"@type": "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
                 "config": {"name": "demo", "root_id": "demo", "configuration": config,
                            "allow_on_headers_stop_iteration": True,
                            "failure_policy": "FAIL_RELOAD",
                            "vm_config": {"vm_id": "demo", "runtime": "envoy.wasm.runtime.v8",
                                          "code": {"local": {"filename": str(module)}}}}}
    address = {"socket_address": {"address": "127.0.0.1", "port_value": upstream_port}}
    hcm = {"@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager."
                    "v3.HttpConnectionManager",
           "stat_prefix": "panic",
           "local_reply_config": local_reply_config,
           "route_config": {"virtual_hosts": [{"name": "all", "domains": ["*"], "routes": [
               {"match": {"prefix": "/"}, "route": {"cluster": "backend"}}]}]},
           "http_filters": [{"name": "demo", "typed_config": typed},
                            {"name": "envoy.filters.http.router", "typed_config": {
                                "@type": "type.googleapis.com/envoy.extensions.filters.http."
                                         "router.v3.Router"}}]}
    return {"admin": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": admin}}},
            "static_resources": {
                "listeners": [{"name": "main", "address": {"socket_address": {
                    "address": "127.0.0.1", "port_value": port}}, "filter_chains": [{"filters": [
                        {"name": "envoy.filters.network.http_connection_manager",
                         "typed_config": hcm}]}]}],
                "clusters": [{"name": "backend", "type": "STATIC", "load_assignment": {
                    "cluster_name": "backend",
                    "endpoints": [{"lb_endpoints": [{"endpoint": {"address": address}}]}]}}]}}


def test_panic_in_a_filter(module_kind, upstream, tmp_path):
    module = demo_module(module_kind)
    port, admin = free_port(), free_port()
    config = tmp_path / "envoy.json"
    replies = generated_local_reply_config(module_kind, upstream.port, tmp_path)
    config.write_text(json.dumps(bootstrap(module_kind, module, port, admin, upstream.port,
                                           replies)))
    env = {"ENVOY_DYNAMIC_MODULES_SEARCH_PATH": str(module.parent)}
    envoy = Proc(f"envoy panic ({module_kind})", [paths.envoy_bin(), "-c", config,
                                                   "--disable-hot-restart", "--concurrency", "1",
                                                   "--log-level", "warn"],
                 tmp_path / "envoy.log", env=env)
    try:
        envoy.wait_http_ok(f"http://127.0.0.1:{admin}/ready")
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as c:
            r = c.post("/v1/chat/completions", json={"model": "panic", "messages": []})
            print(f"{module_kind}: panic answered {r.status_code} {r.headers.get('content-type')} "
                  f"{r.text!r}")
            log = envoy.log.read_text(errors="replace")
            assert r.status_code == 500, r.text
            assert r.headers["content-type"] == "application/json"
            assert r.json() == NATIVE_BODY
            if module_kind == "native":
                assert "panic in on_request_body: demo filter panics on purpose" in log, log
            else:
                assert "panicked at" in log or "wasm trap" in log.lower(), log
            wait_until_served(c, module_kind)
            r = c.post("/anthropic/v1/messages", json={"model": "panic", "messages": []})
            print(f"{module_kind}: anthropic path panic answered {r.status_code} {r.text!r}")
            assert r.status_code == 500 and r.json() == ANTHROPIC_BODY, r.text
            wait_until_served(c, module_kind)
    finally:
        envoy.stop()


def wait_until_served(c: httpx.Client, module_kind: str):
    """Any other model: the demo buffers the body and the request reaches testupstream, which
    refuses it without a key (401). Wasm: until the trapped VM is reloaded, the failed
    filter's 500."""
    statuses = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        r = c.post("/v1/chat/completions", json={"model": "gpt-4.1", "messages": []})
        statuses.append(r.status_code)
        if r.status_code != 500:
            break
        assert r.json() == NATIVE_BODY, r.text
        time.sleep(0.2)
    print(f"{module_kind}: after the panic: {statuses}")
    assert statuses[-1] == 401, statuses
    if module_kind == "native":
        assert statuses == [401], statuses
