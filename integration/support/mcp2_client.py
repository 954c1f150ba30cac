"""Drives the MCP gateway with the official `mcp` 2.x client, which speaks the stateless
2026-07-28 revision. It runs in its own virtualenv (scripts/setup.sh makes it from
integration/requirements-mcp2.txt), since the suite's .venv pins `mcp` 1.x. Run as
`python mcp2_client.py URL`; prints what it saw as one JSON object."""

import asyncio
import json
import sys

from mcp import Client


async def main(url: str) -> dict:
    progress = []

    async def on_progress(value, total, message):
        progress.append([value, total, message])

    async with Client(url) as client:
        tools = [t.name for t in (await client.list_tools()).tools]
        added = await client.call_tool("alpha__add", {"a": 2, "b": 40})
        shouted = await client.call_tool("beta__shout", {"text": "hello"})
        counted = await client.call_tool("alpha__count_slowly", {"n": 3},
                                         progress_callback=on_progress)
        prompt = await client.get_prompt("beta__summarize", {"text": "the news"})
        resources = [str(r.uri) for r in (await client.list_resources()).resources]
        read = await client.read_resource("alpha+docs://readme")
        received = await client.call_tool("alpha__received", {})
        return {
            "protocol_version": client.protocol_version,
            "server_name": client.server_info.name if client.server_info else None,
            "tools_capability": client.server_capabilities.tools is not None,
            "tools": tools,
            "added": added.content[0].text,
            "shouted": shouted.content[0].text,
            "counted": counted.content[0].text,
            "progress": progress,
            "prompt": prompt.messages[0].content.text,
            "resources": resources,
            "read": read.contents[0].text,
            "alpha_received": received.structured_content,
        }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1]))))
