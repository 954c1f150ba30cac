"""Fake upstream for the wasm demo: echoes what it received (chunked requests and their
trailers too); `/v1/sse` streams SSE chunks; `/v1/trailers` answers chunked JSON with trailers."""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _body(self):
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            return self._chunked_body()
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length).decode("utf-8", "replace") if length else ""

    def _chunked_body(self):
        body, self.trailers = b"", {}
        while True:
            size = int(self.rfile.readline().split(b";")[0], 16)
            if size == 0:
                break
            body += self.rfile.read(size)
            self.rfile.readline()
        while (line := self.rfile.readline().strip()):
            name, _, value = line.decode().partition(":")
            self.trailers[name.strip().lower()] = value.strip()
        return body.decode("utf-8", "replace")

    def do_GET(self):
        data = b"ok-from-check\n"
        self.send_response(201)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = self._body()
        if self.path.startswith("/v1/sse"):
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("transfer-encoding", "chunked")
            self.end_headers()
            for i in range(3):
                event = f"data: hello {i}\n\n".encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
                self.wfile.flush()
                time.sleep(0.3)
            self.wfile.write(b"0\r\n\r\n")
            return
        echo = {
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "trailers": getattr(self, "trailers", {}),
            "body": body,
            "greeting": "hello",
        }
        data = json.dumps(echo).encode()
        if self.path.startswith("/v1/trailers"):
            # Chunked JSON ending in trailers: no body chunk is marked end of stream.
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("transfer-encoding", "chunked")
            self.send_header("trailer", "x-upstream-trailer")
            self.end_headers()
            half = len(data) // 2
            for part in (data[:half], data[half:]):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\nx-upstream-trailer: done\r\n\r\n")
            return
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
