"""The MCP gateway in front of two MCP servers we did not write: the npm reference server
`@modelcontextprotocol/server-everything` (Streamable HTTP, stateful) and a FastMCP server of
the `mcp` PyPI package (support.mcp_server `alpha`), driven by the official `mcp` client:
initialize, prefixed tools of both, a call on each, a long-running tool whose progress
notifications reach the client, a sampling request the npm server sends inside a call answered
by the client, prompts and resources routed by their prefixed names, completions routed by
their prompt or template, the log level set on every server, and resource subscriptions: refused
in a session of two servers, whose server streams the client does not get, and delivered with
the prefixed URI on the server stream of a session with server-everything alone."""

import asyncio

import pytest
from mcp import types
from mcp.shared.exceptions import McpError
from pydantic import AnyUrl

from support import everything, mcp_gateway
from support.mcp_client import in_session, tool_text

ARCHITECTURE = "demo://resource/static/document/architecture.md"


@pytest.fixture(scope="module")
def gateways(module_kind, tmp_path_factory):
    """Both servers behind one gateway, and server-everything alone behind another."""
    workdir = tmp_path_factory.mktemp(f"mcp-everything-{module_kind}")
    npm_server, npm_port = everything.start(workdir)
    alpha, alpha_port = mcp_gateway.start_server("alpha", workdir)
    npm = {"name": "everything", "url": f"http://127.0.0.1:{npm_port}/mcp"}
    servers = [
        {"name": "alpha", "url": f"http://127.0.0.1:{alpha_port}/mcp",
         "tools": {"exclude_regex": ["secret_.*"]}},
        npm,
    ]
    envoy, both_url, _ = mcp_gateway.start_envoy(workdir, module_kind, servers, 1)
    solo, solo_url, _ = mcp_gateway.start_envoy(workdir, module_kind, [npm], 2)
    yield {"both": both_url, "solo": solo_url}
    for proc in (envoy, solo, npm_server, alpha):
        proc.stop()


@pytest.fixture(scope="module")
def url(gateways):
    return gateways["both"]


def test_initialize_merges_both_servers(url):
    async def nothing(_):
        return None
    init, _ = in_session(url, nothing)
    assert init.serverInfo.name == "aigw-mcp-gateway"
    assert init.capabilities.tools is not None
    assert init.capabilities.prompts is not None
    assert init.capabilities.resources is not None
    assert "[everything]" in init.instructions, "server-everything's instructions are kept"


def test_tools_of_both_servers_with_prefixes(url):
    async def names(session):
        return [t.name for t in (await session.list_tools()).tools]
    _, tools = in_session(url, names)
    alpha = [t for t in tools if t.startswith("alpha__")]
    npm = [t for t in tools if t.startswith("everything__")]
    assert sorted(alpha) == ["alpha__add", "alpha__count_slowly", "alpha__received"]
    for tool in ("echo", "get-sum", "trigger-long-running-operation"):
        assert f"everything__{tool}" in npm
    assert len(alpha) + len(npm) == len(tools)
    assert tools.index("alpha__add") < tools.index("everything__echo"), "config order"


def test_a_call_on_each_server(url):
    async def calls(session):
        return (await session.call_tool("alpha__add", {"a": 20, "b": 22}),
                await session.call_tool("everything__get-sum", {"a": 1.5, "b": 2}),
                await session.call_tool("everything__echo", {"message": "through aigw"}))
    _, (added, summed, echoed) = in_session(url, calls)
    assert tool_text(added) == "42"
    assert tool_text(summed) == "The sum of 1.5 and 2 is 3.5."
    assert tool_text(echoed) == "Echo: through aigw"


def test_long_running_tool_reports_progress(url):
    seen = []

    async def on_progress(progress, total, message):
        seen.append((progress, total))

    async def run(session):
        return await session.call_tool("everything__trigger-long-running-operation",
                                       {"duration": 0.6, "steps": 3},
                                       progress_callback=on_progress)
    _, result = in_session(url, run)
    assert tool_text(result) == "Long running operation completed. Duration: 0.6 seconds, Steps: 3."
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_a_sampling_request_inside_a_call_is_answered_by_the_client(url):
    asked = []

    async def sample(context, params):
        asked.append(params.messages[0].content.text)
        return types.CreateMessageResult(
            role="assistant", model="fake-model-for-tests",
            content=types.TextContent(type="text", text="sampled through aigw"))

    async def run(session):
        # server-everything offers the tool only to clients that declared sampling: the
        # gateway passed the client's capabilities on.
        names = [t.name for t in (await session.list_tools()).tools]
        assert "everything__trigger-sampling-request" in names
        return await session.call_tool("everything__trigger-sampling-request",
                                       {"prompt": "hello", "maxTokens": 5})
    _, result = in_session(url, run, sampling_callback=sample)
    assert asked == ["Resource trigger-sampling-request context: hello"]
    assert "sampled through aigw" in tool_text(result)


