"""A real MCP server for the suite, built on the official `mcp` package (FastMCP) and served
over Streamable HTTP. Run as `python -m support.mcp_server NAME PORT`:

- `alpha`: stateful (its own Mcp-Session-Id), answers in SSE; tools `add`, `count_slowly`
  (reports progress), `secret_admin` (filtered out by the gateway) and `received`; prompt
  `greet`; resource `docs://readme`.
- `beta`: stateless, answers in plain JSON; tools `echo`, `shout` and `received`; prompt
  `summarize`.

- `gamma`: stateful, answers in SSE; tools `tick` (progress with a pause between steps),
  `ask` (asks the client for a name by elicitation, inside the call), `announce` (sends a
  notification on the server-to-client GET stream), `seen_headers` (the HTTP headers of the
  request that called it) and `received`.

`received` lists the tools the server was asked to run, so a test can prove that a refused
call never reached it."""

import asyncio
import sys

from mcp.server.fastmcp import Context, FastMCP
from pydantic import BaseModel


class Name(BaseModel):
    """What `ask` elicits."""

    name: str


def build(name: str, port: int) -> FastMCP:
    stateless = name == "beta"
    server = FastMCP(name, host="127.0.0.1", port=port, stateless_http=stateless,
                     json_response=stateless, log_level="WARNING")
    calls: list[str] = []

    @server.tool()
    def received() -> list[str]:
        """Names of the tools this server ran so far."""
        return list(calls)

    if name == "alpha":
        @server.tool()
        def add(a: int, b: int) -> int:
            """Adds two integers."""
            calls.append("add")
            return a + b

        @server.tool()
        async def count_slowly(n: int, ctx: Context) -> str:
            """Counts to n, reporting progress at each step."""
            calls.append("count_slowly")
            for i in range(1, n + 1):
                await ctx.report_progress(i, n, f"step {i}")
            return f"counted to {n}"

        @server.tool()
        def secret_admin() -> str:
            """A tool the gateway must never expose."""
            calls.append("secret_admin")
            return "leaked"

        @server.prompt()
        def greet(name: str) -> str:
            """A greeting prompt."""
            return f"Say hello to {name}."

        @server.resource("docs://readme")
        def readme() -> str:
            """The server's readme."""
            return "alpha readme"
    elif name == "gamma":
        @server.tool()
        async def tick(n: int, pause: float, ctx: Context) -> str:
            """Reports progress n times, pausing between steps."""
            calls.append("tick")
            for i in range(1, n + 1):
                await ctx.report_progress(i, n, f"tick {i}")
                await asyncio.sleep(pause)
            return f"ticked {n}"

        @server.tool()
        async def ask(ctx: Context) -> str:
            """Asks the client for a name, inside the call."""
            calls.append("ask")
            answer = await ctx.elicit("Who is there?", Name)
            if answer.action != "accept":
                return f"no name ({answer.action})"
            return f"hello {answer.data.name}"

        @server.tool()
        async def announce(ctx: Context) -> str:
            """Tells the client, on its GET stream, that the resource list changed."""
            calls.append("announce")
            await ctx.session.send_resource_list_changed()
            return "announced"

        @server.tool()
        def seen_headers(ctx: Context) -> dict[str, str]:
            """The HTTP headers of the request that called this tool."""
            return dict(ctx.request_context.request.headers)
    else:
        @server.tool()
        def echo(text: str) -> str:
            """Returns the text."""
            calls.append("echo")
            return text

        @server.tool()
        def shout(text: str) -> str:
            """Returns the text in capitals."""
            calls.append("shout")
            return text.upper()

        @server.prompt()
        def summarize(text: str) -> str:
            """A summary prompt."""
            return f"Summarize: {text}"

    return server


if __name__ == "__main__":
    build(sys.argv[1], int(sys.argv[2])).run(transport="streamable-http")
