"""A real MCP server on stdio, built on the official `mcp` package (FastMCP), for
`aigw run --mcp-config`. Run as `python -m support.mcp_stdio_server`: tools `reverse`,
`pid` (the process's id, so a test can tell that sessions share one process) and
`count_slowly` (reports progress); prompt `haiku`; resource `notes://today`."""

import os

from mcp.server.fastmcp import Context, FastMCP

server = FastMCP("local", log_level="WARNING")


@server.tool()
def reverse(text: str) -> str:
    """Returns the text reversed."""
    return text[::-1]


@server.tool()
def pid() -> int:
    """The id of this server process."""
    return os.getpid()


@server.tool()
async def count_slowly(n: int, ctx: Context) -> str:
    """Counts to n, reporting progress at each step."""
    for i in range(1, n + 1):
        await ctx.report_progress(i, n, f"step {i}")
    return f"counted to {n}"


@server.prompt()
def haiku(topic: str) -> str:
    """A haiku prompt."""
    return f"Write a haiku about {topic}."


@server.resource("notes://today")
def today() -> str:
    """Today's notes."""
    return "nothing planned"


if __name__ == "__main__":
    server.run(transport="stdio")
