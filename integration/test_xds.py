"""`aigw serve` drives two Envoys over ADS. Under 20 s of steady load (20 req/s per Envoy)
the config file changes three times (a new backend and route, a changed model override, a
changed cost, which is a filter config delivered by ECDS), once to an invalid config that
must not be pushed, and once to a config the Envoys reject (NACK, logged with the reason).
Each of the three changes must take effect in both Envoys within 2 s, no request of the load
may fail, and slow streams in flight across each change must finish."""

import threading
import time
import uuid

import httpx
import yaml

from support.accesslog import number
from support.upstream import KEYS
from support.xds_fleet import start_envoy, start_server

LOAD_SECONDS = 20.0
RATE = 20.0  # requests per second per Envoy
MAX_UPDATE_SECONDS = 2.0


def config(upstream_port: int, *, new_backend=False, override="target-a", cost="TotalToken"):
    backends = [{"name": "openai", "schema": "OpenAI",
                 "endpoint": f"http://127.0.0.1:{upstream_port}/v1",
                 "auth": {"kind": "bearer", "key_env": "AIGW_IT_OPENAI_KEY"}}]
    routes = [{"name": "gpt", "models": ["gpt-4o-mini"], "backend": "openai"},
              {"name": "alias", "models": ["alias-model"], "backend": "openai",
               "model_override": override}]
    if new_backend:
        backends.append({"name": "modelb", "schema": "OpenAI",
                         "endpoint": f"http://127.0.0.1:{upstream_port}/v1",
                         "auth": {"kind": "bearer", "key_env": "AIGW_IT_MODELB_KEY"}})
        routes.append({"name": "new", "models": ["new-model"], "backend": "modelb"})
    return {"backends": backends, "routes": routes,
            "costs": [{"metadata_key": "llm_cost", "type": cost}]}


def chat(client: httpx.Client, model: str, request_id: str | None = None) -> httpx.Response:
    headers = {"x-request-id": request_id} if request_id else {}
    return client.post("/v1/chat/completions", headers=headers, json={
        "model": model, "messages": [{"role": "user", "content": "steady load for xds"}]})


class Load(threading.Thread):
    """Sends chat requests to one Envoy at a fixed rate; counts every non-200 or error."""

    def __init__(self, url: str, stop: threading.Event):
        super().__init__(daemon=True)
        self.url, self.stop, self.sent, self.failures = url, stop, 0, []

    def run(self):
        with httpx.Client(base_url=self.url, timeout=10.0) as client:
            start = time.monotonic()
            while not self.stop.is_set():
                model = "gpt-4o-mini" if self.sent % 2 == 0 else "alias-model"
                try:
                    r = chat(client, model)
                    if r.status_code != 200:
                        self.failures.append(f"{model}: {r.status_code} {r.text[:200]}")
                except httpx.HTTPError as e:
                    self.failures.append(f"{model}: {e!r}")
                self.sent += 1
                delay = start + self.sent / RATE - time.monotonic()
                if delay > 0:
                    time.sleep(delay)


