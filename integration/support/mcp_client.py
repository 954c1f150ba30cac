"""The official `mcp` client, driven synchronously from tests: one initialized session per
call, and the text of a tool result."""

import asyncio

import httpx
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client


def in_session(url: str, work, headers: dict | None = None, **session_args):
    """Runs `work(session)` in a client session initialized at `url` (extra `ClientSession`
    arguments such as callbacks in `session_args`, `headers` on every HTTP request); returns
    the `initialize` result and what `work` returned."""
    async def run(read, write):
        async with ClientSession(read, write, **session_args) as session:
            init = await session.initialize()
            return init, await work(session)

    async def main():
        if headers is None:
            async with streamable_http_client(url) as (read, write, _):
                return await run(read, write)
        async with httpx.AsyncClient(headers=headers, timeout=15.0) as http:
            async with streamable_http_client(url, http_client=http) as (read, write, _):
                return await run(read, write)
    return asyncio.run(main())


def tool_text(result) -> str:
    """The text of a successful tool result's first content block."""
    assert not result.isError, result
    return result.content[0].text