def test_prompts_of_both_servers(url):
    async def work(session):
        prompts = [p.name for p in (await session.list_prompts()).prompts]
        npm = await session.get_prompt("everything__args-prompt", {"city": "Lisbon"})
        alpha = await session.get_prompt("alpha__greet", {"name": "Ada"})
        return prompts, npm, alpha
    _, (prompts, npm, alpha) = in_session(url, work)
    assert prompts[0] == "alpha__greet"
    assert {"everything__simple-prompt", "everything__args-prompt"} <= set(prompts)
    assert npm.messages[0].content.text == "What's weather in Lisbon?"
    assert alpha.messages[0].content.text == "Say hello to Ada."


def test_resources_and_templates_of_both_servers(url):
    async def work(session):
        resources = [str(r.uri) for r in (await session.list_resources()).resources]
        templates = [t.uriTemplate for t in
                     (await session.list_resource_templates()).resourceTemplates]
        npm = await session.read_resource(AnyUrl(f"everything+{ARCHITECTURE}"))
        alpha = await session.read_resource(AnyUrl("alpha+docs://readme"))
        return resources, templates, npm, alpha
    _, (resources, templates, npm, alpha) = in_session(url, work)
    assert resources[0] == "alpha+docs://readme"
    assert f"everything+{ARCHITECTURE}" in resources
    assert "everything+demo://resource/dynamic/text/{resourceId}" in templates
    assert str(npm.contents[0].uri) == ARCHITECTURE
    assert "Architecture" in npm.contents[0].text
    assert alpha.contents[0].text == "alpha readme"


def test_completions_are_routed_by_prompt_and_by_template(url):
    async def work(session):
        prompt = await session.complete(
            types.PromptReference(type="ref/prompt", name="everything__completable-prompt"),
            {"name": "department", "value": "E"})
        template = await session.complete(
            types.ResourceTemplateReference(
                type="ref/resource", uri="everything+demo://resource/dynamic/text/{resourceId}"),
            {"name": "resourceId", "value": "7"})
        return prompt, template
    init, (prompt, template) = in_session(url, work)
    assert init.capabilities.completions is not None
    assert prompt.completion.values == ["Engineering"]
    assert template.completion.values == ["7"]


def test_the_log_level_is_set_on_the_servers(url):
    async def work(session):
        return await session.set_logging_level("warning")
    init, result = in_session(url, work)
    assert init.capabilities.logging is not None
    assert isinstance(result, types.EmptyResult)


def test_subscriptions_are_refused_in_a_session_of_several_servers(url):
    async def work(session):
        with pytest.raises(McpError) as refused:
            await session.subscribe_resource(AnyUrl(f"everything+{ARCHITECTURE}"))
        return refused.value.error
    init, error = in_session(url, work)
    assert not init.capabilities.resources.subscribe, "not advertised"
    assert error.code == types.METHOD_NOT_FOUND
    assert "server stream" in error.message


def test_a_subscription_update_arrives_on_the_single_servers_stream(gateways):
    uri = f"everything+{ARCHITECTURE}"
    updates, logs = [], []

    async def on_message(message):
        if isinstance(message, types.ServerNotification) and isinstance(
                message.root, types.ResourceUpdatedNotification):
            updates.append(str(message.root.params.uri))

    async def on_log(params):
        logs.append(str(params.data))

    async def work(session):
        await session.set_logging_level("info")
        await session.subscribe_resource(AnyUrl(uri))
        await session.call_tool("everything__toggle-subscriber-updates", {})
        for _ in range(80):  # updates come at once, then every 5 s
            if updates:
                break
            await asyncio.sleep(0.1)
        await session.unsubscribe_resource(AnyUrl(uri))
        await session.call_tool("everything__toggle-subscriber-updates", {})
    init, _ = in_session(gateways["solo"], work, message_handler=on_message,
                           logging_callback=on_log)
    assert init.capabilities.resources.subscribe is True
    assert updates and set(updates) == {uri}, updates
    assert any(f"Subscribe Resource request for URI: {ARCHITECTURE}" in line for line in logs), logs
