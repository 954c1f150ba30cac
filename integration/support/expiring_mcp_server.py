"""A minimal stateful MCP server (Streamable HTTP, JSON answers) whose sessions end on
demand and which refuses an unknown session with a headers-only 404 (`content-length: 0`),
the form the `mcp` package's servers never send. Run as
`python -m support.expiring_mcp_server PORT`. Sessions are `s-1`, `s-2`, ... in the order
of `initialize`. Tools:

- `whoami`: the session id the request came in;
- `forget`: answers, then forgets every session (the next request in one gets 404);
- `stuck`: always 404, even in a new session;
- `counts`: how many times each tool was asked for (a refused `stuck` counts too);
- `capabilities`: the client capabilities declared by the `initialize` of the session.
"""

import json
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOOLS = ["whoami", "forget", "stuck", "counts", "capabilities"]


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.next_id = 1
        self.live: set[str] = set()
        self.capabilities: dict[str, dict] = {}
        self.counts: Counter = Counter()


STATE = State()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        sys.stderr.write("%s\n" % (format % args))

    def answer(self, status: int, body: dict | None = None, session: str | None = None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("content-type", "application/json")
        if session is not None:
            self.send_header("mcp-session-id", session)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.answer(405)

    def do_DELETE(self):  # noqa: N802
        self.answer(200)

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("content-length", "0"))
        message = json.loads(self.rfile.read(length))
        method, rid = message.get("method"), message.get("id")
        session = self.headers.get("mcp-session-id")
        with STATE.lock:
            if method == "initialize":
                new = f"s-{STATE.next_id}"
                STATE.next_id += 1
                STATE.live.add(new)
                STATE.capabilities[new] = message["params"]["capabilities"]
                result = {"protocolVersion": message["params"]["protocolVersion"],
                          "capabilities": {"tools": {}},
                          "serverInfo": {"name": "expiring", "version": "1"}}
                return self.answer(200, {"jsonrpc": "2.0", "id": rid, "result": result}, new)
            tool = (message.get("params") or {}).get("name")
            if method == "tools/call":
                STATE.counts[tool] += 1
            if session not in STATE.live or tool == "stuck":
                return self.answer(404)
            if rid is None:
                return self.answer(202)
            if method == "tools/list":
                result = {"tools": [{"name": t, "inputSchema": {"type": "object"}}
                                    for t in TOOLS]}
            elif method == "tools/call" and tool in TOOLS:
                text = {"whoami": session, "forget": "forgotten",
                        "counts": json.dumps(STATE.counts),
                        "capabilities": json.dumps(STATE.capabilities.get(session))}[tool]
                result = {"content": [{"type": "text", "text": text}]}
                if tool == "forget":
                    STATE.live.clear()
            else:
                error = {"code": -32601, "message": f"unknown: {method} {tool}"}
                return self.answer(200, {"jsonrpc": "2.0", "id": rid, "error": error})
            return self.answer(200, {"jsonrpc": "2.0", "id": rid, "result": result})


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
