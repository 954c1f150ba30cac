"""MCP calls forwarded through Envoy's router, with one real stateful MCP server
(support.mcp_server `gamma`, FastMCP over Streamable HTTP) behind the gateway and the official
`mcp` client: progress notifications stream through as the server sends them, a server's
elicitation request inside a call reaches the client and the client's answer reaches the
server, the GET server stream is the server's own, the server's session id never reaches the
client, a client cannot pick the backend with the routing header, and the calls are measured."""

import json
import queue
import threading
import time

import httpx
import pytest
from mcp import types

from support import mcp_gateway, metrics
from support.accesslog import AccessLog
from support.mcp_client import in_session

HEADERS = {"content-type": "application/json", "accept": "application/json, text/event-stream"}
INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-11-25", "capabilities": {},
    "clientInfo": {"name": "raw-test", "version": "1"}}}
PAUSE = 0.4


class Gateway:
    """One Envoy in front of the gamma server."""

    def __init__(self, url, admin_url, access_log):
        self.url, self.admin_url, self.access_log = url, admin_url, access_log


@pytest.fixture(scope="module")
def gw(module_kind, tmp_path_factory):
    workdir = tmp_path_factory.mktemp(f"mcp-streams-{module_kind}")
    gamma, port = mcp_gateway.start_server("gamma", workdir)
    servers = [{"name": "gamma", "url": f"http://127.0.0.1:{port}/mcp",
                "forward_headers": ["x-tenant"]}]
    envoy, url, admin_url = mcp_gateway.start_envoy(workdir, module_kind, servers, 1)
    yield Gateway(url, admin_url, workdir / "access-1.log")
    envoy.stop()
    gamma.stop()


def received(url: str) -> list:
    """The tools gamma ran so far (its own count, asked through the gateway)."""
    async def ask(session):
        return (await session.call_tool("gamma__received", {})).structuredContent["result"]
    return in_session(url, ask)[1]


def test_progress_streams_through_before_the_result(gw):
    before = received(gw.url)
    seen = []

    async def on_progress(progress, total, message):
        seen.append((time.monotonic(), progress, message))

    async def tick(session):
        result = await session.call_tool("gamma__tick", {"n": 3, "pause": PAUSE},
                                         progress_callback=on_progress)
        return time.monotonic(), result

    done, result = in_session(gw.url, tick)[1]
    assert result.content[0].text == "ticked 3"
    assert [(p, m) for _, p, m in seen] == [(1, "tick 1"), (2, "tick 2"), (3, "tick 3")]
    # Buffered, all three would arrive with the result; streamed, the first arrives about
    # three pauses before it.
    assert done - seen[0][0] >= 2 * PAUSE, (done, seen)
    assert seen[1][0] - seen[0][0] >= PAUSE / 2, seen
    assert received(gw.url) == [*before, "tick"], "the server ran the call once"


def test_an_elicitation_inside_a_call_is_answered_by_the_client(gw):
    asked = []

    async def elicit(context, params):
        asked.append(params.message)
        return types.ElicitResult(action="accept", content={"name": "Ada"})

    async def ask(session):
        return await session.call_tool("gamma__ask", {})

    result = in_session(gw.url, ask, elicitation_callback=elicit)[1]
    assert asked == ["Who is there?"]
    assert result.content[0].text == "hello Ada"


def raw_session(client: httpx.Client, url: str, version: str = "2025-11-25") -> str:
    """Initializes a session at protocol `version` with raw HTTP; returns its id."""
    initialize = {**INITIALIZE, "params": {**INITIALIZE["params"], "protocolVersion": version}}
    reply = client.post(url, headers=HEADERS, json=initialize)
    assert reply.status_code == 200, reply.text
    session = reply.headers["mcp-session-id"]
    initialized = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    headers = {**HEADERS, "mcp-session-id": session}
    assert client.post(url, json=initialized, headers=headers).status_code == 202
    return session


def read_stream(client: httpx.Client, url: str, session: str, out: queue.Queue):
    """Opens the GET stream and puts its status, its headers, then each data line on `out`."""
    headers = {"accept": "text/event-stream", "mcp-session-id": session,
               "mcp-protocol-version": "2025-11-25"}
    with client.stream("GET", url, headers=headers) as stream:
        out.put(stream.status_code)
        out.put(dict(stream.headers))
        for line in stream.iter_lines():
            if line.startswith("data:"):
                out.put(line[5:].strip())
                return


def test_the_get_stream_is_the_single_servers_stream(gw):
    lines: queue.Queue = queue.Queue()
    with httpx.Client(timeout=15.0) as client, httpx.Client(timeout=15.0) as streaming:
        session = raw_session(client, gw.url)
        reader = threading.Thread(target=read_stream, args=(streaming, gw.url, session, lines),
                                  daemon=True)
        reader.start()
        assert lines.get(timeout=10) == 200
        headers = lines.get(timeout=10)
        assert headers["content-type"].startswith("text/event-stream")
        assert "mcp-session-id" not in headers, "the server's session id stays inside"
        call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                "params": {"name": "gamma__announce", "arguments": {}}}
        reply = client.post(gw.url, json=call,
                            headers={**HEADERS, "mcp-session-id": session,
                                     "mcp-protocol-version": "2025-11-25"})
        assert reply.status_code == 200, reply.text
        assert "mcp-session-id" not in reply.headers, "the server's session id stays inside"
        assert '"announced"' in reply.text
        assert '"notifications/resources/list_changed"' in lines.get(timeout=10)
        reader.join(timeout=10)
        assert client.delete(gw.url, headers={"mcp-session-id": session}).status_code == 200


