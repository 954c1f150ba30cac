"""A backend session that ends under a client: the stateful `alpha` server restarts (it
forgets every session). With the `mcp` 1.x client (gateway session from `initialize`, which it
keeps using afterwards) the next list still succeeds, because the gateway initializes a new
session with alpha and lists again, and calls then go through the router in the renewed
session; a call forwarded through the router straight after a restart meets the server's 404,
which the gateway holds back: it initializes a new session with alpha, sends the call again
in it and gives the client that answer. With the `mcp` 2.x client (stateless 2026-07-28, no
session at all) the gateway renews the session it keeps and sends the call again."""

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from support import mcp_gateway, paths
from support.accesslog import AccessLog
from support.procs import Proc, free_port


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
                progress = []

                async def on_progress(done, total, message):
                    progress.append((done, total, message))

                counted = await session.call_tool("alpha__count_slowly", {"n": 2},
                                                  progress_callback=on_progress)
                third = await session.call_tool("alpha__add", {"a": 3, "b": 4})
                again = await session.call_tool("alpha__received", {})
                return first, tools, second, received, (counted, progress, third, again)
    first, tools, second, received, after_restart = asyncio.run(main())
    assert first.content[0].text == "3"
    assert "alpha__add" in tools and "beta__echo" in tools, "a list renewed the session"
    assert not second.isError, second
    assert second.content[0].text == "42", "the call went to the renewed session"
    assert received.structuredContent["result"] == ["add"], "calls reach the new process"
    counted, progress, third, again = after_restart
    assert not counted.isError, counted
    assert counted.content[0].text == "counted to 2", "renewed and sent again"
    assert progress == [(1, 2, "step 1"), (2, 2, "step 2")], "its progress was relayed"
    assert not third.isError and third.content[0].text == "7", third
    assert again.structuredContent["result"] == ["count_slowly", "add"], \
        "each call ran once, and the renewal is kept: the next call went to the new session"


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


@pytest.fixture
def expiring(module_kind, tmp_path):
    """The gateway in front of one server whose sessions end on demand and which refuses
    an unknown session with a headers-only 404."""
    port = free_port()
    argv = [sys.executable, "-m", "support.expiring_mcp_server", str(port)]
    server = Proc("expiring mcp server", argv, tmp_path / "expiring.log",
                  env={"PYTHONPATH": str(Path(__file__).parent)})
    mcp_gateway.wait_listening(server, port)
    servers = [{"name": "exp", "url": f"http://127.0.0.1:{port}/mcp"}]
    envoy, url, _ = mcp_gateway.start_envoy(tmp_path, module_kind, servers, 1)
    yield url, AccessLog(tmp_path / "access-1.log")
    envoy.stop()
    server.stop()


def test_a_call_meeting_a_headers_only_404_is_sent_again_once_in_a_renewed_session(expiring):
    url, access_log = expiring
    headers = {"accept": "application/json, text/event-stream"}
    with httpx.Client(timeout=30) as http:
        def post(message):
            request_id = {"x-request-id": f"exp-{message.get('id')}"}
            return http.post(url, json=message, headers={**headers, **request_id})

        init = post({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {"elicitation": {}},
            "clientInfo": {"name": "it", "version": "1"}}})
        assert init.status_code == 200, init.text
        headers["mcp-session-id"] = init.headers["mcp-session-id"]
        headers["mcp-protocol-version"] = "2025-06-18"
        assert post({"jsonrpc": "2.0", "method": "notifications/initialized"}).status_code == 202

        def call(tool, rid):
            reply = post({"jsonrpc": "2.0", "id": rid, "method": "tools/call",
                          "params": {"name": f"exp__{tool}", "arguments": {}}})
            assert not reply.headers.get("mcp-session-id", "").startswith("s-"), \
                "the server's own session id never reaches the client"
            return reply

        def whoami(rid):
            reply = call("whoami", rid)
            assert reply.status_code == 200, reply.text
            assert reply.headers["content-type"] == "application/json"
            assert int(reply.headers["content-length"]) == len(reply.content)
            answer = reply.json()
            assert answer["id"] == rid, answer
            return answer["result"]["content"][0]["text"]

        assert whoami(1) == "s-1"
        call("forget", 2)
        assert whoami(3) == "s-2", "the 404 was replaced by the answer in a new session"
        assert whoami(4) == "s-2", "later requests of the session use the renewal"
        call("forget", 5)
        assert [whoami(6), whoami(7)] == ["s-3", "s-3"], "a renewed session renews again"
        declared = call("capabilities", 10).json()["result"]["content"][0]["text"]
        assert json.loads(declared) == {"elicitation": {}}, \
            "the renewal declared the client's capabilities again"
        stuck = call("stuck", 8)
        counts = json.loads(call("counts", 9).json()["result"]["content"][0]["text"])
    assert stuck.status_code == 404, stuck.text
    assert stuck.json()["error"]["code"] == -32600
    assert stuck.json()["id"] == 8
    # Five whoami calls, two of them sent twice (after forget): 7; stuck once and again.
    assert counts == {"whoami": 7, "forget": 2, "capabilities": 1, "stuck": 2, "counts": 1}, \
        "each 404 was answered by one renewal and one request sent again, never more"
    renewed, refused = access_log.entry("exp-3"), access_log.entry("exp-8")
    assert (renewed["status"], renewed["mcp_tool"], renewed["mcp_error"]) == (200, "whoami", None)
    assert (refused["status"], refused["mcp_tool"], refused["mcp_error"]) == (404, "stuck", "-32600")
    assert len([e for e in access_log.entries() if e["request_id"] == "exp-3"]) == 1
