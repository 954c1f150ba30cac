"""The MCP gateway under test: two real MCP servers (support.mcp_server) behind two Envoy
replicas whose config has an `mcp` section, rendered by `aigw translate` for one artifact kind."""

import base64
import json
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from . import paths
from .gateway import config_yaml, translate
from .procs import Proc, free_port

# An obviously fake session key (base64 of 32 bytes) given to Envoy's environment.
SESSION_KEY = base64.b64encode(b"fake-mcp-session-key-for-tests!!").decode()
SESSION_KEY_ENV = "AIGW_IT_MCP_SESSION_KEY"
SEPARATOR = "__"


@dataclass
class McpGateway:
    """A running gateway and the MCP servers behind it."""

    url: str
    replica_url: str
    envoys: list
    servers: list
    # Admin URL and access log file of the first replica (the one at `url`).
    admin_url: str
    access_log: Path

    def stop(self):
        for p in [*self.envoys, *self.servers]:
            p.stop()


def rpc_answer(reply) -> dict:
    """The JSON-RPC response in an httpx reply: its JSON body, or the response message of
    its SSE stream (a server answering a forwarded call may stream)."""
    if not reply.headers.get("content-type", "").startswith("text/event-stream"):
        return reply.json()
    messages = [json.loads(line[5:]) for line in reply.text.splitlines()
                if line.startswith("data:")]
    responses = [m for m in messages if "result" in m or "error" in m]
    assert len(responses) == 1, reply.text
    return responses[0]


def start_server(name: str, workdir: Path, port: int | None = None) -> tuple[Proc, int]:
    """Starts MCP server `name` on `port` (default: a free one); waits until it listens."""
    port = port or free_port()
    argv = [sys.executable, "-m", "support.mcp_server", name, str(port)]
    proc = Proc(f"mcp server {name}", argv, workdir / f"mcp-{name}.log",
                env={"PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    wait_listening(proc, port)
    return proc, port


def wait_listening(proc: Proc, port: int, timeout: float = 15.0):
    """Waits until `port` accepts connections; fails if `proc` exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            proc.fail(f"exited with {proc.popen.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    proc.fail(f"did not listen on port {port} within {timeout:.0f} s")


def default_servers(ports: dict) -> list[dict]:
    """The `mcp.servers` entries of the alpha and beta servers listening on `ports`."""
    return [
        {"name": "alpha", "url": f"http://127.0.0.1:{ports['alpha']}/mcp",
         "tools": {"exclude_regex": ["secret_.*"]}},
        {"name": "beta", "url": f"http://127.0.0.1:{ports['beta']}/mcp"},
    ]


def config(kind: str, listen: int, admin: int, servers: list[dict],
           authorization: dict | None = None) -> dict:
    """A gateway config with one unused LLM backend and the MCP `servers` (and the MCP
    `authorization` section when given)."""
    mcp = {
        "session_key_env": SESSION_KEY_ENV,
        "separator": SEPARATOR,
        "callout_timeout_ms": 10000,
        "servers": servers,
    }
    if authorization is not None:
        mcp["authorization"] = authorization
    return {
        "listen": f"127.0.0.1:{listen}",
        "admin": f"127.0.0.1:{admin}",
        "module": kind,
        "backends": [{"name": "unused", "schema": "OpenAI", "endpoint": "http://127.0.0.1:9/v1",
                      "auth": {"kind": "bearer", "key_env": SESSION_KEY_ENV}}],
        "routes": [{"name": "unused", "models": ["unused"], "backend": "unused"}],
        "mcp": mcp,
    }


def start_envoy(workdir: Path, kind: str, servers: list[dict], replica: int,
                authorization: dict | None = None) -> tuple[Proc, str, str]:
    """Starts one Envoy (replica number `replica`) in front of the MCP `servers`; returns it,
    its MCP endpoint URL and its admin URL (access log: `workdir/access-{replica}.log`)."""
    listen, admin = free_port(), free_port()
    config_file = workdir / f"gateway-{replica}.yaml"
    config_file.write_text(config_yaml(config(kind, listen, admin, servers, authorization)))
    bootstrap = workdir / f"envoy-{replica}.yaml"
    translate(config_file, kind, workdir / f"access-{replica}.log", bootstrap)
    env = {SESSION_KEY_ENV: SESSION_KEY}
    if kind == "native":
        env["ENVOY_DYNAMIC_MODULES_SEARCH_PATH"] = str(paths.modules_dir(kind))
    argv = [paths.envoy_bin(), "-c", bootstrap, "--disable-hot-restart", "--concurrency", "1",
            "--file-flush-interval-msec", "100", "--log-level", "warn"]
    envoy = Proc(f"envoy mcp {replica} ({kind})", argv, workdir / f"envoy-{replica}.log", env=env)
    envoy.wait_http_ok(f"http://127.0.0.1:{admin}/ready")
    return envoy, f"http://127.0.0.1:{listen}/mcp", f"http://127.0.0.1:{admin}"


def start(workdir: Path, kind: str, authorization: dict | None = None) -> McpGateway:
    """Starts both MCP servers and two gateway replicas of `kind` (same session key) in
    front of them, with the MCP `authorization` section when given."""
    workdir.mkdir(parents=True, exist_ok=True)
    servers, ports = [], {}
    for name in ("alpha", "beta"):
        proc, ports[name] = start_server(name, workdir)
        servers.append(proc)
    envoy, url, admin_url = start_envoy(workdir, kind, default_servers(ports), 1, authorization)
    replica, replica_url, _ = start_envoy(workdir, kind, default_servers(ports), 2,
                                          authorization)
    return McpGateway(url=url, replica_url=replica_url, envoys=[envoy, replica],
                      servers=servers, admin_url=admin_url, access_log=workdir / "access-1.log")
