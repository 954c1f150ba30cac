"""The MCP gateway with two real MCP servers (official `mcp` package, Streamable HTTP), driven
by the official `mcp` Python client: initialize, merged tool lists with server prefixes, calls
routed to each server (JSON and SSE answers, progress notifications), prompts and resources, a
filtered-out tool, session ids the gateway did not issue, and a session moving between two
gateway replicas."""


import httpx
import pytest
from mcp.shared.exceptions import McpError
from pydantic import AnyUrl

from support import mcp_gateway
from support.mcp_client import in_session, tool_text

HEADERS = {"content-type": "application/json", "accept": "application/json, text/event-stream"}
INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {},
    "clientInfo": {"name": "raw-test", "version": "1"}}}


@pytest.fixture(scope="module")
def mcp_gw(module_kind, tmp_path_factory):
    g = mcp_gateway.start(tmp_path_factory.mktemp(f"mcp-{module_kind}"), module_kind)
    yield g
    g.stop()


def test_initialize_merges_the_servers(mcp_gw):
    async def nothing(_):
        return None
    init, _ = in_session(mcp_gw.url, nothing)
    assert init.protocolVersion == "2025-11-25"
    assert init.serverInfo.name == "aigw-mcp-gateway"
    assert init.capabilities.tools is not None


def test_lists_tools_of_both_servers_with_prefixes(mcp_gw):
    async def names(session):
        return [t.name for t in (await session.list_tools()).tools]
    _, tools = in_session(mcp_gw.url, names)
    assert sorted(tools) == ["alpha__add", "alpha__count_slowly", "alpha__received",
                             "beta__echo", "beta__received", "beta__shout"]
    assert tools.index("alpha__add") < tools.index("beta__echo"), "servers in config order"


def test_calls_a_tool_on_each_server(mcp_gw):
    async def calls(session):
        return (await session.call_tool("alpha__add", {"a": 2, "b": 40}),
                await session.call_tool("beta__shout", {"text": "hello"}))
    _, (added, shouted) = in_session(mcp_gw.url, calls)
    assert tool_text(added) == "42"
    assert tool_text(shouted) == "HELLO"


def test_progress_notifications_reach_the_client(mcp_gw):
    seen = []

    async def on_progress(progress, total, message):
        seen.append((progress, total, message))

    async def count(session):
        return await session.call_tool("alpha__count_slowly", {"n": 3},
                                       progress_callback=on_progress)
    _, result = in_session(mcp_gw.url, count)
    assert tool_text(result) == "counted to 3"
    assert seen == [(1, 3, "step 1"), (2, 3, "step 2"), (3, 3, "step 3")]


def test_filtered_tool_is_refused_and_never_reaches_the_server(mcp_gw):
    async def work(session):
        with pytest.raises(McpError) as refused:
            await session.call_tool("alpha__secret_admin", {})
        received = await session.call_tool("alpha__received", {})
        return refused.value.error, received
    _, (error, received) = in_session(mcp_gw.url, work)
    assert error.code == -32602
    assert error.message == "unknown tool: alpha__secret_admin"
    assert not received.isError
    ran = received.structuredContent["result"]
    assert "secret_admin" not in ran


def test_prompts_and_resources_are_merged_and_routed(mcp_gw):
    async def work(session):
        prompts = [p.name for p in (await session.list_prompts()).prompts]
        prompt = await session.get_prompt("beta__summarize", {"text": "the news"})
        resources = [str(r.uri) for r in (await session.list_resources()).resources]
        read = await session.read_resource(AnyUrl("alpha+docs://readme"))
        return prompts, prompt, resources, read
    _, (prompts, prompt, resources, read) = in_session(mcp_gw.url, work)
    assert prompts == ["alpha__greet", "beta__summarize"]
    assert prompt.messages[0].content.text == "Summarize: the news"
    assert resources == ["alpha+docs://readme"]
    assert read.contents[0].text == "alpha readme"


def raw_session(client: httpx.Client, url: str) -> str:
    reply = client.post(url, headers=HEADERS, json=INITIALIZE)
    assert reply.status_code == 200, reply.text
    return reply.headers["mcp-session-id"]


def test_foreign_and_missing_session_ids_are_refused(mcp_gw):
    tools_list = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
    with httpx.Client(timeout=15.0) as client:
        session = raw_session(client, mcp_gw.url)
        last = "A" if session[-2] != "A" else "B"
        tampered = session[:-2] + last + session[-1]
        for bad in (tampered, "not-a-session-of-this-gateway"):
            reply = client.post(mcp_gw.url, json=tools_list,
                                headers={**HEADERS, "mcp-session-id": bad})
            assert reply.status_code == 404, reply.text
            assert reply.json()["error"]["code"] == -32600
        reply = client.post(mcp_gw.url, json=tools_list, headers=HEADERS)
        assert reply.status_code == 400
        ok = client.post(mcp_gw.url, json=tools_list, headers={**HEADERS, "mcp-session-id": session})
        assert ok.status_code == 200
        assert len(ok.json()["result"]["tools"]) == 6


def test_a_session_started_on_one_replica_continues_on_the_other(mcp_gw):
    call = {"jsonrpc": "2.0", "id": 4, "method": "tools/call",
            "params": {"name": "alpha__add", "arguments": {"a": 1, "b": 2}}}
    with httpx.Client(timeout=15.0) as client:
        session = raw_session(client, mcp_gw.url)
        headers = {**HEADERS, "mcp-session-id": session, "mcp-protocol-version": "2025-06-18"}
        initialized = {"jsonrpc": "2.0", "method": "notifications/initialized"}
        assert client.post(mcp_gw.url, json=initialized, headers=headers).status_code == 202
        reply = client.post(mcp_gw.replica_url, json=call, headers=headers)
        assert reply.status_code == 200, reply.text
        assert mcp_gateway.rpc_answer(reply)["result"]["content"][0]["text"] == "3"


def test_json_rpc_errors_and_http_methods(mcp_gw):
    with httpx.Client(timeout=15.0) as client:
        reply = client.post(mcp_gw.url, headers=HEADERS, content=b"{not json")
        assert (reply.status_code, reply.json()["error"]["code"]) == (400, -32700)
        reply = client.post(mcp_gw.url, headers=HEADERS, json=[INITIALIZE])
        assert (reply.status_code, reply.json()["error"]["code"]) == (400, -32600)
        session = raw_session(client, mcp_gw.url)
        unknown = {"jsonrpc": "2.0", "id": 3, "method": "no/such"}
        reply = client.post(mcp_gw.url, json=unknown, headers={**HEADERS, "mcp-session-id": session})
        assert reply.json()["error"]["code"] == -32601
        stream = {"accept": "text/event-stream"}
        assert client.get(mcp_gw.url, headers=stream).status_code == 400, "no session"
        # Two servers: no single server stream to forward.
        reply = client.get(mcp_gw.url, headers={**stream, "mcp-session-id": session})
        assert (reply.status_code, reply.headers["allow"]) == (405, "POST, DELETE")
        assert client.delete(mcp_gw.url, headers={"mcp-session-id": session}).status_code == 200
