"""`aigw run --mcp-config FILE` with the common `mcpServers` JSON: a Streamable HTTP server
(url) and a stdio server (a FastMCP server of the `mcp` package that aigw spawns and bridges
to HTTP) behind the gateway's MCP endpoint, driven by the official `mcp` client."""

import asyncio
import json
import os
import sys
import time

import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from pydantic import AnyUrl

from support import mcp_gateway, paths
from support.mcp_client import in_session, tool_text
from support.procs import Proc, free_port

INTEGRATION_DIR = paths.REPO_ROOT / "integration"


def aigw_run(module_kind: str, workdir, mcp_config) -> tuple[Proc, str, int]:
    listen, admin = free_port(), free_port()
    argv = [paths.aigw(), "run", "--module", module_kind, "--listen", f"127.0.0.1:{listen}",
            "--admin", f"127.0.0.1:{admin}", "--state-dir", workdir / "state",
            "--mcp-config", mcp_config]
    env = {"ENVOY_BIN": str(paths.envoy_bin()), "OPENAI_API_KEY": ""}
    return (Proc("aigw run --mcp-config", argv, workdir / "aigw-run.log", env=env),
            f"http://127.0.0.1:{listen}/mcp", admin)


@pytest.fixture(scope="module")
def gw(module_kind, tmp_path_factory):
    workdir = tmp_path_factory.mktemp(f"aigw-mcp-config-{module_kind}")
    web, web_port = mcp_gateway.start_server("beta", workdir)
    mcp_config = workdir / "mcp.json"
    mcp_config.write_text(json.dumps({"mcpServers": {
        "web": {"url": f"http://127.0.0.1:{web_port}/mcp"},
        "local": {"command": sys.executable, "args": ["-m", "support.mcp_stdio_server"],
                  "env": {"PYTHONPATH": str(INTEGRATION_DIR)}},
    }}))
    proc, url, admin = aigw_run(module_kind, workdir, mcp_config)
    proc.wait_http_ok(f"http://127.0.0.1:{admin}/ready", timeout=30)
    yield proc, url
    proc.stop()
    web.stop()


def test_tools_of_url_and_stdio_servers(gw):
    _, url = gw

    async def work(session):
        tools = [t.name for t in (await session.list_tools()).tools]
        return (tools, await session.call_tool("local__reverse", {"text": "stdio"}),
                await session.call_tool("web__shout", {"text": "http"}))
    tools, reversed_, shouted = in_session(url, work)[1]
    assert sorted(tools) == ["local__count_slowly", "local__pid", "local__reverse",
                             "web__echo", "web__received", "web__shout"]
    assert tool_text(reversed_) == "oidts"
    assert tool_text(shouted) == "HTTP"


def test_stdio_progress_prompts_and_resources(gw):
    _, url = gw
    seen = []

    async def on_progress(progress, total, message):
        seen.append((progress, total, message))

    async def work(session):
        counted = await session.call_tool("local__count_slowly", {"n": 3},
                                          progress_callback=on_progress)
        prompt = await session.get_prompt("local__haiku", {"topic": "pipes"})
        read = await session.read_resource(AnyUrl("local+notes://today"))
        return counted, prompt, read
    counted, prompt, read = in_session(url, work)[1]
    assert tool_text(counted) == "counted to 3"
    assert seen == [(1, 3, "step 1"), (2, 3, "step 2"), (3, 3, "step 3")]
    assert prompt.messages[0].content.text == "Write a haiku about pipes."
    assert read.contents[0].text == "nothing planned"


def test_concurrent_sessions_share_one_process_and_keep_their_answers(gw):
    """Both clients number their requests from 0; the bridge keeps them apart."""
    _, url = gw

    async def client(word: str):
        async with streamable_http_client(url) as (read, write, _):
            async with ClientSession(read, write) as session:
                await session.initialize()
                answers = [tool_text(await session.call_tool("local__reverse", {"text": f"{word}{i}"}))
                           for i in range(5)]
                return answers, tool_text(await session.call_tool("local__pid", {}))

    async def both():
        return await asyncio.gather(client("ab"), client("xy"))
    (first, pid_a), (second, pid_b) = asyncio.run(both())
    assert first == [f"{i}ba" for i in range(5)]
    assert second == [f"{i}yx" for i in range(5)]
    assert pid_a == pid_b
    os.kill(int(pid_a), 0)


def test_stdio_server_stops_with_aigw(module_kind, tmp_path):
    config = tmp_path / "mcp.json"
    config.write_text(json.dumps({"mcpServers": {"local": {
        "command": sys.executable, "args": ["-m", "support.mcp_stdio_server"],
        "env": {"PYTHONPATH": str(INTEGRATION_DIR)}}}}))
    proc, url, admin = aigw_run(module_kind, tmp_path, config)
    try:
        proc.wait_http_ok(f"http://127.0.0.1:{admin}/ready", timeout=30)

        async def pid(session):
            return tool_text(await session.call_tool("local__pid", {}))
        server_pid = int(in_session(url, pid)[1])
    finally:
        rc = proc.stop()
    assert rc == 0, proc.tail()
    with pytest.raises(ProcessLookupError):
        for _ in range(50):
            os.kill(server_pid, 0)
            time.sleep(0.1)


def test_invalid_mcp_config_is_refused_naming_the_field(module_kind, tmp_path):
    config = tmp_path / "mcp.json"
    config.write_text(json.dumps({"mcpServers": {"web": {"type": "sse", "url": "http://h/sse"}}}))
    proc, _, _ = aigw_run(module_kind, tmp_path, config)
    rc = proc.popen.wait(timeout=15)
    proc.stop()
    assert rc != 0
    assert 'mcpServers.web.type: "sse" is not served' in proc.tail()
