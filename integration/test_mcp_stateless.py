"""The stateless MCP revision 2026-07-28 through the gateway: the official `mcp` 2.x client
(its own virtualenv, see support/mcp2_client.py) connects without `initialize` or a session,
discovers the gateway, lists and calls tools, prompts and resources of the two real servers
behind it (both built on `mcp` 1.x, so they speak only the handshake revisions and the gateway
initializes their sessions itself). Raw requests check the routing headers: a `Mcp-Method` or
`Mcp-Name` that disagrees with the body is refused and never reaches a server."""

import json
import subprocess
from pathlib import Path

import httpx
import pytest

from support import mcp_gateway, metrics, paths
from support.accesslog import AccessLog

VERSION = "2026-07-28"
META = {"io.modelcontextprotocol/protocolVersion": VERSION,
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "raw-stateless-test", "version": "1"}}


@pytest.fixture(scope="module")
def mcp_gw(module_kind, tmp_path_factory):
    g = mcp_gateway.start(tmp_path_factory.mktemp(f"mcp-stateless-{module_kind}"), module_kind)
    yield g
    g.stop()


def post(url: str, method: str, params: dict, name: str | None = None, rid: int = 1,
         **headers) -> httpx.Response:
    """A stateless request: `_meta` envelope and routing headers (overridden by `headers`)."""
    sent = {"content-type": "application/json", "accept": "application/json, text/event-stream",
            "mcp-protocol-version": VERSION, "mcp-method": method}
    if name is not None:
        sent["mcp-name"] = name
    sent.update({k.replace("_", "-"): v for k, v in headers.items()})
    body = {"jsonrpc": "2.0", "id": rid, "method": method, "params": {**params, "_meta": META}}
    return httpx.post(url, json=body, headers=sent, timeout=15.0)


def test_the_mcp_2_client_works_statelessly_through_the_gateway(mcp_gw):
    script = Path(__file__).parent / "support" / "mcp2_client.py"
    done = subprocess.run([str(paths.mcp2_python()), "-I", str(script), mcp_gw.url],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout)
    assert seen["protocol_version"] == VERSION, "the client fell back to initialize"
    assert seen["server_name"] == "aigw-mcp-gateway"
    assert seen["tools_capability"]
    assert sorted(seen["tools"]) == ["alpha__add", "alpha__count_slowly", "alpha__received",
                                     "beta__echo", "beta__received", "beta__shout"]
    assert (seen["added"], seen["shouted"]) == ("42", "HELLO")
    assert seen["counted"] == "counted to 3"
    assert [p[0] for p in seen["progress"]] == [1, 2, 3]
    assert seen["prompt"] == "Summarize: the news"
    assert seen["resources"] == ["alpha+docs://readme"]
    assert seen["read"] == "alpha readme"
    assert seen["alpha_received"]["result"] == ["add", "count_slowly"]


def test_discover_needs_no_session_on_either_replica(mcp_gw):
    for url in (mcp_gw.url, mcp_gw.replica_url):
        reply = post(url, "server/discover", {})
        assert reply.status_code == 200, reply.text
        assert "mcp-session-id" not in reply.headers
        result = reply.json()["result"]
        assert VERSION in result["supportedVersions"]
        assert result["resultType"] == "complete"
        assert result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"] == "aigw-mcp-gateway"
        assert set(result["capabilities"]) >= {"tools", "prompts", "resources"}


def received(url: str) -> list:
    reply = post(url, "tools/call", {"name": "beta__received", "arguments": {}},
                 name="beta__received", rid=9)
    assert reply.status_code == 200, reply.text
    return reply.json()["result"]["structuredContent"]["result"]


def test_routing_headers_that_disagree_with_the_body_never_reach_a_server(mcp_gw):
    before = received(mcp_gw.url)
    call = {"name": "beta__echo", "arguments": {"text": "x"}}
    for headers in ({"mcp_name": "beta__shout"}, {"mcp_method": "tools/list"},
                    {"mcp_protocol_version": "2025-11-25"}):
        reply = post(mcp_gw.url, "tools/call", call, name="beta__echo", **headers)
        assert reply.status_code == 400, (headers, reply.text)
        assert reply.json()["error"]["code"] == -32020, headers
    reply = post(mcp_gw.url, "tools/call", call)  # no Mcp-Name
    assert (reply.status_code, reply.json()["error"]["code"]) == (400, -32020)
    assert received(mcp_gw.url) == before, "a refused call reached the server"
    reply = post(mcp_gw.url, "tools/call", call, name="beta__echo")
    assert reply.json()["result"]["content"][0]["text"] == "x"
    assert received(mcp_gw.url) == [*before, "echo"]


def test_an_unsupported_version_names_the_supported_ones(mcp_gw):
    reply = post(mcp_gw.url, "tools/list", {}, mcp_protocol_version="2099-01-01")
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert error["code"] == -32022
    assert VERSION in error["data"]["supported"]


def test_stateless_requests_are_measured_and_logged_with_their_version(mcp_gw, module_kind):
    discover = {"mcp_method_name": "server/discover", "mcp_protocol_version": VERSION}
    call = {"mcp_method_name": "tools/call", "gen_ai_tool_name": "shout",
            "aigw_mcp_server": "beta", "mcp_protocol_version": VERSION}
    samples = metrics.scrape(mcp_gw.admin_url)
    before = [metrics.histogram(samples, module_kind, metrics.MCP_OPERATION_DURATION, labels)[0]
              for labels in (discover, call)]
    assert post(mcp_gw.url, "server/discover", {}).status_code == 200
    request_id = f"mcp-stateless-{module_kind}"
    reply = post(mcp_gw.url, "tools/call", {"name": "beta__shout", "arguments": {"text": "a"}},
                 name="beta__shout", x_request_id=request_id)
    assert reply.json()["result"]["content"][0]["text"] == "A"
    for labels, count in zip((discover, call), before):
        metrics.wait_histogram(mcp_gw.admin_url, module_kind, metrics.MCP_OPERATION_DURATION,
                               labels, count + 1)
    line = AccessLog(mcp_gw.access_log).entry(request_id)
    assert (line["mcp_method"], line["mcp_server"], line["mcp_tool"], line["mcp_error"]) == \
        ("tools/call", "beta", "shout", None)
