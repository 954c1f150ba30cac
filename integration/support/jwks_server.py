"""A small HTTP server publishing a JWKS at `/.well-known/jwks.json` (an issuer's `jwks_uri`)
in the test process, counting the fetches; the test swaps the published keys to rotate them."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PATH = "/.well-known/jwks.json"


class JwksServer:
    """Serves `jwks` on 127.0.0.1:`port` (0: a free one) until `stop()`."""

    def __init__(self, jwks: dict, port: int = 0):
        self.jwks = jwks
        self.fetches = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path != PATH:
                    self.send_error(404)
                    return
                with server._lock:
                    server.fetches += 1
                    body = json.dumps(server.jwks).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self._http.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}{PATH}"
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._thread.start()

    def publish(self, jwks: dict):
        """Publishes another key set (a key rotation)."""
        with self._lock:
            self.jwks = jwks

    def count(self) -> int:
        """Fetches served so far."""
        with self._lock:
            return self.fetches

    def stop(self):
        self._http.shutdown()
        self._http.server_close()
