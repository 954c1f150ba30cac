"""A backend session that ends under a client: the stateful `alpha` server restarts (it
forgets every session). With the `mcp` 1.x client (gateway session from `initialize`, which it
keeps using afterwards) the next list still succeeds, because the gateway initializes a new
session with alpha and lists again, and calls then go through the router in the renewed
session; a call forwarded through the router straight after a restart gets the server's 404
(the spec's signal to initialize again). With the `mcp` 2.x client (stateless 2026-07-28, no
session at all) the gateway renews the session it keeps and sends the call again."""

import asyncio
import json
import subprocess
from pathlib import Path

import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import McpError

from support import mcp_gateway, paths


class Restartable:
    """The gateway (one replica) in front of alpha and beta; alpha can be restarted."""

    def __init__(self, workdir: Path, kind: str):
        self.workdir, self.restarts = workdir, 0
        self.alpha, self.alpha_port = mcp_gateway.start_server("alpha", workdir)
        self.beta, beta_port = mcp_gateway.start_server("beta", workdir)
        ports = {"alpha": self.alpha_port, "beta": beta_port}
        self.envoy, self.url, _ = mcp_gateway.start_envoy(
            workdir, kind, mcp_gateway.default_servers(ports), 1)

    def restart_alpha(self):
        """Stops alpha and starts a new process on the same port (all sessions gone)."""
        self.alpha.stop()
        self.restarts += 1
        run_dir = self.workdir / f"restart-{self.restarts}"
        run_dir.mkdir()
        self.alpha, _ = mcp_gateway.start_server("alpha", run_dir, self.alpha_port)

    def stop(self):
        for p in (self.envoy, self.alpha, self.beta):
            p.stop()


@pytest.fixture
def gw(module_kind, tmp_path):
    g = Restartable(tmp_path, module_kind)
    yield g
    g.stop()


def test_a_restarted_server_is_initialized_again_by_a_list_within_the_clients_session(gw):
    async def main():
        async with streamable_http_client(gw.url) as (read, write, _):
            async with ClientSession(read, write) as session:
                await session.initialize()
                first = await session.call_tool("alpha__add", {"a": 1, "b": 2})
                gw.restart_alpha()
                tools = [t.name for t in (await session.list_tools()).tools]
                second = await session.call_tool("alpha__add", {"a": 2, "b": 40})
                received = await session.call_tool("alpha__received", {})
                gw.restart_alpha()
                with pytest.raises(McpError, match="Session terminated"):
                    await session.call_tool("alpha__add", {"a": 3, "b": 4})
                return first, tools, second, received
    first, tools, second, received = asyncio.run(main())
    assert first.content[0].text == "3"
    assert "alpha__add" in tools and "beta__echo" in tools, "a list renewed the session"
    assert not second.isError, second
    assert second.content[0].text == "42", "the call went to the renewed session"
    assert received.structuredContent["result"] == ["add"], "calls reach the new process"


def run_mcp2_client(url: str) -> dict:
    script = Path(__file__).parent / "support" / "mcp2_client.py"
    done = subprocess.run([str(paths.mcp2_python()), "-I", str(script), url],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_a_restarted_server_is_initialized_again_for_stateless_clients(gw):
    before = run_mcp2_client(gw.url)
    assert before["protocol_version"] == "2026-07-28"
    gw.restart_alpha()
    after = run_mcp2_client(gw.url)
    assert after["protocol_version"] == "2026-07-28"
    assert "alpha__add" in after["tools"], "alpha is listed again"
    assert (after["added"], after["counted"]) == ("42", "counted to 3")
    assert after["alpha_received"]["result"] == ["add", "count_slowly"], "only the new calls"