def test_a_call_carries_only_the_client_headers_the_server_is_configured_to_get(gw):
    with httpx.Client(timeout=15.0) as client:
        session = raw_session(client, gw.url)
        call = {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
                "params": {"name": "gamma__seen_headers", "arguments": {}}}
        headers = {**HEADERS, "mcp-session-id": session, "mcp-protocol-version": "2025-11-25",
                   "x-tenant": "acme", "cookie": "gateway-only=1", "x-other": "2",
                   "authorization": "Bearer fake-client-token-for-the-gateway",
                   "x-request-id": "forwarded-headers-1"}
        reply = client.post(gw.url, json=call, headers=headers)
        assert reply.status_code == 200, reply.text
        data = [line[5:] for line in reply.text.splitlines() if line.startswith("data:")]
        seen = json.loads(data[-1])["result"]["structuredContent"]
    assert seen["x-tenant"] == "acme"
    assert seen["x-request-id"] == "forwarded-headers-1"
    for name in ("cookie", "x-other", "authorization", "x-aigw-mcp-server"):
        assert name not in seen, f"{name} stays with the gateway"


def test_the_routing_header_of_a_client_picks_no_backend(gw):
    call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
            "params": {"name": "gamma__tick", "arguments": {"n": 1, "pause": 0}}}
    before = received(gw.url)
    with httpx.Client(timeout=15.0) as client:
        other_path = gw.url.replace("/mcp", "/not-mcp")
        headers = {**HEADERS, "x-aigw-mcp-server": "gamma"}
        reply = client.post(other_path, json=call, headers=headers)
        assert reply.status_code == 404, reply.text
        reply = client.post(gw.url, json=call, headers=headers)
        assert reply.status_code == 400, "no session: answered by the gateway"
        assert reply.json()["error"]["code"] == -32600
    assert received(gw.url) == before, "the server ran nothing"


def test_forwarded_calls_and_streams_are_measured_and_logged(gw, module_kind):
    # Version 2025-06-18 is this test's own: the client sessions of the others use 2025-11-25.
    version = "2025-06-18"
    call_labels = {"mcp_method_name": "tools/call", "gen_ai_tool_name": "tick",
                   "aigw_mcp_server": "gamma", "mcp_protocol_version": version}
    delete_labels = {"mcp_method_name": "_OTHER", "mcp_protocol_version": version}
    samples = metrics.scrape(gw.admin_url)
    before = {name: metrics.histogram(samples, module_kind, metrics.MCP_OPERATION_DURATION,
                                      labels)
              for name, labels in (("call", call_labels), ("delete", delete_labels))}
    with httpx.Client(timeout=15.0) as client:
        session = raw_session(client, gw.url, version)
        headers = {**HEADERS, "mcp-session-id": session, "mcp-protocol-version": version}
        call = {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
                "params": {"name": "gamma__tick", "arguments": {"n": 2, "pause": PAUSE}}}
        reply = client.post(gw.url, json=call,
                            headers={**headers, "x-request-id": f"mcp-tick-{module_kind}"})
        assert reply.status_code == 200 and "ticked 2" in reply.text, reply.text
        bad = {"jsonrpc": "2.0", "id": 4, "method": "tools/call",
               "params": {"name": "gamma__tick", "arguments": {"n": "many"}}}
        reply = client.post(gw.url, json=bad,
                            headers={**headers, "x-request-id": f"mcp-bad-{module_kind}"})
        assert reply.status_code == 200, reply.text
        reply = client.delete(gw.url, headers={**headers,
                                               "x-request-id": f"mcp-delete-{module_kind}"})
        assert reply.status_code == 200

    count, total = before["call"]
    metrics.wait_histogram(gw.admin_url, module_kind, metrics.MCP_OPERATION_DURATION,
                           call_labels, count + 1)
    after = metrics.histogram(metrics.scrape(gw.admin_url), module_kind,
                              metrics.MCP_OPERATION_DURATION, call_labels)
    assert after[1] - total >= 2 * PAUSE * 1000 * 0.9, "measured until the answer ended"
    log = AccessLog(gw.access_log)
    line = log.entry(f"mcp-tick-{module_kind}")
    assert (line["mcp_method"], line["mcp_server"], line["mcp_tool"], line["mcp_error"]) == \
        ("tools/call", "gamma", "tick", None)
    bad_line = log.entry(f"mcp-bad-{module_kind}")
    assert (bad_line["mcp_server"], bad_line["mcp_error"]) in {("gamma", "-32602"),
                                                               ("gamma", "tool_error")}
    delete_line = log.entry(f"mcp-delete-{module_kind}")
    assert delete_line["mcp_method"] is None and delete_line["mcp_error"] is None
    metrics.wait_histogram(gw.admin_url, module_kind, metrics.MCP_OPERATION_DURATION,
                           delete_labels, before["delete"][0] + 1)