class SlowStream(threading.Thread):
    """One streamed chat whose events arrive 150 ms apart, so it is in flight during a change;
    it must end with `[DONE]` (nothing cut)."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url, self.outcome = url, "not finished"

    def run(self):
        body = {"model": "gpt-4o-mini", "stream": True,
                "messages": [{"role": "user", "content": "stream across a config change"}]}
        try:
            with httpx.Client(base_url=self.url, timeout=30.0) as client, client.stream(
                    "POST", "/v1/chat/completions", json=body,
                    headers={"x-testupstream-chunk-delay-ms": "150"}) as r:
                text = "".join(r.iter_text())
            done = r.status_code == 200 and text.rstrip().endswith("data: [DONE]")
            self.outcome = "ok" if done else f"{r.status_code}: {text[-200:]!r}"
        except httpx.HTTPError as e:
            self.outcome = repr(e)


def wait_effect(envoys, check, written_at: float) -> float:
    """Polls `check(envoy, client)` on every Envoy until all pass; the seconds from the write."""
    pending = list(envoys)
    clients = {e.name: httpx.Client(base_url=e.url, timeout=5.0) for e in envoys}
    try:
        while pending and time.monotonic() - written_at < 10.0:
            pending = [e for e in pending if not check(e, clients[e.name])]
            if pending:
                time.sleep(0.02)
    finally:
        for c in clients.values():
            c.close()
    assert not pending, f"change not seen by {[e.name for e in pending]} within 10 s"
    return time.monotonic() - written_at


def new_route_works(_envoy, client) -> bool:
    r = chat(client, "new-model")
    return r.status_code == 200 and r.headers.get("x-testupstream-backend") == "modelb"


def override_is(target):
    def check(_envoy, client) -> bool:
        r = chat(client, "alias-model")
        return r.status_code == 200 and r.json()["model"] == target
    return check


def cost_is_output_tokens(envoy, client) -> bool:
    rid = f"xds-cost-{uuid.uuid4()}"
    r = chat(client, "gpt-4o-mini", rid)
    assert r.status_code == 200, r.text
    usage = r.json()["usage"]
    entry = envoy.access_log.entry(rid)
    return number(entry.get("llm_cost")) == usage["completion_tokens"] != usage["total_tokens"]


def test_config_changes_reach_both_envoys_under_load(module_kind, upstream, tmp_path):
    path = tmp_path / "gateway.yaml"
    path.write_text(yaml.safe_dump(config(upstream.port)))
    server, xds_port = start_server(path, module_kind, tmp_path)
    envoys = []
    try:
        envoys = [start_envoy(path, module_kind, xds_port, f"envoy-{i}", tmp_path)
                  for i in (1, 2)]
        with httpx.Client(base_url=envoys[0].url, timeout=5.0) as c:
            assert chat(c, "new-model").status_code == 404
            assert override_is("target-a")(envoys[0], c)
        stop = threading.Event()
        loads = [Load(e.url, stop) for e in envoys]
        for load in loads:
            load.start()
        started = time.monotonic()
        changes = [
            ("new backend and route", config(upstream.port, new_backend=True), new_route_works),
            ("changed model override",
             config(upstream.port, new_backend=True, override="target-b"), override_is("target-b")),
            ("changed cost (ECDS filter config)",
             config(upstream.port, new_backend=True, override="target-b", cost="OutputToken"),
             cost_is_output_tokens),
        ]
        latencies = []
        time.sleep(2.0)
        # An invalid config is logged with its problem and not pushed.
        broken = config(upstream.port)
        broken["routes"][0]["backend"] = "nosuch"
        path.write_text(yaml.safe_dump(broken))
        server.wait_for_output(r'routes\[0\]\.backend: unknown backend "nosuch"', timeout=5)
        streams = []
        for name, cfg, check in changes:
            time.sleep(3.0)
            in_flight = [SlowStream(e.url) for e in envoys]
            for st in in_flight:
                st.start()
            time.sleep(0.3)
            path.write_text(yaml.safe_dump(cfg))
            latency = wait_effect(envoys, check, time.monotonic())
            latencies.append((name, latency))
            streams += in_flight
        # A config Envoy rejects (a key variable the Envoys lack) is NACKed with Envoy's reason;
        # the Envoys keep serving.
        nack = config(upstream.port, new_backend=True, override="target-b", cost="OutputToken")
        nack["backends"][0]["auth"]["key_env"] = "AIGW_IT_UNSET_KEY"
        time.sleep(1.0)
        path.write_text(yaml.safe_dump(nack))
        for e in envoys:
            server.wait_for_output(f'NACK from "{e.name}" for TypedExtensionConfig version \\w+: .+',
                                   timeout=5)
        time.sleep(max(0.0, LOAD_SECONDS - (time.monotonic() - started)))
        stop.set()
        for load in loads:
            load.join(timeout=15)
        for st in streams:
            st.join(timeout=15)
        elapsed = time.monotonic() - started
        failures = [f for load in loads for f in load.failures]
        sent = sum(load.sent for load in loads)
        print(f"\n[{module_kind}] load: {sent} requests over {elapsed:.1f} s to 2 Envoys, "
              f"failed: {len(failures)}; streams in flight across a change: {len(streams)}, "
              f"cut: {sum(st.outcome != 'ok' for st in streams)}")
        for name, latency in latencies:
            print(f"[{module_kind}] update '{name}': effective in both Envoys after "
                  f"{latency * 1000:.0f} ms")
        assert not failures, failures[:5]
        assert [st.outcome for st in streams] == ["ok"] * len(streams)
        assert sent >= 2 * RATE * LOAD_SECONDS * 0.9, f"only {sent} requests sent"
        for name, latency in latencies:
            assert latency < MAX_UPDATE_SECONDS, f"{name}: {latency:.2f} s"
        log = server.log.read_text()
        assert "NACK" not in log.split("pushing generation 5")[0], server.tail()
        rejected = log.index("keeping generation 1: invalid config")
        assert rejected < log.index("pushing generation 2"), "the broken config was pushed"
        for e in envoys:
            assert e.proc.popen.poll() is None, e.proc.tail()
    finally:
        for e in envoys:
            e.proc.stop()
        server.stop()
    assert KEYS["modelb"] not in server.log.read_text()
